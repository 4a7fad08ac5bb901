"""Clock times as people write them, one pattern for every reader: ``9:14am``, ``9:14 a.m.``, ``10am``,
``21:14``, ``10:15:30 PM``.

The pattern is used by the text and table importers, milestone overrides and the reviewer. A clock time
has minutes, a meridiem or both (a bare ``10`` is a number, not a time); :func:`clock_hour` turns a 12-hour
reading into a 24-hour one and refuses what no clock shows.

>>> parse_clock("9:14am"), parse_clock("12:05 a.m."), parse_clock("21:14"), parse_clock("10 pm")
((9, 14, 0), (0, 5, 0), (21, 14, 0), (22, 0, 0))
>>> parse_clock("13:00pm") is None, parse_clock("nine") is None
(True, True)
"""

from __future__ import annotations

import functools
import re


def clock_pattern(prefix: str = "") -> str:
    """The clock-time regex (case-insensitive), its groups ``hour``, ``minute``, ``second``, ``meridiem``.

    ``prefix`` goes before each group name, so the pattern can appear twice in one regex. The lookahead
    keeps a bare number out (minutes or a meridiem must follow the hour), and no digit may follow the
    last part read (``12:345`` is not a time; ``9:14: Deploy`` is).
    """
    p = prefix
    return (
        rf"(?=\d{{1,2}}(?::\d{{2}}|\s?[AaPp]\.?\s?[Mm]\b))"
        rf"(?P<{p}hour>\d{{1,2}})"
        rf"(?::(?P<{p}minute>\d{{2}})(?::(?P<{p}second>\d{{2}})(?:\.\d+)?)?)?(?!\d)(?!:\d)"
        rf"(?:\s?(?P<{p}meridiem>[AaPp])\.?\s?[Mm]\b\.?)?"
    )


#: A whole value that is a clock time (a table cell, a typed milestone).
CLOCK_RE = re.compile(rf"^\s*{clock_pattern()}\s*$")


def clock_hour(hour: int, meridiem: str | None) -> int:
    """The 24-hour hour of a clock reading (``meridiem`` is ``a``/``am``/``p``/``pm`` or empty).

    Raises ``ValueError`` for an hour no clock shows (``13pm``, ``25:00``).

    >>> clock_hour(12, "am"), clock_hour(12, "pm"), clock_hour(9, "p"), clock_hour(21, None)
    (0, 12, 21, 21)
    """
    if not meridiem:
        if not 0 <= hour <= 23:
            raise ValueError(f"{hour} is not an hour of the day")
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"{hour} is not an hour on a 12-hour clock")
    return hour % 12 + (12 if meridiem[0].lower() == "p" else 0)


def clock_of(match: re.Match[str], prefix: str = "") -> tuple[int, int, int]:
    """``(hour, minute, second)`` on a 24-hour clock from a match of :func:`clock_pattern`.

    Raises ``ValueError`` when the reading is impossible.
    """
    hour = clock_hour(int(match[f"{prefix}hour"]), match[f"{prefix}meridiem"])
    minute, second = int(match[f"{prefix}minute"] or 0), int(match[f"{prefix}second"] or 0)
    if minute > 59 or second > 59:
        raise ValueError(f"{match.group().strip()!r} has more than 59 minutes or seconds")
    return hour, minute, second


def parse_clock(text: str) -> tuple[int, int, int] | None:
    """A whole text as ``(hour, minute, second)``, or ``None`` when it is not a possible clock time."""
    match = CLOCK_RE.match(text)
    if match is None:
        return None
    try:
        return clock_of(match)
    except ValueError:
        return None


@functools.cache
def _timed_item() -> re.Pattern[str]:
    return re.compile(
        r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+[*_\s\[(]*(?:(?:\d{4}-\d{2}-\d{2}"
        r"|[A-Z][a-z]{2,8}\.? \d{1,2}(?:,? \d{4})?)"
        r",?[\sT]+)?" + clock_pattern()
    )


def timed_item(line: str) -> bool:
    """A Markdown list item that opens with a time, maybe after a date: a timeline bullet.

    >>> [timed_item(line) for line in ("- **9:14am ET:** Deploy", "* 2025-04-22 08:51 AM ET: up", "- Deploy")]
    [True, True, False]
    """
    return _timed_item().match(line) is not None


__all__ = ["CLOCK_RE", "clock_hour", "clock_of", "clock_pattern", "parse_clock", "timed_item"]
