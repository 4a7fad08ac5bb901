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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

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


#: Times a timeline may hold (the table importer's 1990-2100): a line dated 0001-01-01 is left out.
_EARLIEST, _LATEST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


@dataclass
class _Reading:
    """The lines read so far: the day and time they run on, the events, and what was left out."""

    source: Source
    options: ImportOptions
    day: date | None = None
    previous: datetime | None = None
    rows: list[tuple[int, datetime, str]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    outside: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, number: int, line: str) -> None:
        match = LINE_RE.match(line)
        if not match:
            self.skipped.append(number)
            return
        local = self._time(number, line, match)
        if not _EARLIEST <= local < _LATEST:
            self.outside.append(number)
            return
        if self.previous is not None and not match["date"] and local < self.previous:
            local += timedelta(days=1)
            self.warnings.append(
                f"line {number}: {match['clock'].strip()} is earlier than the line before; "
                "read as the next day"
            )
        self.previous = local
        self.rows.append((number, local, match["msg"].strip().strip("*_").strip()))

    def _time(self, number: int, line: str, match: re.Match[str]) -> datetime:
        file = self.source.name
        try:
            hour, minute, second = clock_of(match)
        except ValueError:
            raise InputError(f"{line.strip()!r} is not a valid time", file=file, line=number) from None
        if match["date"]:
            self.day = _date(match["date"], file=file, line=number)
        if self.day is None:
            raise InputError(
                "the timeline has times but no date",
                file=file,
                line=number,
                hint="pass --date YYYY-MM-DD (or set incident_date in the incident file)",
            )
        zone_text = match["zone"] or self.options.tz
        if not zone_text:
            raise NaiveTimeError(
                "times have no time zone",
                file=file,
                line=number,
                hint="pass --tz ZONE (an IANA name such as America/New_York)",
            )
        zone = _zone(zone_text, file=file, line=number)
        return datetime.combine(self.day, time(hour, minute, second), tzinfo=zone)

    def notes(self) -> list[str]:
        """The warnings, with the lines left out."""
        notes = list(self.warnings)
        if self.skipped:
            shown = ", ".join(map(str, self.skipped[:10]))
            notes.append(f"{len(self.skipped)} line(s) without a leading time were skipped (lines {shown})")
        if self.outside:
            shown = ", ".join(map(str, self.outside[:10]))
            notes.append(f"{len(self.outside)} line(s) dated outside 1990-2100 were left out (lines {shown})")
        return notes


def _date(text: str, *, file: str, line: int) -> date:
    try:
        return parse_date(text)
    except InputError as exc:
        raise InputError(exc.message, file=file, line=line, hint=exc.hint) from None


def parse_text(source: Source, options: ImportOptions) -> ev.ImportResult:
    reading = _Reading(source, options, day=parse_date(options.date) if options.date else None)
    for number, line in _lines(_text(source)):
        if line.strip():
            reading.add(number, line)
    if not reading.rows:
        raise InputError(
            "no line starts with a time" + (" dated 1990-2100" if reading.outside else ""),
            file=source.name,
            hint="write one event a line, like '9:14am: Deployment completed'",
        )
    numbers, times, messages = zip(*reading.rows, strict=True)
    events = ev.make_events(
        pd.DatetimeIndex([pd.Timestamp(t.astimezone(UTC)) for t in times]),  # lines may differ in zone
        source="text",
        kind=classify_text(list(messages), default=ev.EVENT),
        message=list(messages),
        file=source.name,
        line=list(numbers),
    )
    return ev.ImportResult(
        file=source.name, format="text", events=events, warnings=reading.notes(), handwritten=True
    )


IMPORTER = register(
    Importer(
        name="text",
        description="pasted free-text timeline, one '9:14am: event' a line (needs --date and --tz)",
        sniff=sniff,
        parse=parse_text,
        role="timeline",
    )
)
