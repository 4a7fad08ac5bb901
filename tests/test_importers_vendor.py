"""Vendor JSON importers against realistic exports: detection, exact UTC times and kinds, clear errors.

Every ``tests/data/importers/<format>/<name>.json`` has a ``<name>.expected.json`` next to it with the
format it must be detected as and its events (UTC time, kind, record number, actor and, for some, the
exact message), in time order. ``tests/data/importers/errors/<name>.expected.json`` describe inputs that
must fail, and how.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from postmortem_widgets.errors import NaiveTimeError, PostmortemError
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.importers import ImportOptions, formats, import_source
from postmortem_widgets.timeline.merge import build_timeline
from postmortem_widgets.timeline.sources import Source
from tests.support import paths
from tests.support.importers import assert_detected_clearly, expected, load

DATA = paths.DATA / "importers"
VENDOR_FORMATS = (
    "alertmanager",
    "cloudwatch",
    "datadog",
    "datadog_v2",
    "firehydrant",
    "grafana",
    "incident_io",
    "jira",
    "mattermost",
    "opsgenie",
    "pagerduty",
    "pagerduty_incident",
    "rootly",
    "sentry",
    "statuspage",
    "teams",
)
FIXTURES = sorted(
    p for p in DATA.glob("*/*.json") if p.parent.name != "errors" and not p.name.endswith(".expected.json")
)
ERRORS = sorted((DATA / "errors").glob("*.expected.json"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def as_rows(events: pd.DataFrame, *, with_messages: dict[int, bool]) -> list[dict[str, Any]]:
    rows = []
    for i, (time, kind, line, actor, message) in enumerate(
        zip(events["time"], events["kind"], events["line"], events["actor"], events["message"], strict=True)
    ):
        row = {"time": time, "kind": kind, "line": int(line), "actor": actor}
        if with_messages.get(i):
            row["message"] = message
        rows.append(row)
    return rows


def test_fixtures_cover_every_vendor_format() -> None:
    assert {p.parent.name for p in FIXTURES} == set(VENDOR_FORMATS)
    assert set(VENDOR_FORMATS) <= set(formats())
    for path in FIXTURES:
        assert path.with_name(path.stem + ".expected.json").is_file(), f"{path} has no expectations"


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_detects_the_format(path: Path) -> None:
    want = expected(path)["format"]
    assert want == path.parent.name
    assert import_source(load(path)).format == want


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_detection_is_unambiguous(path: Path) -> None:
    """The right importer wins clearly: no other format scores anywhere near it."""
    assert_detected_clearly(path)


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_events_have_exact_utc_times_and_kinds(path: Path) -> None:
    want = expected(path)
    result = import_source(load(path))
    wanted = [
        {**e, "time": pd.Timestamp(e["time"]).tz_convert("UTC")} if "time" in e else e for e in want["events"]
    ]
    got = as_rows(result.events, with_messages={i: "message" in e for i, e in enumerate(wanted)})
    assert got == wanted
    assert str(result.events["time"].dtype) == ev.TIME_DTYPE
    assert list(result.events.columns) == list(ev.COLUMNS)
    assert set(result.events["source"]) == {want["format"]}
    assert set(result.events["file"]) == {path.name}
    assert all(isinstance(raw, dict) for raw in result.events["raw"])
    assert set(result.events["kind"]) <= set(ev.KINDS)
    for fragment in want.get("warnings", []):
        assert any(fragment in w for w in result.warnings), (fragment, result.warnings)
    if not want.get("warnings"):
        assert result.warnings == []


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_raw_is_the_original_record(path: Path) -> None:
    """``raw`` is the record the event came from, so an analyst can trace any line back."""
    result = import_source(load(path))
    text = path.read_text(encoding="utf-8")
    for raw in result.events["raw"]:
        for key, value in raw.items():
            if isinstance(value, str) and value and "\n" not in value and '"' not in value:
                assert json.dumps(value, ensure_ascii=False)[1:-1] in text or value in text, (key, value)


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_format_override_reads_the_same(path: Path) -> None:
    detected = import_source(load(path))
    forced = import_source(load(path), format=path.parent.name)
    assert forced.format == detected.format
    pd.testing.assert_frame_equal(forced.events, detected.events)


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_other_vendor_formats_refuse_with_a_clear_error(path: Path) -> None:
    """Forcing the wrong vendor gives an InputError naming the file, never a traceback or a silent misread."""
    for name in VENDOR_FORMATS:
        if name == path.parent.name:
            continue
        with pytest.raises(PostmortemError) as info:
            import_source(load(path), format=name)
        assert path.name in str(info.value), (name, str(info.value))


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_noise_stays_noise(path: Path) -> None:
    result = import_source(load(path))
    timeline = build_timeline([result])
    noise = result.events[result.events["kind"] == ev.NOISE]
    assert ev.NOISE not in set(timeline.signal_events["kind"])
    assert len(timeline.signal_events) == len(result.events) - len(noise)
    milestone_times = {t for t in timeline.milestones.as_dict().values() if t is not None}
    signal_times = set(result.events.loc[result.events["kind"] != ev.NOISE, "time"])
    assert milestone_times <= signal_times


@pytest.mark.parametrize("spec", ERRORS, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_bad_input_gives_a_clear_error(spec: Path) -> None:
    want = json.loads(spec.read_text(encoding="utf-8"))
    path = spec.parent / want.get("input", spec.name.replace(".expected.json", ".json"))
    with pytest.raises(PostmortemError) as info:
        import_source(load(path), format=want["format"])
    assert type(info.value).__name__ == want["error"]
    for fragment in want["contains"]:
        assert fragment in str(info.value)
    if "line" in want:
        assert info.value.line == want["line"]
    if "column" in want:
        assert info.value.column == want["column"]


def test_every_error_case_has_an_input() -> None:
    assert len(ERRORS) >= 8
    for spec in ERRORS:
        want = json.loads(spec.read_text(encoding="utf-8"))
        assert (spec.parent / want.get("input", spec.name.replace(".expected.json", ".json"))).is_file()


def _edited(path: Path, edit: Any) -> Source:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    return Source(name=path.name, data=json.dumps(doc).encode())


def test_pagerduty_warns_when_more_pages_follow() -> None:
    source = _edited(DATA / "pagerduty" / "log_entries_paged.json", lambda d: d.update(more=True, offset=25))
    result = import_source(source)
    assert result.warnings == [
        "the export says more log entries follow (offset 25, limit 25); later entries are missing"
    ]
    assert len(result.events) == 7


def test_cloudwatch_warns_on_next_token() -> None:
    path = DATA / "cloudwatch" / "alarm_history.json"
    source = _edited(path, lambda d: d.update(NextToken="eyJwYWdlIjoyfQ=="))
    assert import_source(source).warnings == ["the export has a NextToken: later history items are missing"]


def test_opsgenie_open_alert_never_resolves() -> None:
    def reopen(doc: dict[str, Any]) -> None:
        doc["data"][0]["status"] = "open"

    events = import_source(_edited(DATA / "opsgenie" / "alerts_list.json", reopen)).events
    first = events[events["line"] == 1]
    assert list(first["kind"]) == [ev.PAGE, ev.ACKNOWLEDGED]


def test_alertmanager_firing_alert_in_api_list_is_not_resolved_by_its_expiry() -> None:
    """The v2 API's endsAt of a live alert is an expiry in the future: it ends nothing."""
    events = import_source(load(DATA / "alertmanager" / "api_v2_alerts.json")).events
    assert list(events.loc[events["line"] == 1, "kind"]) == [ev.ALERT]


