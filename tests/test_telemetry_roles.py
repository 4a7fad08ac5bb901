"""What a generic table is (telemetry.roles): a hand-written timeline, a machine log or a metric series.

The documented rule decides from the sample and the size; the user's --role wins.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import InputError
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.merge import load_timeline
from postmortem_widgets.timeline.sources import expand_paths

DATA = Path(__file__).parent / "data" / "telemetry"


def _import(path: Path, **options: object) -> ev.ImportResult:
    [source] = list(expand_paths([path]))
    return import_source(source, options=ImportOptions(**options))  # type: ignore[arg-type]


def _service_log(path: Path, rows: int = 5_000) -> Path:
    rng = np.random.default_rng(5)
    times = pd.date_range("2025-03-03T13:00:00Z", periods=rows, freq="700ms")
    levels = rng.choice(["INFO", "WARN", "ERROR"], rows, p=[0.9, 0.08, 0.02])
    frame = pd.DataFrame(
        {
            "timestamp": times.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": levels,
            "message": [f"GET /api/v1/orders/{i} 200" for i in rng.integers(1000, 9999, rows)],
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_a_20_row_hand_written_csv_stays_a_timeline() -> None:
    result = _import(DATA / "handwritten.csv")
    assert (result.format, result.role, result.handwritten) == ("table", "timeline", True)
    assert result.count == 20 and result.series == []
    assert result.events["kind"].tolist()[11] == ev.IDENTIFIED
    timeline = load_timeline([DATA / "handwritten.csv"])
    assert timeline.milestones.started == pd.Timestamp("2025-03-03T13:58:00Z")  # its first row counts
    assert timeline.impact is None


def test_a_5000_row_log_with_a_level_column_is_a_log(tmp_path: Path) -> None:
    result = _import(_service_log(tmp_path / "service.csv"))
    assert (result.format, result.role, result.handwritten) == ("table", "log", False)
    assert result.rows == 5_000
    assert result.count == 0  # no deploy, no rollback, no error new after the baseline: no events
    assert [s.name for s in result.series] == ["error ratio", "error rate", "log rate"]
    assert [s.unit for s in result.series] == ["ratio", "/min", "/min"]
    # 5,000 rows 0.7 s apart span 58 minutes: 10 s bins.
    step = int(result.series[0].times[1] - result.series[0].times[0])
    assert step == 10 * 10**9 and len(result.series[0]) == 350


def test_many_rows_of_prose_make_a_log_even_without_a_level(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"2024-04-15T13:{i // 60 % 60:02d}:{i % 60:02d}Z,request {i} ok\n" for i in range(300))
    path.write_text("time,message\n" + rows)
    assert _import(path).role == "log"
    assert _import(path, roles={str(path): "timeline"}).count == 300


def test_a_grafana_style_csv_of_a_time_and_numeric_columns_is_a_metric() -> None:
    result = _import(DATA / "grafana_panel.csv", tz="UTC")
    assert (result.format, result.role, result.count, result.rows) == ("grafana_csv", "metric", 0, 120)
    assert [(s.name, s.kind, s.unit) for s in result.series] == [
        ("checkout error ratio", "error_ratio", "ratio"),
        ("requests per minute", "request_rate", "/min"),
    ]
    first = result.series[0]
    assert first.times[0] == pd.Timestamp("2025-03-03T13:30:00Z").value
    assert first.values[0] == pytest.approx(0.00141)


def test_the_users_role_wins_and_is_checked(tmp_path: Path) -> None:
    log = _service_log(tmp_path / "service.csv", rows=300)
    as_timeline = _import(log, roles={str(log): "timeline"})
    assert (as_timeline.role, as_timeline.handwritten, as_timeline.count) == ("timeline", True, 300)
    handwritten = DATA / "handwritten.csv"
    as_log = _import(handwritten, roles={str(handwritten): "log"})
    assert (as_log.role, as_log.handwritten, as_log.rows) == ("log", False, 20)
    # The same path written another way still matches.
    relative = _import(handwritten, roles={str(handwritten.parent / "." / handwritten.name): "log"})
    assert relative.role == "log"
    with pytest.raises(InputError, match="unknown role 'logs'"):
        _import(handwritten, roles={str(handwritten): "logs"})


def test_cli_role_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handwritten = str(DATA / "handwritten.csv")
    assert main(["timeline", handwritten, "--role", f"{handwritten}=log", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # Read as a log, only its deploy and rollback lines are events; no level column: one series.
    assert [(i["role"], i["events"], i["rows"], i["series"]) for i in data["inputs"]] == [("log", 4, 20, 1)]
    assert [e["kind"] for e in data["key_events"]] == ["change", "change", "mitigated", "mitigated"]
    assert data["milestones"]["started"] is None  # a machine log's first line is never the start
    assert data["milestones"]["mitigated"] == "2025-03-03T14:34:00Z"
    assert main(["timeline", handwritten, "--role", "notes.csv"]) == 2
    assert "expected PATH=ROLE" in capsys.readouterr().err


def test_a_metric_file_without_a_message_column_never_fails_a_mixed_import() -> None:
    timeline = load_timeline([DATA / "handwritten.csv", DATA / "grafana_panel.csv"], tz="UTC")
    assert [(r.role, r.count, len(r.series)) for r in timeline.imports] == [
        ("timeline", 20, 0),
        ("metric", 0, 2),
    ]
    assert timeline.warnings == []
    # The hand-written start (13:58) is earlier than the metric's breach (14:00): started stays 13:58.
    assert timeline.milestones.started == pd.Timestamp("2025-03-03T13:58:00Z")
    assert timeline.impact is not None and timeline.impact.signal == "checkout error ratio"


def test_a_log_without_a_message_column_gives_its_series(tmp_path: Path) -> None:
    path = tmp_path / "access.csv"
    times = pd.date_range("2025-03-03T13:00:00Z", periods=600, freq="3s").strftime("%Y-%m-%dT%H:%M:%SZ")
    status = np.where(np.arange(600) % 50 == 0, 503, 200)
    pd.DataFrame({"time": times, "status": status, "latency_ms": np.full(600, 120)}).to_csv(path, index=False)
    result = _import(path)
    assert (result.role, result.count, result.rows) == ("log", 0, 600)
    assert [s.name for s in result.series] == [
        "error ratio",
        "error rate",
        "request rate",
        "5xx ratio",
        "latency p50",
        "latency p95",
        "latency p99",
    ]
    # 12 of the 600 requests were 503s: errors by their status, in 10 s bins counted per minute.
    assert np.nansum(result.series[1].values) * 10 / 60 == pytest.approx(12)
    assert np.nanmax(result.series[3].values) == pytest.approx(1 / 4)  # 1 of the 4 rows of a bin
    assert np.nanmedian(result.series[4].values) == pytest.approx(120, rel=0.01)
