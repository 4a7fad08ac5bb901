"""Several incidents in one export, inputs that do not belong together, and the window that keeps one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import IncidentError, InputError
from postmortem_widgets.incident.record import dump_incident, parse_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.merge import load_timeline
from postmortem_widgets.timeline.scoping import parse_window
from tests.support import paths

DATA = paths.DATA / "scoping"
STATUS = str(DATA / "statuspage_incidents.json")
PAGERDUTY = str(DATA / "pagerduty_log_entries_mixed.json")
OPSGENIE = str(DATA / "opsgenie_alerts_days.json")
NOTES = str(DATA / "notes_2014.txt")


def _times(timeline: object) -> list[str]:
    events = timeline.events  # type: ignore[attr-defined]
    return [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in events["time"]]


def test_statuspage_list_keeps_the_most_recent_and_lists_the_others() -> None:
    timeline = load_timeline([STATUS])
    assert _times(timeline) == ["2019-03-04T08:05:12Z", "2019-03-04T09:40:00Z", "2019-03-04T10:20:00Z"]
    assert timeline.events["message"].iloc[0] == "Status page investigating: Some map tiles fail to load."
    assert timeline.warnings == [
        f'{STATUS}: holds 3 incidents; using kq2w4e6r8t0y "Tile server errors" (2019-03-04 08:05 UTC) '
        "(the most recent; pass --incident ID for another); the others: "
        'zx9c7v5b3n1m "Delayed route updates" (2018-06-20 12:00 UTC); '
        'p0o9i8u7y6t5 "Search outage" (2017-11-02 07:30 UTC)'
    ]
    assert timeline.milestones.resolved == pd.Timestamp("2019-03-04T10:20:00Z")


def test_statuspage_incident_picked_by_id() -> None:
    timeline = load_timeline([STATUS], incident=["p0o9i8u7y6t5"])
    assert _times(timeline) == ["2017-11-02T07:30:00Z", "2017-11-02T07:50:00Z", "2017-11-02T08:15:00Z"]
    assert list(timeline.events["kind"]) == ["update", "identified", "resolved"]
    assert "(--incident p0o9i8u7y6t5)" in timeline.warnings[0]
    assert timeline.imports[0].incident is not None
    assert timeline.imports[0].incident.title == "Search outage"


def test_pagerduty_log_entries_split_by_incident() -> None:
    latest = load_timeline([PAGERDUTY])
    assert _times(latest) == ["2024-06-02T07:02:45Z", "2024-06-02T08:31:00Z"]
    assert 'using Q3MIN02 "[#5002] api latency above 2s" (2024-06-02 07:02 UTC)' in latest.warnings[0]
    assert 'the others: Q3MIN01 "[#5001] disk full on web-3" (2024-06-01 08:14 UTC)' in latest.warnings[0]
    first = load_timeline([PAGERDUTY], incident=["q3min01"])
    assert _times(first) == ["2024-06-01T08:14:00Z", "2024-06-01T08:17:31Z", "2024-06-01T08:40:12Z"]
    assert first.metrics.time_to_acknowledge == pd.Timedelta(minutes=3, seconds=31)


def test_opsgenie_alerts_grouped_by_time() -> None:
    latest = load_timeline([OPSGENIE])
    assert _times(latest) == ["2024-05-14T14:00:00Z", "2024-05-14T14:02:00Z", "2024-05-14T14:45:00Z"]
    assert (
        'the others: 3107 "checkout-api 5xx rate above 5% (+1 alert)" (2024-05-12 14:00 UTC)'
        in (latest.warnings[0])
    )
    # Any alert of a group picks the group: 3108 belongs to the incident that 3107 opened.
    older = load_timeline([OPSGENIE], incident=["3108"])
    assert len(older.events) == 5
    assert _times(older)[0] == "2024-05-12T14:00:00Z" and _times(older)[-1] == "2024-05-12T15:00:00Z"
    assert "(--incident 3108)" in older.warnings[0]


def test_unknown_incident_id_names_the_ids_there_are() -> None:
    with pytest.raises(InputError) as caught:
        load_timeline([STATUS], incident=["nope"])
    assert caught.value.message == "no incident nope among the 3 incidents of this file"
    assert caught.value.file == STATUS
    assert caught.value.hint is not None
    assert "its incidents: kq2w4e6r8t0y, zx9c7v5b3n1m, p0o9i8u7y6t5" in caught.value.hint


def test_inputs_years_apart_are_warned_about() -> None:
    timeline = load_timeline([NOTES, PAGERDUTY], tz="UTC", incident=["Q3MIN01"])
    assert timeline.warnings[-1] == (
        f"{NOTES} (up to 2014-03-02 10:05 UTC) and {PAGERDUTY} (from 2024-06-01 08:14 UTC) lie 10.3 years "
        "apart: they may not be the same incident; pass --window START..END to keep one incident's events"
    )


def test_window_keeps_only_the_events_inside() -> None:
    window = "2024-06-01T08:00Z..2024-06-01T09:00Z"
    timeline = load_timeline([NOTES, PAGERDUTY], tz="UTC", incident=["Q3MIN01"], window=window)
    assert _times(timeline) == ["2024-06-01T08:14:00Z", "2024-06-01T08:17:31Z", "2024-06-01T08:40:12Z"]
    assert f"{NOTES}: --window {window}: kept 0 of 3 event(s), 3 outside" in timeline.warnings
    assert not any("apart" in w for w in timeline.warnings)


def test_window_before_scoping_picks_the_incident_inside_it() -> None:
    timeline = load_timeline([OPSGENIE], window="2024-05-12T13:00Z..2024-05-12T18:00Z")
    assert len(timeline.events) == 5
    assert timeline.warnings == [
        f"{OPSGENIE}: --window 2024-05-12T13:00Z..2024-05-12T18:00Z: kept 5 of 8 event(s), 3 outside"
    ]


def test_window_of_clock_times_on_the_incident_date() -> None:
    window = parse_window("23:30..00:30", date="2024-05-12", tz="Europe/Berlin")
    assert (str(window.start), str(window.end)) == ("2024-05-12 21:30:00+00:00", "2024-05-12 22:30:00+00:00")
    window = parse_window("2024-05-12 14:00..2024-05-12T16:30+02:00", tz="UTC")
    assert (str(window.start), str(window.end)) == ("2024-05-12 14:00:00+00:00", "2024-05-12 14:30:00+00:00")


def test_window_end_before_start() -> None:
    with pytest.raises(InputError, match="the end is not after the start"):
        parse_window("2024-05-12T15:00Z..2024-05-12T14:00Z")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("14:00", "--window '14:00': expected START..END"),
        ("14:00..", "--window '14:00..': expected START..END"),
        ("soon..later", "--window soon..later: cannot read 'soon' as a time"),
        ("2024-05-12..2024-05-13", "--window 2024-05-12..2024-05-13: '2024-05-12' has no time of day"),
        ("14:00..16:00", "--window 14:00..16:00: '14:00' is a clock time and there is no incident date"),
    ],
)
def test_bad_window_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_window(text)
    assert caught.value.message == message


# -- the command line ---------------------------------------------------------------------------------------


def test_cli_incident_and_json_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", STATUS, "--incident", "zx9c7v5b3n1m", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["milestones"]["resolved"] == "2018-06-20T13:10:00Z"
    assert data["event_count"] == 3
    assert data["warnings"][0].startswith(
        f'{STATUS}: holds 3 incidents; using zx9c7v5b3n1m "Delayed route updates" (2018-06-20 12:00 UTC) '
        "(--incident zx9c7v5b3n1m); the others: "
    )
    assert data["inputs"][0]["incident"] == {
        "id": "zx9c7v5b3n1m",
        "title": "Delayed route updates",
        "start": "2018-06-20T12:00:00Z",
    }
    listed = [i["id"] for i in data["inputs"][0]["incidents"]]
    assert listed == ["kq2w4e6r8t0y", "zx9c7v5b3n1m", "p0o9i8u7y6t5"]


def test_cli_most_recent_without_incident(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", PAGERDUTY, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["inputs"][0]["incident"]["id"] == "Q3MIN02"
    assert "(the most recent; pass --incident ID for another)" in data["warnings"][0]


def test_cli_window_with_clock_times(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["timeline", NOTES, PAGERDUTY, "--tz", "UTC", "--date", "2024-06-01", "--incident", "Q3MIN01"]
    assert main([*args, "--window", "08:00..09:00", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["event_count"] == 3
    assert data["milestones"]["resolved"] == "2024-06-01T08:40:12Z"
    assert f"{NOTES}: --window 08:00..09:00: kept 0 of 3 event(s), 3 outside" in data["warnings"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["duration_seconds"] > 300_000_000
    assert any("lie 10.3 years apart" in w for w in data["warnings"])


def test_cli_bad_window_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", PAGERDUTY, "--window", "09:00"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--window '09:00': expected START..END" in err and "START..END as ISO times" in err


def test_cli_unknown_incident(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", PAGERDUTY, "--incident", "Q9"]) == 2
    err = capsys.readouterr().err
    assert "no incident Q9 among the 2 incidents of this file" in err and "Q3MIN02, Q3MIN01" in err


# -- the incident file --------------------------------------------------------------------------------


def _incident(tmp_path: Path, extra: str) -> Path:
    for name in ("statuspage_incidents.json", "pagerduty_log_entries_mixed.json"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    path = tmp_path / "incident.yaml"
    path.write_text(
        "product_name: Fjordline Maps\nincident_date: 2018-06-20\ntimezone: Europe/Oslo\n"
        "timeline:\n  - statuspage_incidents.json\n  - pagerduty_log_entries_mixed.json\n" + extra,
        encoding="utf-8",
    )
    return path


def test_incident_file_keeps_the_choice(tmp_path: Path) -> None:
    path = _incident(
        tmp_path,
        "incidents:\n  statuspage_incidents.json: zx9c7v5b3n1m\n  pagerduty_log_entries_mixed.json: Q3MIN01\n"
        "window: 13:30..16:00\n",
    )
    incident = parse_incident(path.read_bytes(), name=str(path))
    assert incident.incidents == {
        "statuspage_incidents.json": "zx9c7v5b3n1m",
        "pagerduty_log_entries_mixed.json": "Q3MIN01",
    }
    assert incident.window == "13:30..16:00"
    incident.base_dir = tmp_path
    timeline = incident_timeline(incident)
    # 13:30-16:00 Oslo (UTC+2) on 2018-06-20: the route-update incident, not PagerDuty's 2024 one.
    assert _times(timeline) == ["2018-06-20T12:00:00Z", "2018-06-20T13:10:00Z"]
    assert "incidents:\n  statuspage_incidents.json: zx9c7v5b3n1m\n" in dump_incident(incident)


def test_incident_file_names_a_bad_window(tmp_path: Path) -> None:
    path = _incident(tmp_path, "window: later..sooner\n")
    incident = parse_incident(path.read_bytes(), name=str(path))
    incident.base_dir = tmp_path
    with pytest.raises(IncidentError) as caught:
        incident_timeline(incident)
    assert caught.value.line == 7
    assert caught.value.message == "window later..sooner: cannot read 'later' as a time"


def test_incident_file_incidents_must_name_a_listed_input(tmp_path: Path) -> None:
    path = _incident(tmp_path, "incidents:\n  other.json: abc\n")
    with pytest.raises(IncidentError) as caught:
        parse_incident(path.read_bytes(), name=str(path))
    assert caught.value.message == "incidents names 'other.json', which is not listed under timeline"


def test_cli_window_wins_over_the_incident_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _incident(
        tmp_path, "incidents:\n  statuspage_incidents.json: zx9c7v5b3n1m\nwindow: 13:30..16:00\n"
    )
    assert main(["prompt", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Route updates are arriving late" in out and "api latency above 2s" not in out
    # --window replaces the file's: PagerDuty's newest incident is kept, Statuspage's choice has no event.
    assert main(["prompt", str(path), "--window", "2024-06-02T07:00Z..2024-06-02T09:00Z"]) == 0
    out = capsys.readouterr().out
    assert "api latency above 2s" in out and "Route updates are arriving late" not in out


def test_incident_outside_the_window_is_an_error_saying_so() -> None:
    with pytest.raises(InputError) as caught:
        load_timeline([STATUS], incident=["p0o9i8u7y6t5"], window="2018-06-01T00:00Z..2019-12-31T00:00Z")
    assert (
        caught.value.message
        == "no incident p0o9i8u7y6t5 among the 2 incidents of this file inside the window"
    )


def test_cli_table_says_which_incident(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", OPSGENIE]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{OPSGENIE}: opsgenie, incident, 3 event(s), incident 3120 of 2"


def test_records_that_are_incidents_are_split_by_id() -> None:
    """A format whose records are incidents themselves (a PagerDuty incidents list) is split by ``id`` and
    picked by ``incident_number`` too."""
    from postmortem_widgets.timeline import events as ev
    from postmortem_widgets.timeline.scoping import scope_result
    from postmortem_widgets.timeline.sources import Source

    first = {"id": "Q1CHK7X", "type": "incident", "incident_number": 4821, "title": "checkout 5xx"}
    second = {"id": "Q2ORD9Y", "type": "incident", "incident_number": 4822, "title": "orders-db lag"}
    times = pd.DatetimeIndex(["2024-05-12T14:02:11Z", "2024-05-12T15:10:40Z", "2024-05-13T09:00:00Z"])
    events = ev.make_events(
        times,
        source="pagerduty_incidents",
        kind=["page", "resolved", "page"],
        message=["a", "b", "c"],
        file="incidents.json",
        raw=[first, first, second],
    )
    result = ev.ImportResult(file="incidents.json", format="pagerduty_incidents", events=events)
    latest = scope_result(Source("incidents.json", b"{}"), result)
    assert list(latest.events["message"]) == ["c"]
    assert latest.warnings == [
        'holds 2 incidents; using Q2ORD9Y "orders-db lag" (2024-05-13 09:00 UTC) (the most recent; pass '
        '--incident ID for another); the others: Q1CHK7X "checkout 5xx" (2024-05-12 14:02 UTC)'
    ]
    older = scope_result(Source("incidents.json", b"{}"), result, ["#4821"])
    assert list(older.events["message"]) == ["a", "b"]
    assert older.incident is not None and older.incident.id == "Q1CHK7X"
