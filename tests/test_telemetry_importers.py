"""Telemetry importers (machine logs and metric exports) against fixture files written in each vendor's shape.

Every ``tests/data/telemetry/<format>/<name>.<ext>`` has a ``<name>.expected.json`` next to it: the options
to read it with, the score its own sniffer gives it, and what the format's reader returns (log rows: UTC
time to the nanosecond, severity, message, file line, status, latency, labels; or series: name, unit,
kind, labels, times and values), plus the warnings. ``tests/data/telemetry/errors/<name>.expected.json``
describe inputs that must fail, and with exactly which message.

The readers are called directly: turning rows into series and events is another room's work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from postmortem_widgets.errors import PostmortemError
from postmortem_widgets.timeline.importers import ImportOptions, detect, formats, get_importer
from postmortem_widgets.timeline.sources import FileSource, Source, expand_paths
from postmortem_widgets.timeline.telemetry.model import ERROR, LOG, METRIC
from tests.support.telemetry_readers import (
    DATA,
    LOG_READERS,
    METRIC_READERS,
    READERS,
    row_dicts,
    series_dicts,
)

FIXTURES = sorted(
    p
    for p in DATA.glob("*/*")
    if p.parent.name != "errors" and p.is_file() and not p.name.endswith(".expected.json")
)
ERRORS = sorted((DATA / "errors").glob("*.expected.json"))
ROOT = Path(__file__).parent.parent
#: Inputs the other importers read (or must refuse) today.
EXISTING = (ROOT / "tests" / "data" / "importers", ROOT / "tests" / "data" / "bad", ROOT / "sample_data")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _source(path: Path) -> Source:
    return Source(name=path.name, data=path.read_bytes())


def _expected(path: Path) -> dict[str, Any]:
    spec = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")
    return json.loads(spec.read_text(encoding="utf-8"))


def _options(want: dict[str, Any]) -> ImportOptions:
    return ImportOptions(**want.get("options", {}))


def _read(path: Path, want: dict[str, Any]) -> dict[str, Any]:
    format = path.parent.name
    reader = READERS[format]
    if format in LOG_READERS:
        rows, warnings, _ = row_dicts(reader(_source(path), _options(want)))
        return {"rows": rows, "warnings": warnings}
    series = reader(_source(path), _options(want))
    return {"series": series_dicts(series)}


def test_every_format_is_registered_and_has_fixtures() -> None:
    assert {p.parent.name for p in FIXTURES} == set(READERS)
    assert set(READERS) <= set(formats())
    for name in LOG_READERS:
        assert get_importer(name).role == LOG
    for name in METRIC_READERS:
        assert get_importer(name).role == METRIC
    for path in FIXTURES:
        assert _expected(path)["format"] == path.parent.name, path


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_read_exactly(path: Path) -> None:
    want = _expected(path)
    got = _read(path, want)
    if "rows" in got:
        assert got["rows"] == want["rows"]
        assert got["warnings"] == want.get("warnings", [])
    else:
        assert got["series"] == want["series"]


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_sniffed_and_detected_unambiguously(path: Path) -> None:
    """The format's own sniffer gives the score the fixture states, and no other comes within 20 of it."""
    want = _expected(path)
    source = _source(path)
    scores = {name: get_importer(name).sniff(source) for name in formats()}
    mine = scores.pop(want["format"])
    assert mine == want["sniff"]
    assert max(scores.values()) <= mine - 20, scores
    assert detect(source).name == want["format"]


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for root in EXISTING
        for p in root.rglob("*")
        if p.is_file()
        and not p.name.endswith(".expected.json")
        and p.suffix not in (".png", ".yaml", ".parquet")  # binary: no text importer reads it
        and p.read_bytes().strip()  # an empty input is refused before any sniffing
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_existing_inputs_are_not_claimed(path: Path) -> None:
    """No telemetry importer scores anywhere near the importer that reads an existing input today."""
    source = _source(path)
    scores = {name: get_importer(name).sniff(source) for name in formats()}
    ours = max(scores[name] for name in READERS)
    theirs = max(score for name, score in scores.items() if name not in READERS)
    assert ours <= max(theirs - 20, 0), scores


