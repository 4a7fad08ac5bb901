"""A table's time written across columns: month name, day and time, or compact ``yymmdd`` and ``hhmmss``.

System logs parsed into tables keep syslog's ``Dec 10 06:55:46`` as three columns (a month name, a day,
a clock time; no year), and Hadoop-style logs keep ``081109 203615`` as a ``yymmdd`` date and an ``hhmmss``
time. :func:`date_parts` finds such columns in a table's sample and :func:`combine` joins them into
``YYYY-MM-DD HH:MM:SS`` text that the time parser reads (naive: the zone comes from ``--tz``).

The year comes from the data (a year column, the ``yy`` of ``yymmdd``) or from ``--date``, never from
today: month-and-day columns without either are an error that names the columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_SHORT_MONTHS: tuple[str, ...] = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
DAY_NAMES: tuple[str, ...] = ("day", "date", "dd", "mday", "day_of_month")
YEAR_NAMES: tuple[str, ...] = ("year", "yyyy", "yr")
COMPACT_DATE_NAMES: tuple[str, ...] = ("date", "day", "dt", "yymmdd", "yyyymmdd", "ymd")
TIME_PART_NAMES: tuple[str, ...] = ("time", "clock", "hhmmss", "tm")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_HINT = "pass --date YYYY-MM-DD (its year is used), or add a year column"


@dataclass(frozen=True)
class DateParts:
    """The columns a time is spread over; ``date`` (compact) or ``month`` and ``day``, and ``time``."""

    time: str
    date: str | None = None
    month: str | None = None
    day: str | None = None
    year: str | None = None
    #: ``time`` is ``hhmmss`` digits rather than ``hh:mm:ss``.
    compact_time: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        named = (self.year, self.month, self.day, self.date, self.time)
        return tuple(c for c in named if c is not None)

    @property
    def label(self) -> str:
        """``Date+Day+Time``: the name errors and warnings give the combined column."""
        return "+".join(self.columns)

    def describe(self) -> str:
        """What each column was read as, for messages."""
        parts = [
            (self.year, "year"),
            (self.month, "month name"),
            (self.day, "day"),
            (self.date, "yymmdd date"),
            (self.time, "hhmmss time" if self.compact_time else "clock time"),
        ]
        return ", ".join(f"{name!r} ({what})" for name, what in parts if name is not None)

    @property
    def needs_year(self) -> bool:
        return self.date is None and self.year is None


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _strings(column: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A column as text (a clock-time type as ``hh:mm:ss``), nulls as ``None``."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    return pd.Series(column.to_pylist(), dtype=object).map(lambda v: v.strip() if isinstance(v, str) else v)


def _share(values: pd.Series, test: Callable[[str], bool]) -> float:
    present = [v for v in values if isinstance(v, str) and v]
    return sum(map(test, present)) / len(present) if present else 0.0


def _is_month(text: str) -> bool:
    return text.casefold().rstrip(".") in MONTHS


def _is_day(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) <= 31


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1990 <= int(text) <= 2100


def _is_compact_date(text: str) -> bool:
    """``yymmdd`` (an integer column drops a leading zero: ``81109``) or ``yyyymmdd``."""
    if not text.isdigit() or len(text) not in (5, 6, 8):
        return False
    digits = text.zfill(6) if len(text) < 8 else text[2:]
    return 1 <= int(digits[2:4]) <= 12 and 1 <= int(digits[4:6]) <= 31


def _is_compact_time(text: str) -> bool:
    if not text.isdigit() or len(text) > 6:
        return False
    digits = text.zfill(6)
    return int(digits[:2]) < 24 and int(digits[2:4]) < 60 and int(digits[4:]) < 60


def _is_clock(text: str) -> bool:
    return bool(_CLOCK.match(text))


def _first(head: pa.Table, names: tuple[str, ...], test: Callable[[str], bool], used: set[str]) -> str | None:
    for wanted in names:
        for name in head.column_names:
            if name not in used and _norm(name) == wanted and _share(_strings(head[name]), test) >= 0.8:
                return str(name)
    return None


def date_parts(head: pa.Table) -> DateParts | None:
    """The columns a sampled table spreads its times over, or ``None`` when it does not."""
    strings = {name: _strings(head[name]) for name in head.column_names}
    month = next((n for n, v in strings.items() if _share(v, _is_month) >= 0.8), None)
    used = {month} if month else set()
    compact = None if month else _first(head, COMPACT_DATE_NAMES, _is_compact_date, used)
    used |= {compact} if compact else set()
    clock = next(
        (n for n in head.column_names if n not in used and _share(strings[n], _is_clock) >= 0.8),
        None,
    )
    compact_time = clock is None and compact is not None
    time = clock or (_first(head, TIME_PART_NAMES, _is_compact_time, used) if compact else None)
    if time is None or (month is None and compact is None):
        return None
    used.add(time)
    if compact is not None:
        return DateParts(time=time, date=compact, compact_time=compact_time)
    day = _first(head, DAY_NAMES, _is_day, used)
    if day is None:
        after = head.column_names.index(month) + 1
        following = head.column_names[after] if after < len(head.column_names) else None
        day = following if following and _share(strings[following], _is_day) >= 0.8 else None
    if day is None:
        return None
    year = _first(head, YEAR_NAMES, _is_year, used | {day})
    return DateParts(time=time, month=month, day=day, year=year)


def year_of(parts: DateParts, date: str | None, *, file: str) -> int | None:
    """The year month-and-day columns are in: ``--date``'s; an :class:`InputError` naming them without one."""
    if not parts.needs_year:
        return None
    if not date:
        raise InputError(
            f"the time is spread over columns {parts.describe()} and nothing gives the year",
            file=file,
            column=parts.label,
            hint=_HINT,
        )
    from ..timeparse import parse_date

    return parse_date(date).year


