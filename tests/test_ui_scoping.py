"""The workspace offers the incident of an export that holds several, and a window: the session keeps both
in the incident file; the Import step shows them as a dropdown and a text box."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_widgets.app.session import Session
from postmortem_widgets.errors import InputError
from postmortem_widgets.incident.record import load_incident
from tests.support import paths
from tests.support.ui import EmptyIncident, OpenWorkspace, upload

DATA = paths.DATA / "scoping"
STATUS = (DATA / "statuspage_incidents.json").read_bytes()
NEWEST = 'kq2w4e6r8t0y "Tile server errors" (2019-03-04 08:05 UTC)'


@pytest.fixture
def incident(empty_incident: EmptyIncident) -> Path:
    return empty_incident(timezone="UTC", incident_date="2018-06-20")


def _times(session: Session) -> list[str]:
    return [t.strftime("%Y-%m-%d %H:%M") for t in session.timeline.events["time"]]


def test_session_lists_the_incidents_and_keeps_the_choice(incident: Path) -> None:
    session = Session.open(incident)
    status = session.add_upload("incidents.json", STATUS)
    assert status.incident == "kq2w4e6r8t0y"
    assert status.incidents == [
        (NEWEST, "kq2w4e6r8t0y"),
        ('zx9c7v5b3n1m "Delayed route updates" (2018-06-20 12:00 UTC)', "zx9c7v5b3n1m"),
        ('p0o9i8u7y6t5 "Search outage" (2017-11-02 07:30 UTC)', "p0o9i8u7y6t5"),
    ]
    assert _times(session) == ["2019-03-04 08:05", "2019-03-04 09:40", "2019-03-04 10:20"]

    status = session.set_incident("uploads/incidents.json", "p0o9i8u7y6t5")
    assert (status.incident, status.events) == ("p0o9i8u7y6t5", 3)
    assert _times(session) == ["2017-11-02 07:30", "2017-11-02 07:50", "2017-11-02 08:15"]
    assert load_incident(incident).incidents == {"uploads/incidents.json": "p0o9i8u7y6t5"}
    assert Session.open(incident).statuses[0].incident == "p0o9i8u7y6t5"  # read again as chosen


def test_an_incident_the_export_does_not_hold_changes_nothing(incident: Path) -> None:
    session = Session.open(incident)
    session.add_upload("incidents.json", STATUS)
    with pytest.raises(InputError, match="no incident nope among the 3 incidents of this file"):
        session.set_incident("uploads/incidents.json", "nope")
    assert load_incident(incident).incidents == {}
    assert _times(session)[0] == "2019-03-04 08:05"


def test_session_window_keeps_the_events_inside_and_is_saved(incident: Path) -> None:
    session = Session.open(incident)
    session.add_upload("incidents.json", STATUS)
    session.set_window("11:00..14:00")  # on the incident date, 2018-06-20, UTC
    assert _times(session) == ["2018-06-20 12:00", "2018-06-20 13:10"]
    assert load_incident(incident).window == "11:00..14:00"
    with pytest.raises(InputError) as caught:
        session.set_window("soon")
    assert caught.value.message == "window 'soon': expected START..END"
    assert load_incident(incident).window == "11:00..14:00"
    session.set_window("")
    assert len(session.timeline.events) == 3 and load_incident(incident).window == ""


def test_import_step_offers_the_incidents_in_a_dropdown(
    incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(incident)
    step = ws.step("Import")
    upload(step.upload, ("incidents.json", STATUS))
    row = step.files.children[0]
    picker = row.children[2]
    assert picker.description == "incident"
    assert picker.value == "kq2w4e6r8t0y"
    assert picker.options[0][0] == NEWEST

    picker.value = "zx9c7v5b3n1m"
    assert ws.status.level == "ok", ws.status.text
    assert ws.status.text == "uploads/incidents.json: using incident zx9c7v5b3n1m now: 3 events."
    assert step.files.children[0].children[2].value == "zx9c7v5b3n1m"
    assert load_incident(incident).incidents == {"uploads/incidents.json": "zx9c7v5b3n1m"}


def test_import_step_window_box(incident: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(incident)
    step = ws.step("Import")
    upload(step.upload, ("incidents.json", STATUS))
    step.window.value = "2019-03-04T09:00Z..2019-03-04T11:00Z"
    assert ws.status.level == "ok", ws.status.text
    assert ws.status.text == "Window set to 2019-03-04T09:00Z..2019-03-04T11:00Z; 2 events."
    assert load_incident(incident).window == "2019-03-04T09:00Z..2019-03-04T11:00Z"

    step.window.value = "14:00"
    assert ws.status.level == "error"
    assert "window '14:00': expected START..END" in ws.status.text
    assert step.window.value == "2019-03-04T09:00Z..2019-03-04T11:00Z"  # the box shows what is kept


def test_one_incident_export_has_no_incident_dropdown(incident: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(incident)
    step = ws.step("Import")
    upload(step.upload, ("notes.txt", b"2018-06-20 12:00 Deploy\n2018-06-20 12:30 Resolved\n"))
    assert [c.description for c in step.files.children[0].children[1:]] == ["role", "Remove"]
