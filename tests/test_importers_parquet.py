"""Parquet: a table that takes the generic table's role path (log, metric or timeline by its columns).

The synthetic incident of issue 11 written as Parquet must read exactly as its CSV does; a large log is
read row group by row group, in batches of at most BATCH_ROWS rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from postmortem_widgets.errors import InputError, NaiveTimeError
from postmortem_widgets.timeline.importers import ImportOptions, detect, import_source
from postmortem_widgets.timeline.importers.parquet import BATCH_ROWS, _open, read_log
from postmortem_widgets.timeline.merge import load_timeline, parse_timeline
from postmortem_widgets.timeline.progress import Progress
from postmortem_widgets.timeline.sources import FileSource, Source
from postmortem_widgets.timeline.telemetry.roles import table_shape
from tests.support import telemetry as ts

LOG_EVIDENCE = "error ratio 0.13% -> 29% at 14:00 UTC; back under 0.86% at 14:51:30 UTC"
PANEL_EVIDENCE = "checkout error ratio 0.099% -> 30% at 14:00 UTC; back under 0.99% at 14:51:30 UTC"
NOTES = pd.DataFrame(
    {
        "time": pd.to_datetime(["2024-04-15 09:14", "2024-04-15 09:42", "2024-04-15 11:47"]),
        "event": [
            "Cache deployment completed",
            "First customer support ticket received reporting stale data",
            "Resolved: all dashboards show live data",
        ],
    }
)


def _write(frame: pd.DataFrame, path: Path, **options: int) -> Path:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, **options)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parquet")


@pytest.fixture(scope="module")
def log_parquet(folder: Path) -> Path:
    return _write(ts.incident_log(), folder / "app.parquet", row_group_size=4_000)


def test_a_log_reads_as_its_csv_does(log_parquet: Path, folder: Path) -> None:
    timeline = load_timeline([log_parquet])
    [result] = timeline.imports
    assert (result.format, result.role, result.rows, result.count) == ("parquet", "log", 20_004, 3)
    assert timeline.impact is not None and timeline.impact.evidence == LOG_EVIDENCE
    assert timeline.milestones.started == ts.T0 and timeline.milestones.mitigated == ts.ROLLBACK
    csv = load_timeline([ts.write_log_csv(folder / "app.csv")])
    assert [(s.name, s.unit, len(s)) for s in timeline.series] == [
        (s.name, s.unit, len(s)) for s in csv.series
    ]
    assert timeline.events[["time", "kind", "message"]].equals(csv.events[["time", "kind", "message"]])
    rows = timeline.events["source"] != "impact"  # the window's events have no line
    lines = (
        csv.events["line"][rows] - 1
    )  # a CSV's header is line 1; a Parquet row's line is its record number
    assert timeline.events["line"][rows].tolist() == lines.tolist()


def test_a_big_log_is_read_in_batches(folder: Path) -> None:
    rows = 300_000
    path = _write(ts.incident_log(rows), folder / "big.parquet", row_group_size=50_000)
    source = FileSource(path)
    file = _open(source)
    assert file.metadata.num_row_groups == 7  # 300,000 rows and the four special lines, 50,000 a group
    shape = table_shape(pa.Table.from_batches([next(file.iter_batches(batch_size=2_000))]), rows=rows)
    seen: list[Progress] = []
    batches = [len(b) for b in read_log(source, ImportOptions(progress=seen.append), file, shape)]
    assert len([b for b in batches if b]) == -(-(rows + 4) // BATCH_ROWS) and max(batches) == BATCH_ROWS
    assert sum(batches) == rows + 4
    assert [p.done for p in seen] == [min((n + 1) * BATCH_ROWS, rows + 4) for n in range(len(seen))]
    assert seen[-1].total == rows + 4
    timeline = load_timeline([path])
    assert timeline.impact is not None and timeline.impact.evidence.startswith("error ratio 0.1")
    assert timeline.imports[0].rows == rows + 4


def test_a_metric_table(folder: Path) -> None:
    panel = pd.read_csv(ts.write_metric_csv(folder / "panel.csv"))
    panel["Time"] = pd.to_datetime(panel["Time"], unit="s", utc=True)
    timeline = load_timeline([_write(panel, folder / "panel.parquet")])
    [result] = timeline.imports
    assert (result.format, result.role, result.count) == ("parquet", "metric", 0)
    assert [(s.name, s.kind, s.unit, len(s)) for s in timeline.series] == [
        ("checkout error ratio", "error_ratio", "ratio", 360),
        ("requests per minute", "request_rate", "/min", 360),
        ("p95 latency (ms)", "latency", "ms", 360),
    ]
    assert timeline.impact is not None and timeline.impact.evidence == PANEL_EVIDENCE


def test_a_metric_table_with_label_columns(folder: Path) -> None:
    times = pd.date_range("2025-03-03T13:00:00Z", periods=60, freq="1min")
    frame = pd.DataFrame(
        {"time": times.repeat(2), "host": ["a", "b"] * 60, "cpu %": [10.0, 50.0] * 60}
    ).astype({"host": "category"})  # Parquet keeps a categorical as a dictionary column
    timeline = load_timeline([_write(frame, folder / "cpu.parquet")])
    assert [(s.name, dict(s.labels), len(s)) for s in timeline.series] == [
        ("cpu %{host=a}", {"host": "a"}, 60),
        ("cpu %{host=b}", {"host": "b"}, 60),
    ]


def test_a_timeline_of_prose_needs_its_zone(folder: Path) -> None:
    path = _write(NOTES, folder / "notes.parquet")
    with pytest.raises(NaiveTimeError) as caught:
        load_timeline([path])
    assert caught.value.file == str(path) and caught.value.column == "time"
    timeline = load_timeline([path], tz="America/New_York")
    [result] = timeline.imports
    assert (result.role, result.handwritten, result.count) == ("timeline", True, 3)
    assert timeline.milestones.detected_by == "customer"
    assert timeline.metrics.duration == pd.Timedelta(hours=2, minutes=33)


def test_the_role_given_by_hand_wins(folder: Path) -> None:
    path = _write(NOTES.assign(time=NOTES["time"].dt.tz_localize("UTC")), folder / "prose.parquet")
    result = import_source(FileSource(path), options=ImportOptions(roles={str(path): "log"}))
    assert (result.role, result.rows, result.count) == ("log", 3, 1)  # only the deploy line is an event
    assert result.events[["kind", "message"]].values.tolist() == [["change", "Cache deployment completed"]]


def test_an_upload_and_a_dictionary_level_column(log_parquet: Path) -> None:
    frame = ts.incident_log().astype({"level": "category", "service": "category"})
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    data = buffer.getvalue().to_pybytes()
    assert detect(Source("upload.parquet", data)).name == "parquet"
    timeline = parse_timeline(data, name="upload.parquet")
    assert timeline.impact is not None and timeline.impact.evidence == LOG_EVIDENCE


def test_a_broken_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00\x01garbage" * 10)
    with pytest.raises(InputError) as caught:
        load_timeline([path])
    assert caught.value.file == str(path) and "not a readable Parquet file" in caught.value.message
