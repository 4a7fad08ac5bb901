"""Times spread over table columns: month name, day and time; ``yymmdd`` and ``hhmmss``. The year is never
invented: it comes from a year column, the ``yy`` of the date, or ``--date``."""

from __future__ import annotations

import pandas as pd
import pytest

from postmortem_widgets.errors import InputError, TimestampError
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.sources import FileSource
from tests.support import paths

DATA = paths.DATA / "tables"


def _import(name: str, **options: str) -> object:
    return import_source(FileSource(DATA / name), options=ImportOptions(**options))  # type: ignore[arg-type]


def _times(result: object) -> list[str]:
    return [t.isoformat() for t in result.events["time"]]  # type: ignore[attr-defined]


def test_month_day_time_with_the_year_from_date() -> None:
    result = _import("split_month_day.csv", tz="UTC", date="2016-12-10")
    assert _times(result) == [
        "2016-12-10T06:55:46+00:00",
        "2016-12-10T06:55:48+00:00",
        "2016-12-10T07:02:47+00:00",
        "2016-12-10T07:08:28+00:00",
    ]
    assert list(result.events["message"])[1].startswith("Failed password for invalid user webmaster")  # type: ignore[attr-defined]


def test_month_day_time_in_the_given_zone() -> None:
    result = _import("split_month_day.csv", tz="America/New_York", date="2016-12-10")
    assert _times(result)[0] == "2016-12-10T11:55:46+00:00"


def test_month_day_without_a_year_is_a_clear_error() -> None:
    with pytest.raises(InputError) as caught:
        _import("split_month_day.csv", tz="UTC")
    assert caught.value.message == (
        "the time is spread over columns 'Date' (month name), 'Day' (day), 'Time' (clock time) "
        "and nothing gives the year"
    )
    assert caught.value.hint == "pass --date YYYY-MM-DD (its year is used), or add a year column"
    assert caught.value.column == "Date+Day+Time"


def test_a_year_column_gives_the_year() -> None:
    result = _import("split_with_year.csv", tz="UTC")
    assert _times(result) == [
        "2016-12-10T06:55:46+00:00",
        "2016-12-10T07:02:47+00:00",
        "2016-12-10T07:40:00+00:00",
    ]
    assert list(result.events["kind"]) == ["event", "detected", "resolved"]  # type: ignore[attr-defined]


def test_month_day_log_without_a_year_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="nothing gives the year"):
        _import("split_month_day_log.csv", tz="UTC")


def test_month_day_log_with_date() -> None:
    result = _import("split_month_day_log.csv", tz="UTC", date="2016-12-10")
    assert result.role == "log"  # type: ignore[attr-defined]
    assert result.rows == 3  # type: ignore[attr-defined]
    first = min(int(s.times[0]) for s in result.series)  # type: ignore[attr-defined]
    assert pd.Timestamp(first, tz="UTC") == pd.Timestamp("2016-12-10T06:55:40Z")  # its 5-second slot


def test_compact_yymmdd_hhmmss_timeline() -> None:
    result = _import("compact_timeline.csv", tz="UTC")
    assert _times(result) == [
        "2008-11-09T20:36:15+00:00",
        "2008-11-09T20:40:05+00:00",
        "2008-11-09T21:00:00+00:00",
    ]


def test_compact_yymmdd_hhmmss_log() -> None:
    result = _import("compact_dates.csv", tz="UTC")
    assert result.role == "log"  # type: ignore[attr-defined]
    assert result.rows == 4  # type: ignore[attr-defined]
    first = min(int(s.times[0]) for s in result.series)  # type: ignore[attr-defined]
    assert pd.Timestamp(first, tz="UTC") == pd.Timestamp("2008-11-09T20:36:10Z")


def test_compact_dates_read_as_epochs_say_what_they_look_like() -> None:
    with pytest.raises(TimestampError) as caught:
        _import("compact_unnamed.csv", tz="UTC")
    assert caught.value.message == (
        "every timestamp is outside 1990-2100 (first: 81109); "
        "the values look like yymmdd dates, not epoch times"
    )
    assert caught.value.column == "when"
    assert caught.value.hint is not None and "name the column 'date'" in caught.value.hint


def test_month_names_and_clocks_as_people_write_them() -> None:
    """``sept`` / ``Sep.``, a one-digit hour and a fraction of a second take the full time parser."""
    result = _import("split_fraction.csv", tz="UTC", date="2024-01-01")
    assert _times(result) == ["2024-09-09T06:05:46.250000+00:00", "2024-09-09T07:02:47+00:00"]
