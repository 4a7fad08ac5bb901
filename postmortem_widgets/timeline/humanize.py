"""Times and durations the way a customer reads them: "2 hours 33 minutes", "9:14am - 11:47am ET"."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from .timeparse import resolve_zone, zone_label


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def human_duration(delta: timedelta | None) -> str:
    """A duration rounded to the minute, in words.

    >>> human_duration(timedelta(hours=2, minutes=33))
    '2 hours 33 minutes'
    >>> human_duration(timedelta(seconds=29))
    'less than a minute'
    """
    if delta is None:
        return "unknown"
    minutes = round(delta.total_seconds() / 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_plural(days, "day"))
    if hours:
        parts.append(_plural(hours, "hour"))
    if mins:
        parts.append(_plural(mins, "minute"))
    return " ".join(parts)


def human_duration_adjective(delta: timedelta | None) -> str:
    """The attributive form, as in "a 2-hour 33-minute incident".

    >>> human_duration_adjective(timedelta(hours=2, minutes=33))
    '2-hour 33-minute'
    """
    words = human_duration(delta).split()
    if len(words) < 2 or not words[0].isdigit():
        return human_duration(delta)
    pairs = [f"{words[i]}-{words[i + 1].rstrip('s')}" for i in range(0, len(words) - 1, 2)]
    return " ".join(pairs)


def _zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else resolve_zone(zone)


def human_time(ts: pd.Timestamp, zone: ZoneInfo | str) -> str:
    """A clock time in the incident's zone, like the seed: ``9:14am``.

    >>> human_time(pd.Timestamp("2024-04-15T13:14:00Z"), "America/New_York")
    '9:14am'
    """
    local = ts.tz_convert(_zone(zone))
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def human_clock(ts: pd.Timestamp, zone: ZoneInfo | str) -> str:
    """A clock time with its zone, as the seed's timeline writes it: ``9:14am ET``.

    >>> human_clock(pd.Timestamp("2024-04-15T13:14:00Z"), "America/New_York")
    '9:14am ET'
    """
    z = _zone(zone)
    return f"{human_time(ts, z)} {zone_label(z, ts)}"


def human_date(ts: pd.Timestamp, zone: ZoneInfo | str) -> str:
    """A written date: ``April 15, 2024``."""
    local = ts.tz_convert(_zone(zone))
    return f"{local.strftime('%B')} {local.day}, {local.year}"


def human_window(start: pd.Timestamp | None, end: pd.Timestamp | None, zone: ZoneInfo | str) -> str:
    """The incident's window in its zone: ``9:14am - 11:47am ET``; dates are added when it spans days."""
    if start is None or end is None:
        return ""
    z = _zone(zone)
    label = zone_label(z, start)
    same_day = start.tz_convert(z).date() == end.tz_convert(z).date()
    if same_day:
        return f"{human_time(start, z)} - {human_time(end, z)} {label}"
    return (
        f"{human_date(start, z)} {human_time(start, z)} - {human_date(end, z)} {human_time(end, z)} {label}"
    )
