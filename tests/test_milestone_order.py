"""Milestone edits are checked against the incident: an impossible order is refused, a clock time is put
on the day that fits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.app.session import Session
from postmortem_widgets.errors import MilestoneError
from postmortem_widgets.incident.record import Incident, save_incident
from postmortem_widgets.timeline.milestones import order_problems, place_milestone

TZ = "America/New_York"
#: 10:11pm to 12:05am New York time, across midnight.
NIGHT = {
    "started": pd.Timestamp("2024-04-16T02:11Z"),
    "detected": pd.Timestamp("2024-04-16T02:20Z"),
    "acknowledged": None,
    "identified": None,
    "mitigated": None,
    "resolved": pd.Timestamp("2024-04-16T04:05Z"),
}


def test_a_morning_clock_time_for_a_night_incident_is_refused_with_the_reason() -> None:
    with pytest.raises(MilestoneError) as caught:
        place_milestone("mitigated", "10:15am", NIGHT, tz=TZ)
    assert "does not fit this incident on any day" in str(caught.value)
    assert "mitigated" in str(caught.value) and "would be" in str(caught.value)


def test_a_clock_time_goes_on_the_day_that_fits_the_window() -> None:
    before_midnight = place_milestone("mitigated", "11:58pm", NIGHT, tz=TZ)
    assert before_midnight.day == date(2024, 4, 15)
    after_midnight = place_milestone("mitigated", "12:01am", NIGHT, tz=TZ)
    assert after_midnight.day == date(2024, 4, 16)
    assert after_midnight.time == pd.Timestamp("2024-04-16T04:01Z")


def test_resolved_before_detected_and_mitigated_before_started_are_refused() -> None:
    with pytest.raises(MilestoneError, match=r"resolved .* would be before detected"):
        place_milestone("resolved", "2024-04-16T02:15Z", NIGHT, tz=TZ)
    with pytest.raises(MilestoneError, match="would be before started"):
        place_milestone("mitigated", "2024-04-15 21:00", NIGHT, tz=TZ)
    assert order_problems(NIGHT) == []


def test_the_session_refuses_and_keeps_the_incident_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    save_incident(
        Incident(
            timezone=TZ,
            incident_date="2024-04-15",
            response_timeline="10:11pm: Error rate alert fired\n10:20pm: Customer ticket received\n"
            "11:50pm: Cache rebuilt, errors stopping\n12:05am: Resolved",
        ),
        path,
    )
    session = Session.open(path)
    with pytest.raises(MilestoneError):
        session.set_milestone("mitigated", "10:15am")
    assert "mitigated" not in session.incident.milestones
    placed = session.set_milestone("mitigated", "11:58pm")
    assert placed is not None and placed.day == date(2024, 4, 15)
    assert session.incident.milestones["mitigated"] == "2024-04-16T03:58:00Z"