@pytest.mark.parametrize("spec", ERRORS, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_bad_input_gives_the_exact_error(spec: Path) -> None:
    want = json.loads(spec.read_text(encoding="utf-8"))
    path = spec.parent / want["input"]
    with pytest.raises(PostmortemError) as info:
        result = READERS[want["format"]](_source(path), _options(want))
        if want["format"] in LOG_READERS:
            list(result)
    assert type(info.value).__name__ == want["error"]
    assert str(info.value) == want["message"]
    assert info.value.line == want.get("line")
    assert info.value.column == want.get("column")


def _big_log(format: str, count: int) -> str:
    """``count`` lines of a line-oriented log, one a second from 2024-05-19T06:00:00Z, every 10th an error."""
    start = 1716098400
    lines = []
    for i in range(count):
        error = i % 10 == 9
        if format == "jsonl":
            level = 50 if error else 30
            lines.append(
                f'{{"level":{level},"time":{(start + i) * 1000},"hostname":"web-1","msg":"request {i}"}}'
            )
        elif format == "journald":
            priority = 3 if error else 6
            lines.append(
                f'{{"__REALTIME_TIMESTAMP":"{(start + i) * 1_000_000}","PRIORITY":"{priority}",'
                f'"_HOSTNAME":"web-1","_SYSTEMD_UNIT":"api.service","MESSAGE":"request {i}"}}'
            )
        else:
            stamp = pd.Timestamp(start + i, unit="s", tz="UTC").strftime("%d/%b/%Y:%H:%M:%S +0000")
            status = 503 if error else 200
            lines.append(
                f'10.0.0.{i % 250} - - [{stamp}] "GET /item/{i} HTTP/1.1" {status} 512 "-" "k6" rt=0.0{i % 9}'
            )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("format", ["jsonl", "journald", "access_log"])
def test_a_large_log_is_read_in_batches_from_the_file_itself(tmp_path: Path, format: str) -> None:
    """Detection reads the head only; the reader reads the file block by block, never into Python."""
    path = tmp_path / f"big.{format}"
    count = 20_000
    path.write_text(_big_log(format, count))
    [source] = list(expand_paths([path]))
    assert isinstance(source, FileSource)
    assert detect(source).name == format
    batches = list(READERS[format](source, ImportOptions(), block_size=64 << 10))
    assert "data" not in source.__dict__
    assert len(batches) > 10
    lines = np.concatenate([b.line for b in batches])
    assert lines.tolist() == list(range(1, count + 1))
    times = np.concatenate([b.time for b in batches])
    assert bool(np.all(np.diff(times) == 1_000_000_000))
    severities = np.concatenate([b.severity for b in batches])
    assert int((severities == ERROR).sum()) == count // 10
    last = batches[-1]
    assert last.message.to_pylist()[-1].endswith(str(count - 1) + (" 503" if format == "access_log" else ""))
    assert all(b.warnings == [] for b in batches)


def test_a_json_lines_log_is_told_from_a_json_document_by_its_head() -> None:
    """A second object in the first lines means JSON lines: no JSON importer reads the log whole."""
    source = Source(
        name="app.jsonl", data=b'{"time": 1716098400000, "msg": "a"}\n{"time": 1716098401000, "msg": "b"}\n'
    )
    assert source.json is None
    assert source.json_error == "invalid JSON at line 2, column 1: Extra data"


def test_every_error_case_has_an_input() -> None:
    families = set()
    for spec in ERRORS:
        want = json.loads(spec.read_text(encoding="utf-8"))
        assert (spec.parent / want["input"]).is_file(), spec
        families.add(want["format"])
    assert len(ERRORS) >= 12
    assert {"jsonl", "journald", "access_log", "kibana_csv", "prometheus", "grafana_csv"} <= families
