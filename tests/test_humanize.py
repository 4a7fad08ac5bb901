from datetime import timedelta

import pandas as pd
import pytest

from postmortem_widgets.timeline.humanize import (
    human_date,
    human_duration,
    human_duration_adjective,
    human_time,
    human_window,
)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(hours=2, minutes=33), "2 hours 33 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(days=1, hours=3), "1 day 3 hours"),
        (timedelta(seconds=29), "less than a minute"),
        (timedelta(minutes=27, seconds=31), "28 minutes"),
        (None, "unknown"),
    ],
)
def test_durations_in_words(delta: timedelta | None, text: str) -> None:
    assert human_duration(delta) == text


def test_adjective_form_matches_the_seed() -> None:
    assert human_duration_adjective(timedelta(hours=2, minutes=33)) == "2-hour 33-minute"
    assert human_duration_adjective(timedelta(minutes=45)) == "45-minute"


def test_window_in_the_incidents_zone() -> None:
    start, end = pd.Timestamp("2024-04-15T13:14:00Z"), pd.Timestamp("2024-04-15T15:47:00Z")
    assert human_window(start, end, "America/New_York") == "9:14am - 11:47am ET"
    assert human_time(pd.Timestamp("2024-04-15T16:05:00Z"), "America/New_York") == "12:05pm"
    assert human_date(start, "America/New_York") == "April 15, 2024"


def test_window_across_midnight_names_both_days() -> None:
    start, end = pd.Timestamp("2024-04-15T23:50:00Z"), pd.Timestamp("2024-04-16T01:10:00Z")
    assert human_window(start, end, "UTC") == "April 15, 2024 11:50pm - April 16, 2024 1:10am UTC"
