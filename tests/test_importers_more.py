"""The incident-tool and chat formats responders also hold, from fixture files in the vendors' shapes.

Every input under ``tests/data/importers/<format>/`` for the formats in :data:`FORMATS` (JSON, JSON lines
or CSV) has a ``<name>.expected.json``: its events in time order (exact UTC time, kind, record or file
line, actor, and some messages), its warnings (fragments; none when absent) and, for most, the milestones
the engine must find from that file alone. ``test_importers_vendor.py`` runs its own checks on the JSON
ones too. Below them: the Alertmanager de-duplication, the paging warnings, Opsgenie's ``acknowledged``
flag, Teams' HTML and wrong-typed values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from postmortem_widgets.errors import PostmortemError
from postmortem_widgets.privacy.names import people_names
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.importers import formats, import_source
from postmortem_widgets.timeline.importers.teams import html_text
from postmortem_widgets.timeline.merge import build_timeline
from postmortem_widgets.timeline.sources import Source
from tests.support import paths
from tests.support.importers import assert_detected_clearly, expected, load

DATA = paths.DATA / "importers"
FORMATS = (
    "firehydrant",
    "incident_io",
    "jira",
    "mattermost",
    "opsgenie_csv",
    "pagerduty_incident",
    "rootly",
    "sentry",
    "teams",
)
FIXTURES = sorted(
    p for name in FORMATS for p in (DATA / name).iterdir() if not p.name.endswith(".expected.json")
)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def edited(path: Path, edit: Any) -> Source:
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    return Source(name=path.name, data=json.dumps(doc).encode())


def test_every_format_is_registered_and_has_fixtures() -> None:
    assert set(FORMATS) <= set(formats())
    assert {p.parent.name for p in FIXTURES} == set(FORMATS)
    for path in FIXTURES:
        assert path.with_name(path.stem + ".expected.json").is_file(), path


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_detected_clearly(path: Path) -> None:
    assert_detected_clearly(path)


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_events_warnings_and_milestones_are_exact(path: Path) -> None:
    want = expected(path)
    result = import_source(load(path))
    assert result.format == want["format"] == path.parent.name
    got = [
        {"time": t, "kind": k, "line": int(n), "actor": a, "message": m}
        for t, k, n, a, m in zip(
            result.events["time"],
            result.events["kind"],
            result.events["line"],
            result.events["actor"],
            result.events["message"],
            strict=True,
        )
    ]
    wanted = [{**e, "time": pd.Timestamp(e["time"]).tz_convert("UTC")} for e in want["events"]]
    assert [{k: g[k] for k in w} for g, w in zip(got, wanted, strict=True)] == wanted
    assert str(result.events["time"].dtype) == ev.TIME_DTYPE
    assert len(result.warnings) == len(want.get("warnings", []))
    for fragment, warning in zip(want.get("warnings", []), result.warnings, strict=True):
        assert fragment in warning
    if "milestones" in want:
        assert build_timeline([result]).milestones.to_json() == want["milestones"]


@pytest.mark.parametrize("path", FIXTURES, ids=_id)
def test_other_new_formats_refuse_it(path: Path) -> None:
    for name in FORMATS:
        if name != path.parent.name:
            with pytest.raises(PostmortemError) as info:
                import_source(load(path), format=name)
            assert path.name in str(info.value), name


def test_new_formats_refuse_the_older_vendor_fixtures() -> None:
    older = [p for p in DATA.glob("*/*.json") if p.parent.name not in FORMATS and p.parent.name != "errors"]
    older = [p for p in older if not p.name.endswith(".expected.json")]
    assert len(older) >= 15
    for path in older:
        for name in FORMATS:
            with pytest.raises(PostmortemError):
                import_source(load(path), format=name)


def test_incident_io_incident_and_updates_agree_on_the_milestones() -> None:
    results = [import_source(load(DATA / "incident_io" / name)) for name in ("incident.json", "updates.json")]
    milestones = build_timeline(results).milestones.to_json()
    assert milestones == {
        "started": "2025-04-02T10:04:00Z",
        "detected": "2025-04-02T10:21:37.604221Z",
        "acknowledged": "2025-04-02T10:24:10Z",
        "identified": None,
        "mitigated": "2025-04-02T11:02:30Z",
        "resolved": "2025-04-02T11:40:05.912000Z",
    }


def _alert(fingerprint: str, instance: str, start: str, end: str = "0001-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "fingerprint": fingerprint,
        "labels": {"alertname": "HighErrorRate", "instance": instance, "severity": "critical"},
        "annotations": {"summary": "5xx above 5%"},
        "startsAt": start,
        "endsAt": end,
        "status": "resolved" if not end.startswith("0001") else "firing",
    }


def test_alertmanager_dedup_needs_fingerprint_labels_and_start() -> None:
    """Two hosts under one fingerprint, and one host firing twice, are three alerts; a repeat is one."""
    payloads = [
        {"version": "4", "status": "firing", "alerts": [_alert("a1", "web-1", "2025-01-01T10:00:00Z")]},
        {"version": "4", "status": "firing", "alerts": [_alert("a1", "web-2", "2025-01-01T10:01:00Z")]},
        {"version": "4", "status": "firing", "alerts": [_alert("a1", "web-1", "2025-01-01T10:00:00Z")]},
        {
            "version": "4",
            "status": "resolved",
            "alerts": [_alert("a1", "web-2", "2025-01-01T10:01:00Z", "2025-01-01T10:20:00Z")],
        },
        {"version": "4", "status": "firing", "alerts": [_alert("a1", "web-1", "2025-01-01T11:00:00Z")]},
    ]
    events = import_source(Source("webhooks.json", json.dumps(payloads).encode())).events
    rows = list(zip(events["time"].astype(str), events["kind"], events["actor"], strict=True))
    assert rows == [
        ("2025-01-01 10:00:00+00:00", ev.ALERT, "web-1"),
        ("2025-01-01 10:01:00+00:00", ev.ALERT, "web-2"),
        ("2025-01-01 10:20:00+00:00", ev.RESOLVED, "web-2"),
        ("2025-01-01 11:00:00+00:00", ev.ALERT, "web-1"),
    ]


def test_datadog_v2_warns_on_each_kind_of_next_page() -> None:
    path = DATA / "datadog_v2" / "events_v2.json"
    by_link = import_source(load(path))
    assert by_link.warnings[0].startswith("the export is one page of several (links.next: https://")
    assert by_link.warnings[0].endswith("); events on other pages are missing")

    def cursor_only(doc: dict[str, Any]) -> None:
        doc.pop("links")
        doc["meta"]["page"]["after"] = "c2Vjb25k"

    assert import_source(edited(path, cursor_only)).warnings == [
        "the export is one page of several (meta.page.after: c2Vjb25k); events on other pages are missing"
    ]

    def last_page(doc: dict[str, Any]) -> None:
        doc.pop("links")
        doc.pop("meta")

    assert import_source(edited(path, last_page)).warnings == []


def test_opsgenie_warns_when_paging_next_exists() -> None:
    def paged(doc: dict[str, Any]) -> None:
        doc["paging"]["next"] = "https://api.opsgenie.com/v2/alerts?limit=20&offset=20"

    result = import_source(edited(DATA / "opsgenie" / "alerts_list.json", paged))
    assert result.warnings == [
        "the export is one page of several (paging.next: https://api.opsgenie.com/v2/alerts?limit=20"
        "&offset=20); alerts on other pages are missing"
    ]
    assert import_source(load(DATA / "opsgenie" / "alerts_list.json")).warnings == []


def test_opsgenie_acknowledged_false_is_not_acknowledged() -> None:
    def unacknowledge(doc: dict[str, Any]) -> None:
        doc["data"][0]["acknowledged"] = False

    result = import_source(edited(DATA / "opsgenie" / "alerts_list.json", unacknowledge))
    first = result.events[result.events["line"] == 1]
    assert list(first["kind"]) == [ev.PAGE, ev.RESOLVED]
    assert result.warnings == [
        "alert(s) with 'acknowledged: false' and a report.ackTime were not counted as acknowledged "
        "(records 1); set the acknowledged milestone by hand if they were"
    ]
    milestones = build_timeline([result]).milestones
    assert str(milestones.acknowledged) == "2025-01-22 16:35:10+00:00"  # the other alert's acknowledgement


def test_opsgenie_missing_acknowledged_flag_keeps_the_report() -> None:
    def drop_flag(doc: dict[str, Any]) -> None:
        del doc["data"][0]["acknowledged"]

    events = import_source(edited(DATA / "opsgenie" / "alerts_list.json", drop_flag)).events
    assert list(events.loc[events["line"] == 1, "kind"]) == [ev.PAGE, ev.ACKNOWLEDGED, ev.RESOLVED]


def test_pagerduty_incident_refuses_log_entries_and_names_the_format_to_use() -> None:
    with pytest.raises(PostmortemError) as info:
        import_source(
            load(DATA / "pagerduty" / "incident_with_log_entries.json"), format="pagerduty_incident"
        )
    assert "PagerDuty log entries (use --format pagerduty)" in str(info.value)


def test_jira_search_page_warns_when_more_issues_exist() -> None:
    issue = json.loads((DATA / "jira" / "issue_changelog.json").read_text(encoding="utf-8"))
    page = {"startAt": 0, "maxResults": 1, "total": 14, "issues": [issue]}
    result = import_source(Source("search.json", json.dumps(page).encode()))
    assert result.format == "jira"
    assert (
        result.warnings[0]
        == "the export says more issues follow (total 14, 1 held); later issues are missing"
    )


def test_teams_html_is_read_as_text_only() -> None:
    hostile = (
        '<p onclick="x()">Deploy <b>done</b>&nbsp;&amp; <at id="0">Ana</at></p>'
        "<script>fetch('//evil')</script><style>p{}</style><img src=x onerror=alert(1)>"
        "<iframe src=javascript:alert(1)></iframe>&lt;script&gt;"
    )
    assert html_text(hostile) == "Deploy done & Ana <script>"
    assert html_text("<div>unclosed <script>never shown") == "unclosed"


def _leaves(doc: Any, leaf: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _leaves(v, leaf) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_leaves(v, leaf) for v in doc]
    return leaf


@pytest.mark.parametrize("path", [p for p in FIXTURES if p.suffix == ".json"], ids=_id)
@pytest.mark.parametrize("leaf", [None, [], {}, True, 10**30, -1.5e308, "", "not a time", [[{"a": 1}]]])
def test_wrong_typed_values_give_a_clear_error_or_a_result(path: Path, leaf: Any) -> None:
    """A changed vendor API (every value of another type) never gives a traceback."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    source = Source(path.name, json.dumps(_leaves(doc, leaf)).encode())
    try:
        result = import_source(source, format=path.parent.name)
    except PostmortemError as error:
        assert path.name in str(error)
    else:
        assert list(result.events.columns) == list(ev.COLUMNS)