def test_naive_times_need_a_zone_and_use_it() -> None:
    def naive(doc: dict[str, Any]) -> None:
        for entry in doc["log_entries"]:
            entry["created_at"] = entry["created_at"].removesuffix("Z").replace("T", " ")

    source = _edited(DATA / "pagerduty" / "log_entries_paged.json", naive)
    with pytest.raises(NaiveTimeError) as info:
        import_source(source)
    assert "log_entries_paged.json (column 'created_at'): timestamps have no time zone" in str(info.value)
    result = import_source(source, options=ImportOptions(tz="Europe/Berlin"))
    assert result.events["time"].iloc[0] == pd.Timestamp("2025-03-04T08:12:05Z")


def test_out_of_range_epoch_is_dropped_with_a_warning() -> None:
    def zero(doc: list[dict[str, Any]]) -> None:
        doc[0]["time"] = 0

    result = import_source(_edited(DATA / "grafana" / "annotations_legacy.json", zero))
    assert len(result.events) == 7
    assert 1 not in set(result.events["line"])
    assert any("outside 1990-2100 were left out (rows 1" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("data", "format", "warning"),
    [
        (b'{"log_entries": [], "limit": 25, "offset": 0, "more": false}', "pagerduty", "no log entries"),
        (b'{"AlarmHistoryItems": []}', "cloudwatch", "no alarm history items"),
        (b'{"data": [], "took": 0.01, "requestId": "x"}', "opsgenie", "no alerts"),
        (b'{"incidents": []}', "statuspage", "no incident updates"),
    ],
)
def test_empty_exports_give_no_events_and_say_so(data: bytes, format: str, warning: str) -> None:
    result = import_source(Source(name="empty.json", data=data), format=format)
    assert result.count == 0
    assert list(result.events.columns) == list(ev.COLUMNS)
    assert [w for w in result.warnings if warning in w]


def test_not_json_at_all_names_the_expected_export() -> None:
    with pytest.raises(PostmortemError) as info:
        import_source(Source(name="notes.txt", data=b"9:14am deploy\n"), format="statuspage")
    assert str(info.value).startswith(
        "notes.txt: this is not JSON. Hint: the statuspage importer reads Statuspage incidents"
    )
