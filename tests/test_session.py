"""The workspace's logic without widgets: typed milestone times, upload names, the debounced autosave."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from postmortem_widgets.app.session import Session, safe_name
from postmortem_widgets.errors import InputError, MilestoneError
from postmortem_widgets.incident.record import load_incident
from postmortem_widgets.incident.timeline import readable_date
from postmortem_widgets.timeline.milestones import milestone_time
from postmortem_widgets.ui.debouncer import Debouncer
from tests.support.ui import ANCHOR_TIMELINE, EmptyIncident

DAY = date(2024, 4, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:42am", "2024-04-15 13:42:00+00:00"),
        ("9:42 AM", "2024-04-15 13:42:00+00:00"),
        ("12:05am", "2024-04-15 04:05:00+00:00"),
        ("12:05pm", "2024-04-15 16:05:00+00:00"),
        ("21:07", "2024-04-16 01:07:00+00:00"),
        ("9pm", "2024-04-16 01:00:00+00:00"),
        ("2024-04-16 08:00", "2024-04-16 12:00:00+00:00"),
        ("2024-04-15T13:42:00Z", "2024-04-15 13:42:00+00:00"),
    ],
)
def test_typed_milestone_times(text: str, expected: str) -> None:
    assert str(milestone_time("detected", text, tz="America/New_York", day=DAY)) == expected


@pytest.mark.parametrize(
    ("text", "day", "message"),
    [
        ("13:00pm", DAY, "'13:00pm' is not a clock time"),
        ("24:00", DAY, "'24:00' is not a clock time"),
        ("soon", DAY, "cannot read 'soon' as a time for detected"),
        ("9:42am", None, "'9:42am' has no date and the timeline has none yet"),
    ],
)
def test_bad_typed_times(text: str, day: date | None, message: str) -> None:
    with pytest.raises(MilestoneError) as info:
        milestone_time("detected", text, tz="America/New_York", day=day)
    assert info.value.message == message


def test_safe_upload_names() -> None:
    assert safe_name("C:\\Users\\ana\\pagerduty export.json") == "pagerduty export.json"
    assert safe_name("../../.env") == "env"
    assert safe_name("") == "upload"


def test_readable_date() -> None:
    assert readable_date("April 15, 2024") == "April 15, 2024"
    assert readable_date("next tuesday") is None
    assert readable_date("") is None


def test_debouncer_calls_once_after_the_last_poke() -> None:
    calls: list[int] = []
    done = threading.Event()
    debounce = Debouncer(lambda: (calls.append(1), done.set()), 0.15)
    for _ in range(5):
        debounce.poke()
    assert debounce.pending and calls == []
    assert done.wait(2)
    assert calls == [1] and not debounce.pending
    debounce.flush()
    assert calls == [1]


def test_flush_runs_a_pending_save_now() -> None:
    calls: list[int] = []
    debounce = Debouncer(lambda: calls.append(1), 60)
    debounce.poke()
    debounce.flush()
    assert calls == [1]


def test_upload_then_reopen_restores_inputs_and_timeline(empty_incident: EmptyIncident) -> None:
    path = empty_incident(timezone="America/New_York", incident_date="2024-04-15")
    session = Session.open(path)
    status = session.add_upload("timeline.txt", ANCHOR_TIMELINE)
    assert (status.name, status.format, status.events) == ("uploads/timeline.txt", "text", 6)
    reopened = Session.open(path)
    assert [s.name for s in reopened.statuses] == ["uploads/timeline.txt"]
    assert str(reopened.timeline.milestones.detected) == "2024-04-15 13:42:00+00:00"


def test_milestones_are_saved_as_utc_and_cleared(anchor_copy: Path) -> None:
    session = Session.open(anchor_copy)
    session.set_milestone("detected", "9:30am")
    session.set_detected_by("monitoring")
    assert load_incident(session.path).milestones == {
        "detected": "2024-04-15T13:30:00Z",
        "detected_by": "monitoring",
    }
    assert session.timeline.milestones.detected_by == "monitoring"
    session.set_milestone("detected", None)
    session.set_detected_by(None)
    assert load_incident(session.path).milestones == {}
    with pytest.raises(MilestoneError, match="unknown milestone 'finished'"):
        session.set_milestone("finished", "10:00am")


def test_field_edits_that_change_the_timeline(anchor_copy: Path) -> None:
    session = Session.open(anchor_copy)
    assert session.set_field("root_cause", "a cache bug") is False
    assert session.set_field("response_timeline", "9:00am: Impact began\n9:30am: Resolved") is True
    assert str(session.timeline.metrics.duration) == "0:30:00"
    with pytest.raises(InputError, match="unknown field 'severity'"):
        session.set_field("severity", "high")


def test_a_new_incident_must_be_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"an incident file ends in \.yaml"):
        Session.open(tmp_path / "incident.txt")