def test_people_in_the_new_sources_are_known_to_the_privacy_rules() -> None:
    """Responders named by chat and incident tools must never reach a customer draft unnoticed."""
    inputs = [DATA / "teams" / "channel_messages.json", DATA / "jira" / "issue_changelog.json"]
    timeline = build_timeline([import_source(load(p)) for p in inputs])
    assert set(people_names(timeline=timeline)) == {
        "Marek Zielinski",
        "Sofia Lindqvist",
        "Hana Sato",
        "Kwame Asante",
    }


def _kinds_and_times(source: Source) -> list[tuple[str, str]]:
    events = import_source(source).events
    return [(str(k), t.isoformat()) for k, t in zip(events["kind"], events["time"], strict=True)]


def test_pagerduty_acknowledged_incident_without_acknowledgements_uses_its_status_change() -> None:
    def no_acks(doc: dict[str, Any]) -> None:
        doc["incident"]["acknowledgements"] = []

    source = edited(DATA / "pagerduty_incident" / "incident_acknowledged.json", no_acks)
    assert _kinds_and_times(source) == [
        (ev.PAGE, "2025-02-11T09:41:07+00:00"),
        (ev.ACKNOWLEDGED, "2025-02-11T09:52:30+00:00"),
    ]


def test_rootly_created_at_stands_in_for_a_missing_detected_at() -> None:
    def undetected(doc: dict[str, Any]) -> None:
        doc["data"]["attributes"]["detected_at"] = None

    kinds = dict(_kinds_and_times(edited(DATA / "rootly" / "incident.json", undetected)))
    assert kinds[ev.DETECTED] == "2025-03-18T06:12:40.118000+00:00"


