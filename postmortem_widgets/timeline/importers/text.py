"""The free-text timeline people paste: one event a line, a clock time first.

Accepted lines (bullets, bold and a zone label are optional)::

    9:14am: Cache deployment completed
    - **9:42am ET:** Customer support ticket received
    10:15 - Root cause identified
    [2024-04-15 11:47] All dashboards restored; incident resolved

The date comes from ``--date`` (or the incident's date) unless a line carries its own; the zone from
``--tz`` unless a line carries a label (``ET``, ``UTC``, ``+02:00``). A time earlier than the line
before it is taken as the next day, with a warning.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo

import pandas as pd

from ...errors import InputError, NaiveTimeError, TimeZoneError
from .. import events as ev
from ..classify import classify_text
from ..clock import clock_of, clock_pattern
from ..sources import Source
from ..timeparse import ZONE_ALIASES, parse_date, resolve_zone
from . import Importer, ImportOptions, register

_ZONES = "|".join(sorted((re.escape(z) for z in ZONE_ALIASES), key=len, reverse=True))
LINE_RE = re.compile(
    r"""^\s*(?:[-*•|>]\s*)*(?:\*\*|__)?\[?\s*
    (?:(?P<date>\d{4}-\d{2}-\d{2})[ T])?
    (?P<clock>"""
    + clock_pattern()
    + r""")
    (?:\s*(?P<zone>(?:"""
    + _ZONES
    + r""")(?![A-Za-z])|[+-]\d{2}:?\d{2}))?
    \s*\]?\s*(?:\*\*|__)?\s*(?:[:\-–—|]\s*)?(?:\*\*|__)?\s*
    (?P<msg>\S.*?)\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_OFFSET_RE = re.compile(r"(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})")
# Several "9:14am: ..." events run together on one line, as when a list lost its line breaks.
_SPLIT_RE = re.compile(r"(?<!\S)(?=\d{1,2}:\d{2}\s*[ap]\.?m\.?\s*(?:[A-Z]{2,3}\s*)?:)", re.IGNORECASE)


def _lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        pieces = [p for p in _SPLIT_RE.split(line) if p.strip()]
        out.extend((number, p) for p in (pieces if len(pieces) > 1 else [line]))
    return out


def sniff(source: Source) -> int:
    if source.is_bundle or source.json is not None:
        return 0
    lines = [line for line in source.head.splitlines() if line.strip()][:200]
    if not lines:
        return 0
    hits = sum(1 for _, line in _lines("\n".join(lines)) if LINE_RE.match(line))
    return 20 if hits and hits >= 0.6 * len(lines) else 0


def _text(source: Source) -> str:
    """The whole text, once no line of it is longer than ``max_line_bytes``."""
    text = source.text
    if (long := source.long_line(text)) is not None:
        raise source.line_error(long)
    return text


def _zone(text: str, *, file: str, line: int) -> tzinfo:
    """A line's zone: a label (``ET``, an IANA name) or a numeric offset (``+02:00``, ``-0400``)."""
    offset = _OFFSET_RE.fullmatch(text.strip())
    if offset is not None:
        sign = -1 if offset["sign"] == "-" else 1
        return timezone(sign * timedelta(hours=int(offset["hours"]), minutes=int(offset["minutes"])))
    try:
        return resolve_zone(text)
    except TimeZoneError as exc:
        raise TimeZoneError(exc.message, file=file, line=line, hint=exc.hint) from None


def parse_text(source: Source, options: ImportOptions) -> ev.ImportResult:
    rows: list[tuple[int, datetime, str]] = []
    skipped: list[int] = []
    warnings: list[str] = []
    base = parse_date(options.date) if options.date else None
    previous: datetime | None = None
    for number, line in _lines(_text(source)):
        if not line.strip():
            continue
        match = LINE_RE.match(line)
        if not match:
            skipped.append(number)
            continue
        try:
            hour, minute, second = clock_of(match)
        except ValueError:
            raise InputError(f"{line.strip()!r} is not a valid time", file=source.name, line=number) from None
        if match["date"]:
            base = parse_date(match["date"])
        day = base
        if day is None:
            raise InputError(
                "the timeline has times but no date",
                file=source.name,
                line=number,
                hint="pass --date YYYY-MM-DD (or set incident_date in the incident file)",
            )
        zone_text = match["zone"] or options.tz
        if not zone_text:
            raise NaiveTimeError(
                "times have no time zone",
                file=source.name,
                line=number,
                hint="pass --tz ZONE (an IANA name such as America/New_York)",
            )
        zone = _zone(zone_text, file=source.name, line=number)
        local = datetime.combine(day, time(hour, minute, second), tzinfo=zone)
        if previous is not None and not match["date"] and local < previous:
            local += timedelta(days=1)
            warnings.append(
                f"line {number}: {match['clock'].strip()} is earlier than the line before; "
                "read as the next day"
            )
        previous = local
        rows.append((number, local, match["msg"].strip().strip("*_").strip()))
    if skipped:
        shown = ", ".join(map(str, skipped[:10]))
        warnings.append(f"{len(skipped)} line(s) without a leading time were skipped (lines {shown})")
    if not rows:
        raise InputError(
            "no line starts with a time",
            file=source.name,
            hint="write one event a line, like '9:14am: Deployment completed'",
        )
    numbers, times, messages = zip(*rows, strict=True)
    events = ev.make_events(
        pd.DatetimeIndex([pd.Timestamp(t.astimezone(UTC)) for t in times]),  # lines may differ in zone
        source="text",
        kind=classify_text(list(messages), default=ev.EVENT),
        message=list(messages),
        file=source.name,
        line=list(numbers),
    )
    return ev.ImportResult(
        file=source.name, format="text", events=events, warnings=warnings, handwritten=True
    )


IMPORTER = register(
    Importer(
        name="text",
        description="pasted free-text timeline, one '9:14am: event' a line (needs --date and --tz)",
        sniff=sniff,
        parse=parse_text,
    )
)
