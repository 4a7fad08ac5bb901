"""Clock times, durations and dates as a customer writes them, found in prose.

The forms follow the seed's output ("9:14am ET", "2-hour 33-minute", "within 5 minutes", "April 15, 2024")
plus the usual variants (24-hour clocks, "a.m.", "90 minutes", "an hour and a half", ISO dates). The
reviewer checks them against the timeline; the form's hints read prose with the same eyes, so both are
here, below them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .clock import clock_hour, clock_of, clock_pattern
from .timeparse import ZONE_ALIASES, resolve_zone

# --- clock times ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeMention:
    start: int
    end: int
    text: str
    hour: int
    minute: int
    #: "am", "pm", "24h" (the draft writes a 24-hour clock), or "" when it is ambiguous.
    ampm: str
    #: The zone label written after it ("ET", "UTC"), or "".
    label: str

    def seconds_of_day(self) -> list[int]:
        """Every reading of the time as seconds after local midnight (9:14 without am/pm is 9:14 or 21:14)."""
        if self.ampm == "24h":
            return [self.hour * 3600 + self.minute * 60]
        if self.ampm:
            return [clock_hour(self.hour, self.ampm) * 3600 + self.minute * 60]
        readings = [self.hour]
        if 1 <= self.hour < 12:
            readings.append(self.hour + 12)
        elif self.hour == 12:
            readings.append(0)
        return [h * 3600 + self.minute * 60 for h in readings]

    def describe(self) -> str:
        return self.text.strip()


_FIXED_LABEL = r"(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?"
_FIXED_RE = re.compile(r"(?:UTC|GMT)([+-])(\d{1,2})(?::?(\d{2}))?")


@cache
def _time_regex(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join([_FIXED_LABEL, *sorted(map(re.escape, labels), key=len, reverse=True)])
    return re.compile(
        r"(?<![\w:.,/])" + clock_pattern() + r"(?:\s?\(?(?P<label>" + alternatives + r")\)?(?![\w]))?"
    )


def zone_labels(zone: ZoneInfo, year: int) -> dict[str, tzinfo]:
    """Labels a draft may write after a time, each with the zone it means.

    The common aliases (ET, PT, UTC...) plus the incident zone's own abbreviations (CET, CEST, BST...).
    """
    labels: dict[str, tzinfo] = {k: resolve_zone(v) for k, v in ZONE_ALIASES.items() if len(k) > 1}
    for month in (1, 7):
        name = datetime(year, month, 1, 12, tzinfo=zone).tzname()
        if name and name[0].isalpha():
            labels.setdefault(name, zone)
    return labels


def _fixed_zone(label: str) -> tzinfo:
    match = _FIXED_RE.fullmatch(label)
    assert match is not None
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))


def label_zone(label: str, labels: dict[str, tzinfo]) -> tzinfo | None:
    if not label:
        return None
    return labels.get(label) or (_fixed_zone(label) if label[:3] in ("UTC", "GMT") else None)


_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to|until|through|and)\s*$")


def find_times(text: str, labels: Iterable[str]) -> list[TimeMention]:
    """Clock times in ``text``; a range's first time takes the second's label ("9:14 - 11:47am ET")."""
    found: list[TimeMention] = []
    for m in _time_regex(tuple(labels)).finditer(text):
        try:
            clock_of(m)
        except ValueError:
            continue  # "13pm", "25:00": not a time a reader would take as one
        hour, minute = int(m["hour"]), int(m["minute"] or 0)
        ampm = {"a": "am", "p": "pm"}.get((m["meridiem"] or "").lower(), "")
        found.append(TimeMention(m.start(), m.end(), m.group(), hour, minute, ampm, m.group("label") or ""))
    for i in range(len(found) - 2, -1, -1):
        first, second = found[i], found[i + 1]
        if _RANGE_JOIN.match(text[first.end : second.start]):
            label = first.label or second.label
            ampm = first.ampm
            if not ampm and second.ampm and first.hour <= 12:
                # "9:14 - 11:47am": only borrow the meridiem when it keeps the range in order.
                hour = clock_hour(first.hour, second.ampm) if 1 <= first.hour <= 12 else first.hour
                end = clock_hour(second.hour, second.ampm)
                ampm = second.ampm if hour <= end else ""
            found[i] = TimeMention(first.start, first.end, first.text, first.hour, first.minute, ampm, label)
    return found


def settle_clock(mentions: list[TimeMention], *, twenty_four: bool) -> list[TimeMention]:
    """Read bare times as 24-hour ones when the draft writes a 24-hour clock (so "11:52" is not 23:52)."""
    if not twenty_four:
        return mentions
    return [replace(m, ampm="24h") if not m.ampm else m for m in mentions]


def writes_24h(mentions: Iterable[TimeMention]) -> bool:
    """Whether any bare time is unambiguously 24-hour ("23:52", "00:31", "09:14")."""
    return any(not m.ampm and (m.hour > 12 or m.hour == 0 or m.text.startswith("0")) for m in mentions)


def local_time(day: date, seconds: int, zone: tzinfo) -> pd.Timestamp:
    """The moment a clock reading (seconds after midnight, to the minute) names on ``day`` in ``zone``."""
    return pd.Timestamp(datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60), tzinfo=zone))


def day_seconds(ts: pd.Timestamp, zone: tzinfo) -> int:
    """Seconds after local midnight in ``zone`` for one time."""
    local = ts.tz_convert(zone)
    return int(local.hour * 3600 + local.minute * 60 + local.second)


def reads_as(ts: pd.Timestamp, zone: tzinfo, mention: TimeMention) -> bool:
    """Whether the mention, read in ``zone``, is the local clock time of ``ts`` (within a minute)."""
    return bool(len(matching(np.array([day_seconds(ts, zone)]), mention)))


def local_seconds(times: np.ndarray, zone: tzinfo) -> np.ndarray:
    """Seconds after local midnight in ``zone`` for UTC nanosecond times."""
    if not len(times):
        return np.array([], dtype="int64")
    index = pd.DatetimeIndex(times.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(zone)
    return np.asarray(index.hour * 3600 + index.minute * 60 + index.second, dtype="int64")


def matching(seconds: np.ndarray, mention: TimeMention, tolerance: int = 60) -> np.ndarray:
    """Positions of the times whose local clock is within ``tolerance`` seconds of the mention."""
    hit = np.zeros(len(seconds), dtype=bool)
    for target in mention.seconds_of_day():
        diff = np.abs(seconds - target)
        hit |= np.minimum(diff, 86400 - diff) <= tolerance
    return np.flatnonzero(hit)


# --- durations ------------------------------------------------------------------------------------

_WORDS: dict[str, float] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "half an": 0.5, "half a": 0.5,
}  # fmt: skip
# "twenty-five", "forty five": the tens with a unit, as written.
_TENS = ("twenty", "thirty", "forty", "fifty")
_UNITS_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_COMPOUND = r"(?:" + "|".join(_TENS) + r")[\s-](?:" + "|".join(_UNITS_WORDS) + r")"
_UNITS = {"day": 86400, "hour": 3600, "hr": 3600, "h": 3600, "minute": 60, "min": 60, "m": 60, "second": 1,
          "sec": 1}  # fmt: skip
_NUM = (
    rf"(?:\d+(?:\.\d+)?|half an?|{_COMPOUND}|"
    + "|".join(sorted((w for w in _WORDS if " " not in w), key=len, reverse=True))
    + r")"
)
_UNIT = r"(?:days?|hours?|hrs?|minutes?|mins?|seconds?|secs?)"
_PART = rf"{_NUM}(?:\s+and\s+a\s+half)?[\s-]+{_UNIT}\b"
_COMPACT = r"\d+\s?h(?:\s?\d+\s?m(?:in)?)?\b"
DURATION_RE = re.compile(
    rf"(?<![\w.-])(?:(?P<long>{_PART}(?:(?:\s+and\s+|,?\s+){_PART})*(?P<half>\s+and\s+a\s+half)?)"
    rf"|(?P<compact>{_COMPACT}))",
    re.IGNORECASE,
)
_PART_RE = re.compile(rf"(?P<n>{_NUM})(?P<half>\s+and\s+a\s+half)?[\s-]+(?P<u>{_UNIT})", re.IGNORECASE)
_COMPACT_PART_RE = re.compile(r"(?P<n>\d+)\s?(?P<u>h|m)", re.IGNORECASE)
#: "2-hour 33-minute": written as an adjective.
_ADJECTIVE_RE = re.compile(rf"\d[\s]*-\s*{_UNIT}", re.IGNORECASE)

#: "a day", "an hour": an article alone is a loose figure, unless a hedge makes it a claim ("just under an
#: hour", "over an hour"); "half an hour" or "an hour and a half" is a real one.
_VAGUE_ARTICLE = re.compile(r"an?\s", re.IGNORECASE)
#: Words before a duration that make it approximate or a bound.
QUALIFIER_RE = re.compile(
    r"(?P<q>approximately|approx\.?|about|around|roughly|nearly|almost|some|close to|~|more than"
    r"|just over|over|a little over|a bit over|slightly over|at least|upwards of|less than|just under"
    r"|a little under|slightly under|under|fewer than|in under|within|just shy of|shy of)\s*$",
    re.IGNORECASE,
)
#: Words before a duration that make it a frequency, not an elapsed time.
FREQUENCY_RE = re.compile(r"(?:every|each|per|once|twice|times|(?:[\w-]+ )?times an?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DurationMention:
    start: int
    end: int
    text: str
    seconds: float
    #: "" (exact to the minute), "approx", "over" (a lower bound), "under" (an upper bound), or "just-over"
    #: and "just-under" (a bound that is also close).
    qualifier: str
    #: Written as an adjective ("a 2-hour 33-minute incident").
    adjective: bool


def _qualifier(word: str) -> str:
    word = " ".join(word.lower().split())
    if word in ("just over", "a little over", "a bit over", "slightly over"):
        return "just-over"
    if word in ("just under", "a little under", "slightly under", "just shy of", "shy of"):
        return "just-under"
    if word in ("more than", "over", "at least", "upwards of"):
        return "over"
    if word in ("less than", "under", "fewer than", "in under"):
        return "under"
    if word == "within":
        return ""
    return "approx"


def _number(word: str) -> float:
    word = " ".join(word.lower().replace("-", " ").split())
    if word[0].isdigit():
        return float(word)
    if word in _WORDS:
        return float(_WORDS[word])
    tens, _, unit = word.partition(" ")
    return float(_WORDS[tens] + _WORDS[unit])


def _seconds(m: re.Match[str]) -> tuple[float, int]:
    """The duration a match states, in seconds, and how many parts it has."""
    seconds = 0.0
    if m.group("compact"):
        parts = list(_COMPACT_PART_RE.finditer(m.group()))
        return sum(int(p["n"]) * _UNITS[p["u"].lower()] for p in parts), len(parts)
    unit = 0
    parts = list(_PART_RE.finditer(m.group("long")))
    for part in parts:
        unit = _UNITS[part["u"].lower().rstrip("s")]
        seconds += (_number(part["n"]) + (0.5 if part["half"] else 0)) * unit
    if m.group("half"):
        seconds += 0.5 * unit  # "an hour and a half": half of the last unit
    return seconds, len(parts)


def find_durations(text: str) -> list[DurationMention]:
    """Durations in ``text``, in figures or words ("two and a half hours", "just under an hour"), skipping
    frequencies ("every 5 minutes", "twice a day") and loose articles ("a day behind")."""
    found: list[DurationMention] = []
    for m in DURATION_RE.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        if FREQUENCY_RE.search(before):
            continue
        seconds, parts = _seconds(m)
        qualifier = QUALIFIER_RE.search(before)
        loose = (
            parts == 1 and _VAGUE_ARTICLE.match(m.group()) and not m.group("half") and "half" not in m.group()
        )
        if seconds < 60 or (loose and not qualifier):
            continue  # "in a second or two", "a day behind": not a measured figure
        adjective = bool(_ADJECTIVE_RE.search(m.group()))
        found.append(
            DurationMention(
                m.start(),
                m.end(),
                m.group(),
                seconds,
                _qualifier(qualifier["q"]) if qualifier else "",
                adjective,
            )
        )
    return found


def duration_agrees(stated: float, actual: np.ndarray, qualifier: str) -> np.ndarray:
    """Which actual durations (seconds) a stated one agrees with.

    Exact figures must be within a minute. "About/approximately" allows 10% or 5 minutes, whichever is more
    (the seed's "approximately 90 minutes" for 85). "More than X" needs at least X (and at most 2X);
    "less than X" at most X (and at least X/2), so a bound still says something true and useful. "Just
    under X" is at most X and within 15% (or 10 minutes) of it: "just under two and a half hours" is not
    2 hours 33 minutes.
    """
    if qualifier == "approx":
        return np.abs(actual - stated) <= max(300.0, 0.1 * stated)
    if qualifier == "just-under":
        return (actual <= stated + 60) & (actual >= stated - max(600.0, 0.15 * stated))
    if qualifier == "just-over":
        return (actual >= stated - 60) & (actual <= stated + max(600.0, 0.15 * stated))
    if qualifier == "over":
        return (actual >= stated - 60) & (actual <= 2 * stated + 60)
    if qualifier == "under":
        return (actual <= stated + 60) & (actual >= stated / 2 - 60)
    return np.abs(actual - stated) <= 60


# --- dates ----------------------------------------------------------------------------------------

_MONTHS = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7, "August": 8,
    "September": 9, "October": 10, "November": 11, "December": 12, "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4,
    "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"(?:(?P<wd>{'|'.join(_WEEKDAYS)}),?\s+(?:the\s+)?)?"
    rf"(?:\b(?P<mon>{_MONTH})\.?\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
    rf"|\b(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_MONTH})\b\.?(?:,?\s+(?P<year2>(?:19|20)\d\d)\b)?"
    rf"|\b(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)\b)"
)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    month: int
    day: int
    year: int | None
    weekday: str

    def as_date(self) -> date | None:
        if self.year is None:
            return None
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None


def find_dates(text: str) -> list[DateMention]:
    """Written and ISO dates; a year-less "April 15" keeps ``year=None``."""
    found = []
    for m in DATE_RE.finditer(text):
        year: int | None
        if m.group("iy"):
            month, day, year = int(m.group("im")), int(m.group("id")), int(m.group("iy"))
        else:
            name = m.group("mon") or m.group("mon2")
            month = _MONTHS[name]
            day = int(m.group("day") or m.group("day2"))
            y = m.group("year") or m.group("year2")
            year = int(y) if y else None
        if not 1 <= day <= 31 or not 1 <= month <= 12:
            continue
        found.append(DateMention(m.start(), m.end(), m.group(), month, day, year, m.group("wd") or ""))
    return found


_PREFIX_RE = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])?\s*")


def leads(item: str, start: int) -> bool:
    """Whether the time at ``start`` opens a list item (after its marker, brackets and maybe a date)."""
    prefix = _PREFIX_RE.match(item)
    between = item[prefix.end() if prefix else 0 : start].strip(" ,[(")
    return not between or DATE_RE.fullmatch(between) is not None


def without_dates_and_times(text: str) -> str:
    """The text with dates and clock times blanked (same length): when, not a measure.

    >>> without_dates_and_times("Review alerting by 15 Jan 2025 at 12:58.")
    'Review alerting by             at      .'
    """
    chars = list(text)
    spans = [(m.start, m.end) for m in find_dates(text)] + [(m.start, m.end) for m in find_times(text, ())]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