def _text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A column as trimmed Arrow text (a clock-time type as ``hh:mm:ss``)."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    return pc.utf8_trim_whitespace(column.cast(pa.string()))


def _join(*pieces: Any) -> Any:
    return pc.binary_join_element_wise(*pieces, "")


def _compact_day(digits: Any) -> Any:
    """``yymmdd`` (or ``yyyymmdd``) as ``YYYY-MM-DD``; a ``yy`` under 70 is 20yy, else 19yy."""
    eight = pc.equal(pc.utf8_length(digits), 8)
    short = pc.utf8_lpad(digits, width=6, padding="0")
    yy = pc.utf8_slice_codeunits(short, 0, 2)
    century = pc.if_else(pc.less(yy, "70"), "20", "19")
    years = pc.if_else(eight, pc.utf8_slice_codeunits(digits, 0, 4), _join(century, yy))
    rest = pc.if_else(eight, pc.utf8_slice_codeunits(digits, 4, 8), pc.utf8_slice_codeunits(short, 2, 6))
    return _join(years, "-", pc.utf8_slice_codeunits(rest, 0, 2), "-", pc.utf8_slice_codeunits(rest, 2, 4))


def _named_day(parts: DateParts, column: Callable[[str], Any], year: int | None) -> Any:
    """Month name, day and year (a column, or ``year``) as ``YYYY-MM-DD``."""
    assert parts.month is not None and parts.day is not None
    names = pc.utf8_slice_codeunits(pc.utf8_rtrim(pc.utf8_lower(_text(column(parts.month))), "."), 0, 3)
    index = pc.index_in(names, value_set=pa.array(_SHORT_MONTHS))
    month = pc.utf8_lpad(pc.cast(pc.add(index, 1), pa.string()), width=2, padding="0")
    day = pc.utf8_lpad(_text(column(parts.day)), width=2, padding="0")
    years = _text(column(parts.year)) if parts.year is not None else pa.scalar(str(year))
    return _join(years, "-", month, "-", day)


def combine(
    parts: DateParts, column: Callable[[str], pa.ChunkedArray | pa.Array], *, year: int | None
) -> pd.Series:
    """The part columns (``column(name)`` gives one) as naive times: ``datetime64`` when every row reads
    as ``YYYY-MM-DD HH:MM:SS``, else that text for the full time parser (fractions, odd clocks); null where
    a part is missing, so the row counts as one without a time. Built with Arrow kernels: a million-row log
    costs about as much as reading its times as ISO text."""
    time = _text(column(parts.time))
    if parts.compact_time:
        padded = pc.utf8_lpad(time, width=6, padding="0")
        time = _join(
            pc.utf8_slice_codeunits(padded, 0, 2),
            ":",
            pc.utf8_slice_codeunits(padded, 2, 4),
            ":",
            pc.utf8_slice_codeunits(padded, 4, 6),
        )
    day = (
        _compact_day(_text(column(parts.date))) if parts.date is not None else _named_day(parts, column, year)
    )
    joined = pc.binary_join_element_wise(day, time, " ")
    parsed = pc.strptime(joined, format="%Y-%m-%d %H:%M:%S", unit="ns", error_is_null=True)
    if parsed.null_count == joined.null_count:
        times: pd.Series = parsed.to_pandas()
        return times
    text: pd.Series = joined.to_pandas()
    return text


__all__ = ["DateParts", "combine", "date_parts", "year_of"]