def test_jira_resolutiondate_is_the_resolution_without_a_resolved_transition() -> None:
    def no_history(doc: dict[str, Any]) -> None:
        doc["changelog"] = {"startAt": 0, "maxResults": 0, "total": 0, "histories": []}

    assert _kinds_and_times(edited(DATA / "jira" / "issue_changelog.json", no_history)) == [
        (ev.DETECTED, "2025-06-19T01:47:03.118000+00:00"),
        (ev.RESOLVED, "2025-06-19T03:05:51.377000+00:00"),
    ]


def test_teams_deleted_message_is_noise() -> None:
    def delete_first(doc: dict[str, Any]) -> None:
        doc["value"][0]["deletedDateTime"] = "2025-08-12T13:00:00Z"

    events = import_source(edited(DATA / "teams" / "channel_messages.json", delete_first)).events
    assert list(events.loc[events["line"] == 1, "kind"]) == [ev.NOISE]


def test_pagerduty_fields_of_any_json_type_read_as_one_line_each() -> None:
    """Runs of any whitespace (a no-break space, a line separator) are one space; numbers, booleans and
    objects read as Python shows them; a missing or null field is empty."""
    entries = [
        {
            "type": "annotate_log_entry",
            "created_at": f"2024-05-12T14:0{number}:00Z",
            "summary": summary,
            "agent": agent,
            "channel": {"type": "note", "summary": note},
        }
        for number, (summary, agent, note) in enumerate(
            [
                ("  Rolled\u00a0back\u2028checkout-api\t\t v2.3 ", {"summary": 42}, "Error rate\n\nfalling"),
                ("Rolled back checkout-api v2.3", {"summary": True}, {"text": "see  runbook"}),
                ("Rolled back checkout-api v2.3", {"summary": 1.5}, None),
                (7, None, ["a", "b"]),
            ]
        )
    ]
    result = import_source(Source("log_entries.json", json.dumps(entries).encode()))
    assert list(result.events["message"]) == [
        "Rolled back checkout-api v2.3: Error rate falling",
        "Rolled back checkout-api v2.3: {'text': 'see runbook'}",
        "Rolled back checkout-api v2.3",
        "7: ['a', 'b']",
    ]
    assert list(result.events["actor"]) == ["42", "True", "1.5", ""]
