"""Generic tables, Zendesk ticket exports and Slack exports, from fixture files.

Every input under ``tests/data/importers/{table,zendesk,slack}/`` (a file, or a Slack export folder) has a
``<name>.expected.json`` next to it: the options to read it with, the format it must be detected as (and
the role, when a table is not a hand-written timeline), its events in time order (exact UTC time, kind,
file line, actor, message) and, for some, the warnings and the milestones the engine must find from it
alone.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.importers import ImportOptions, formats, get_importer, import_source
from postmortem_widgets.timeline.importers.slack import load_slack, parse_slack
from postmortem_widgets.timeline.importers.table import load_table, parse_table
from postmortem_widgets.timeline.importers.zendesk import parse_zendesk
from postmortem_widgets.timeline.merge import build_timeline, load_timeline
from postmortem_widgets.timeline.milestones import iso_utc
from postmortem_widgets.timeline.sources import Source, expand_paths
from tests.support import paths

DATA = paths.DATA / "importers"
FORMATS = ("table", "zendesk", "slack")
FIXTURES = sorted(
    path.with_name(path.name.removesuffix(".expected.json"))
    for name in FORMATS
    for path in (DATA / name).rglob("*.expected.json")
)


def _input(stem: Path) -> Path:
    """The input an expectation describes: a folder of that name, or the file with that stem."""
    if stem.is_dir():
        return stem
    [path] = [p for p in stem.parent.glob(stem.name + ".*") if not p.name.endswith(".expected.json")]
    return path


def _id(stem: Path) -> str:
    return str(stem.relative_to(DATA))


def _source(path: Path) -> Source:
    [source] = list(expand_paths([path]))
    return source


def _expected(stem: Path) -> dict[str, Any]:
    return json.loads(stem.with_name(stem.name + ".expected.json").read_text(encoding="utf-8"))


def _options(want: dict[str, Any]) -> ImportOptions:
    return ImportOptions(**want.get("options", {}))


def _rows(events: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {"time": t, "kind": k, "line": int(n), "actor": a, "message": m}
        for t, k, n, a, m in zip(
            events["time"], events["kind"], events["line"], events["actor"], events["message"], strict=True
        )
    ]


def _wanted(want: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "time": pd.Timestamp(e["time"]).tz_convert("UTC"),
            "kind": e["kind"],
            "line": e["line"],
            "actor": e["actor"],
            "message": e["message"],
        }
        for e in want["events"]
    ]


def test_every_format_has_fixtures() -> None:
    assert {stem.relative_to(DATA).parts[0] for stem in FIXTURES} == set(FORMATS)
    assert len([s for s in FIXTURES if s.parent.name == "table"]) >= 15
    assert set(FORMATS) <= set(formats())


@pytest.mark.parametrize("stem", FIXTURES, ids=_id)
def test_detected_without_a_format_and_read_exactly(stem: Path) -> None:
    want = _expected(stem)
    result = import_source(_source(_input(stem)), options=_options(want))
    assert result.format == want["format"] == stem.relative_to(DATA).parts[0]
    assert _rows(result.events) == _wanted(want)
    assert list(result.events.columns) == list(ev.COLUMNS)
    assert str(result.events["time"].dtype) == ev.TIME_DTYPE
    assert set(result.events["source"]) == {want["format"]}
    assert result.warnings == want.get("warnings", [])
    # A table is a hand-written timeline unless it reads as a log (see telemetry.roles).
    role = want.get("role", "timeline" if want["format"] == "table" else result.role)
    assert result.role == role
    assert result.handwritten == (role == "timeline")


@pytest.mark.parametrize("stem", FIXTURES, ids=_id)
def test_detection_is_unambiguous(stem: Path) -> None:
    source = _source(_input(stem))
    scores = {name: get_importer(name).sniff(source) for name in formats()}
    mine = scores.pop(stem.relative_to(DATA).parts[0])
    assert mine >= 40
    assert max(scores.values()) <= mine - 20, scores


@pytest.mark.parametrize("stem", [s for s in FIXTURES if "milestones" in _expected(s)], ids=_id)
def test_milestones_from_the_fixture_alone(stem: Path) -> None:
    want = _expected(stem)
    timeline = build_timeline([import_source(_source(_input(stem)), options=_options(want))])
    expected = dict(want["milestones"])
    duration = expected.pop("duration_seconds")
    assert expected.pop("detected_by") == timeline.milestones.detected_by
    assert timeline.milestones.to_json() == expected
    assert timeline.metrics.to_json()["duration_seconds"] == (
        pytest.approx(duration) if duration is not None else None
    )


def test_anchor_variants_agree_on_the_seed_incident() -> None:
    """Every encoding, delimiter and time notation of the seed incident gives its milestones and 2h33m."""
    table = [s for s in FIXTURES if s.parent.name == "table"]
    variants = [
        s for s in table if s.name.startswith("anchor_") or s.name in ("date_and_clock", "clock_only")
    ]
    assert len(variants) == 9
    for stem in variants:
        timeline = build_timeline([import_source(_source(_input(stem)), options=_options(_expected(stem)))])
        assert iso_utc(timeline.milestones.started) == "2024-04-15T13:14:00Z", stem.name
        assert iso_utc(timeline.milestones.detected) == "2024-04-15T13:42:00Z", stem.name
        assert timeline.milestones.detected_by == "customer"
        assert timeline.metrics.duration is not None
        assert timeline.metrics.duration.total_seconds() == 2 * 3600 + 33 * 60
        assert timeline.metrics.time_to_detect is not None
        assert timeline.metrics.time_to_detect.total_seconds() == 28 * 60


def test_every_anchor_event_keeps_its_file() -> None:
    path = DATA / "table" / "anchor_comma.csv"
    result = import_source(_source(path))
    assert set(result.events["file"]) == {str(path)}
    assert result.events["raw"].isna().all()


@pytest.mark.parametrize(
    ("name", "digits"),
    [("epoch_s", ""), ("epoch_ms", ".123"), ("epoch_us", ".123456"), ("epoch_ns", ".123456789")],
)
def test_epoch_units_are_read_from_magnitude_without_losing_digits(name: str, digits: str) -> None:
    events = load_table(DATA / "table" / f"{name}.csv").events
    assert events["time"].iloc[0] == pd.Timestamp(f"2024-04-15T13:14:00{digits}Z")
    assert events["time"].iloc[0].value % 1_000_000_000 == int(digits[1:].ljust(9, "0") or 0)


def test_parse_table_reads_bytes_and_names_the_input() -> None:
    data = b"when,what\n2024-04-15T09:14:00-04:00,Cache rollback initiated\n"
    result = parse_table(data, name="upload.csv")
    assert result.format == "table"
    assert list(result.events["file"]) == ["upload.csv"]
    assert list(result.events["kind"]) == [ev.MITIGATED]
    assert result.events["time"].iloc[0] == pd.Timestamp("2024-04-15T13:14:00Z")


def test_a_kind_column_of_log_levels_is_not_taken_for_milestones() -> None:
    data = b"time,type,message\n2024-04-15T13:14:00Z,INFO,Deploy done\n2024-04-15T13:20:00Z,ERROR,Resolved\n"
    assert list(parse_table(data).events["kind"]) == [ev.EVENT, ev.RESOLVED]


def test_clock_times_without_a_date_ask_for_one() -> None:
    from postmortem_widgets.errors import InputError

    with pytest.raises(InputError) as info:
        load_table(DATA / "table" / "clock_only.csv", tz="America/New_York")
    assert "clock times" in str(info.value) and "--date" in str(info.value)
    assert info.value.column == "Time"


# Zendesk


def test_zendesk_beats_the_generic_table() -> None:
    source = _source(DATA / "zendesk" / "tickets.csv")
    assert get_importer("zendesk").sniff(source) > get_importer("table").sniff(source) > 0


def test_zendesk_solved_tickets_never_resolve_the_incident() -> None:
    tickets = import_source(
        _source(DATA / "zendesk" / "tickets.csv"), options=ImportOptions(tz="America/New_York")
    )
    incident = import_source(_source(DATA / "table" / "anchor_comma.csv"))
    timeline = build_timeline([tickets, incident])
    assert iso_utc(timeline.milestones.resolved) == "2024-04-15T15:47:00Z"
    solved = tickets.events[tickets.events["message"].str.contains("solved")]
    assert set(solved["kind"]) == {ev.NOISE}
    assert solved["time"].max() > timeline.milestones.resolved
    assert ev.NOISE not in set(timeline.signal_events["kind"])


def test_zendesk_first_ticket_detects_the_incident() -> None:
    tickets = parse_zendesk((DATA / "zendesk" / "tickets_bom.csv").read_bytes(), tz="Europe/Berlin")
    timeline = build_timeline([tickets])
    assert timeline.milestones.detected_by == "customer"
    assert iso_utc(timeline.milestones.detected) == "2024-03-03T08:07:41Z"
    assert timeline.milestones.reasons["detected"] == (
        "zendesk: Ticket #77012: Checkout fails with “payment declined” for every card"
    )


# Slack


def _zip(folder: Path, target: Path, *, root: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, root + path.relative_to(folder).as_posix())
    return target


@pytest.mark.parametrize("root", ["", "Anchor Analytics Slack export Apr 15 2024/"])
def test_slack_zip_reads_like_the_folder(tmp_path: Path, root: str) -> None:
    folder = DATA / "slack" / "anchor_export"
    archive = _zip(folder, tmp_path / "anchor_export.zip", root=root)
    from_folder = load_slack(folder)
    from_zip = import_source(_source(archive))
    assert from_zip.format == "slack"
    assert _rows(from_zip.events) == _rows(from_folder.events)
    assert from_zip.warnings == from_folder.warnings
    want = _expected(DATA / "slack" / "anchor_export")
    assert list(from_zip.events["file"]) == [f"{archive}!{e['file']}" for e in want["events"]]
    assert list(from_folder.events["file"]) == [f"{folder}/{e['file']}" for e in want["events"]]
    assert parse_slack(archive.read_bytes(), name="upload.zip").count == len(want["events"])


def test_slack_raw_is_the_original_message() -> None:
    events = load_slack(DATA / "slack" / "anchor_export").events
    bot = events[events["actor"] == "Datadog"].iloc[0]
    assert bot["raw"]["subtype"] == "bot_message"
    assert bot["raw"]["attachments"][0]["fallback"] == "[Recovered] Stale data ratio on reporting-api"
    assert all(isinstance(raw, dict) and "ts" in raw for raw in events["raw"])


def test_slack_chatter_is_noise_and_never_a_key_event() -> None:
    timeline = load_timeline([DATA / "slack" / "anchor_export"])
    key = timeline.signal_events
    assert not key["message"].str.contains("lunch").any()
    assert len(key) == 6
    assert timeline.to_json()["event_count"] == 8


def test_slack_with_a_table_merges_into_one_timeline() -> None:
    timeline = load_timeline([DATA / "slack" / "anchor_export", DATA / "table" / "anchor_comma.csv"])
    assert [r.format for r in timeline.imports] == ["slack", "table"]
    assert iso_utc(timeline.milestones.started) == "2024-04-15T13:14:00Z"
    assert iso_utc(timeline.milestones.resolved) == "2024-04-15T15:47:30Z"
    assert timeline.events["time"].is_monotonic_increasing
