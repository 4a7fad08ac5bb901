"""The synthetic incident of issue 11 (tests/support/telemetry.py): a bad deploy at 14:00, an alert at 14:06,
a rollback at 14:40 and errors back to the baseline at 14:52, in a three-hour log with 30 s bins.

Through a CSV log, through a log format's batches (what the JSON-lines importer hands over), through a
metric CSV alone and through all inputs together with the Alertmanager webhook.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.timeline.importers import ImportOptions
from postmortem_widgets.timeline.merge import Timeline, build_timeline, load_timeline
from postmortem_widgets.timeline.sources import FileSource, Source
from postmortem_widgets.timeline.telemetry import severity
from postmortem_widgets.timeline.telemetry.formats import log_format
from postmortem_widgets.timeline.telemetry.model import LogRows
from tests.support import telemetry as ts

DATA = Path(__file__).parent / "data" / "telemetry"
BIN = pd.Timedelta(seconds=30)
EVIDENCE = "error ratio 0.13% -> 29% at 14:00 UTC; back under 0.86% at 14:51:30 UTC"


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ts.write_log_csv(tmp_path_factory.mktemp("incident") / "app.csv")


@pytest.fixture(scope="module")
def metric_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ts.write_metric_csv(tmp_path_factory.mktemp("incident") / "panel.csv")


def _within_a_bin(value: pd.Timestamp | None, truth: pd.Timestamp) -> bool:
    return value is not None and abs(value - truth) <= BIN


def _assert_incident(timeline: Timeline) -> None:
    m = timeline.milestones
    assert timeline.impact is not None
    assert m.started == ts.T0 == pd.Timestamp(timeline.impact.began, tz="UTC")
    assert _within_a_bin(m.resolved, ts.END)
    assert m.mitigated == ts.ROLLBACK and m.reasons["mitigated"].endswith(f": {ts.ROLLBACK_TEXT}")
    messages = " ".join(timeline.events["message"])
    assert "restarted" not in messages and "recovered" not in messages


def test_csv_log_alone(log_csv: Path) -> None:
    timeline = load_timeline([log_csv])
    _assert_incident(timeline)
    impact = timeline.impact
    assert impact is not None
    assert (impact.signal, impact.source, impact.evidence) == ("error ratio", str(log_csv), EVIDENCE)
    assert pd.Timestamp(impact.ended, tz="UTC") == pd.Timestamp("2025-03-03T14:51:30Z")
    assert timeline.milestones.detected is None  # a log alone says nothing of who noticed
    assert timeline.metrics.duration == pd.Timedelta(minutes=51, seconds=30)
    assert timeline.events[["kind", "message"]].values.tolist() == [
        ["change", ts.DEPLOY_TEXT],  # the same instant as the impact's beginning: the input's event first
        ["impact_start", "impact began: error ratio 0.13% -> 29% at 14:00 UTC"],
        [
            "warning",
            "payment declined: card processor returned 502 for order 30044 [new error, 1,075 like it]",
        ],
        ["mitigated", ts.ROLLBACK_TEXT],
        ["resolved", "impact ended: error ratio back under 0.86% at 14:51:30 UTC"],
    ]
    [result] = timeline.imports
    assert (result.role, result.rows, result.count) == ("log", 20_004, 3)
    assert [s.name for s in timeline.series] == ["error ratio", "error rate", "log rate"]
    assert all(len(s) == 360 for s in timeline.series)


def _read_jsonl(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """A stand-in for the JSON-lines importer: records of {ts, level, msg}, 5,000 rows a batch."""
    assert source.path is not None
    for number, chunk in enumerate(pd.read_json(source.path, lines=True, chunksize=5_000, dtype=False)):
        times = pd.to_datetime(chunk["ts"], utc=True).astype("datetime64[ns, UTC]")
        yield LogRows(
            time=times.to_numpy(dtype="datetime64[ns]").view(np.int64),
            severity=severity.from_text(pa.array(chunk["level"])),
            message=pa.array(chunk["msg"], type=pa.large_string()),
            line=np.arange(1, len(chunk) + 1, dtype=np.int64) + number * 5_000,
        )


def test_the_same_through_a_log_formats_batches(tmp_path: Path) -> None:
    frame = ts.incident_log()
    path = tmp_path / "app.jsonl"
    records = pd.DataFrame(
        {
            "ts": frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": frame["level"],
            "msg": frame["message"],
        }
    )
    records.to_json(path, orient="records", lines=True)
    importer = log_format("jsonl-test", "JSON lines", sniff=lambda s: 0, read=_read_jsonl)
    result = importer.parse(FileSource(path), ImportOptions())
    assert (result.format, result.role, result.rows) == ("jsonl-test", "log", 20_004)
    timeline = build_timeline([result])
    _assert_incident(timeline)
    assert timeline.impact is not None and timeline.impact.evidence == EVIDENCE
    rollback = timeline.events[timeline.events["kind"] == "mitigated"]
    assert rollback["line"].tolist() == [int(frame.index[frame["message"] == ts.ROLLBACK_TEXT][0]) + 1]


def test_a_metric_csv_alone(metric_csv: Path) -> None:
    timeline = load_timeline([metric_csv])
    m = timeline.milestones
    assert m.started == ts.T0 and _within_a_bin(m.resolved, ts.END)
    assert m.mitigated is None and m.detected is None
    impact = timeline.impact
    assert impact is not None and impact.signal == "checkout error ratio"
    assert (
        impact.evidence == "checkout error ratio 0.099% -> 30% at 14:00 UTC; back under 0.99% at 14:51:30 UTC"
    )
    assert [i.signal for i in timeline.impacts] == ["checkout error ratio", "p95 latency (ms)"]


def test_all_inputs_together(log_csv: Path, metric_csv: Path) -> None:
    alert = DATA / "alertmanager_webhook.json"
    timeline = load_timeline([log_csv, metric_csv, alert])
    _assert_incident(timeline)
    m = timeline.milestones
    assert m.detected == ts.ALERT and m.detected_by == "monitoring"
    assert m.reasons["detected"].startswith("alertmanager: CheckoutErrorRatioHigh firing")
    assert m.resolved == pd.Timestamp("2025-03-03T14:51:30Z")  # the impact's end, later than the alert's
    assert timeline.metrics.time_to_detect == pd.Timedelta(minutes=6)
    assert timeline.impact is not None and timeline.impact.source == str(log_csv)
    assert [r.role for r in timeline.imports] == ["log", "metric", "incident"]


def test_another_signal_by_name_or_none(log_csv: Path, metric_csv: Path) -> None:
    timeline = load_timeline([log_csv, metric_csv])
    latency = timeline.with_signal("p95 latency (ms)")
    assert latency.impact is not None and latency.impact.signal == "p95 latency (ms)"
    assert (
        latency.impact.evidence
        == "p95 latency (ms) 120 ms -> 1,019 ms at 14:00 UTC; back under 146 ms at 14:52 UTC"
    )
    assert latency.milestones.resolved == pd.Timestamp("2025-03-03T14:52:00Z")
    flat = timeline.with_signal("log rate")
    assert flat.impact is None
    assert f"log rate ({log_csv}) shows no clear change: no impact window" in flat.warnings
    assert timeline.with_signal("none").milestones.started is None
    assert timeline.with_signal(None).impact == timeline.impact
    from postmortem_widgets.errors import InputError

    with pytest.raises(InputError, match="no signal called 'error ratoi'"):
        timeline.with_signal("error ratoi")


def test_the_analyst_overrides_the_start(log_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(log_csv), "--set", "started=2025-03-03T13:59:00Z", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["milestones"]["started"] == "2025-03-03T13:59:00Z"
    assert data["metrics"]["duration_seconds"] == 52 * 60 + 30
    assert data["impact"]["began"] == "2025-03-03T14:00:00Z"


def test_evidence_in_the_zone_asked_for(log_csv: Path) -> None:
    timeline = load_timeline([log_csv], tz="America/New_York")
    assert timeline.impact is not None
    assert timeline.impact.evidence == "error ratio 0.13% -> 29% at 09:00 ET; back under 0.86% at 09:51:30 ET"
