"""Durations, with their scope (part of the facts family: ``fact-duration``).

A duration is checked against what it claims to measure:

- the incident's length when it claims to be it ("a 2-hour 33-minute incident", "the outage lasted 40
  minutes", "for 16 minutes, customers...", "24 hours of service degradation");
- the time between two clock times the draft shows around it ("09:21 to 09:37, 16 minutes"), computed as a
  reader would, from the displayed minutes;
- the interval between the milestones it names ("alerted within 5 minutes", "a rollback that took 85
  minutes to propagate");
- a duration tied to a region or a service ("for 47 minutes in us-east"), or one that names nothing, is
  checked against every interval between the incident's events, and a mismatch is only a warning: the
  timeline may not hold the events it measures.

Estimates, retention limits, delays "of up to", and how long someone watched after the fix are not facts
about the incident's timeline.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from ...sections import SUMMARY
from ...timeline.humanize import human_duration, human_duration_adjective
from ...timeline.mentions import (
    DurationMention,
    TimeMention,
    duration_agrees,
    find_durations,
    find_times,
    settle_clock,
)
from ..document import FACT_SECTIONS_EXCLUDED, Block, Document
from ..model import WARNING, Finding, finding

if TYPE_CHECKING:
    from ..context import KnownTimes, ReviewContext

_INCIDENT_NOUN = (
    r"(?:incident|outage|disruption|degradation|interruption|downtime|unavailability|impact|event)"
)
_TOTAL_AFTER = re.compile(rf"^\s*(?:[\w-]+\s+){{0,2}}?{_INCIDENT_NOUN}\b", re.I)
_TOTAL_OF = re.compile(
    rf"^\s*(?:of\s+(?:[\w-]+\s+){{0,2}}?{_INCIDENT_NOUN}|(?:of\s+)?total\s+(?:impact|downtime|outage|disruption))\b",
    re.I,
)
_HEDGE = (
    r"(?:approximately|about|around|roughly|nearly|almost|just over|just under|over|under|more than"
    r"|less than)"
)
_TOTAL_BEFORE = re.compile(
    rf"(?:\b{_INCIDENT_NOUN}\s+(?:\w+\s+)?(?:lasted|lasting|ran|went on)(?:\s+for)?|\btotal of|\bduration of"
    rf"|\boutage of|\bdowntime of|\bin total|\bdegraded service for|\b(?:was|were) (?:down|unavailable) for)"
    rf"\s+(?:{_HEDGE}\s+)?~?\s*$",
    re.I,
)
#: "For 16 minutes, customers could not...": the incident's length, told from the customer's side.
_FOR_CUSTOMERS = re.compile(r"^,?\s+(?:all\s+|our\s+|many\s+|most\s+)?(?:customers|users)\b", re.I)
_FOR_BEFORE = re.compile(rf"(?:^|[.;:]\s*|\n\s*)for\s+(?:{_HEDGE}\s+)?$", re.I)
#: A region, a site or a subset: the duration is not the incident's, whatever the sentence says.
_SCOPE = re.compile(
    r"\b(?:regions?|zones?|data ?cent(?:er|re)s?|sites?|POPs?|edge|[a-z]{2}-[a-z]+-\d"
    r"|(?:us|eu|ap|sa|ca|me|af)-(?:north|south|east|west|central)(?:east|west)?|in (?:the )?(?:US|EU|UK"
    r"|Europe|Asia|APAC|EMEA|LATAM)\b|some customers|a subset|some users|certain customers|for (?:some"
    r"|certain)"
    r"|partial(?:ly)?)\b",
    re.I,
)
_POLICY_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+)?(?:sla|target|goal|threshold|interval|timeout|cadence|limit|check|cycle|schedule|updates?"
    r"|response time|commitment|retention|window)\b",
    re.I,
)
#: Words before a duration that make it not an elapsed time of the incident.
_NOT_ELAPSED_BEFORE = re.compile(
    r"(?:estimat\w*|expectation of|ETA of|expected (?:to take|within)|forecast\w*|projected|target(?:ed)? of"
    r"|retention of|retained for|beyond|up to|SLA of|budget of|timeout of|within the next|will take"
    r"|would take"
    r"|(?:observed|monitored|watched|verified|kept (?:an eye"
    r"|watch))\b[^.]{0,40}\bfor)\s+(?:approximately|about"
    r"|around|roughly)?\s*$",
    re.I,
)
#: "data 2 hours old", "a day behind": the age of something, not a gap between events.
_AGE_AFTER = re.compile(r"^[\s,]*(?:old|behind|ago|out of date|stale|late|earlier than|later)\b", re.I)
_OFFSET_AFTER = re.compile(r"^\s+(?:before|after|earlier than|later than|prior to|ahead of)\b", re.I)
_RANGE_WORDS = re.compile(r"^\s*(?:-|–|—|to|until|till|through|and|-\s*)\s*$", re.I)

#: Words that say which milestone a figure measures to or from ("alerted within 5 minutes": acknowledged).
MILESTONE_WORDS: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"\b(?:{words})", re.I)
    for name, words in (
        ("detected", r"detect\w*|notic\w*|caught|found out|learn\w*|first (?:signal|sign|report)|ticket"
         r"|reported|paged|alerted|alert fired|became aware"),
        ("acknowledged", r"acknowledg\w*|alerted|notified|paged|respond\w*|engaged|on-call|investigat\w*"),
        ("identified", r"identif\w*|root cause|cause|diagnos\w*|pinpoint\w*"),
        ("mitigated", r"roll(?:ed|ing)?[ -]?back|rollback|revert\w*|fix\w*|mitigat\w*|workaround|restart\w*"
         r"|fail(?:ed)?[ -]?over|switched back"),
        ("resolved", r"resolv\w*|restor\w*|recover\w*|back to normal|fully|propagat\w*"),
    )
}  # fmt: skip
_PHASE = {
    "started": "the start",
    "detected": "detection",
    "acknowledged": "acknowledgement",
    "identified": "finding the cause",
    "mitigated": "the fix",
    "resolved": "resolution",
}


def _sentence(doc: Document, block: Block, offset: int) -> tuple[int, str]:
    """The sentence of ``block`` holding ``offset``, as (start, text) of the reading text."""
    for s in doc.sentences(block):
        if s.start <= offset < s.end:
            return s.start, doc.reading[s.start : s.end]
    return block.start, doc.reading[block.start : block.end]


def _block_at(doc: Document, offset: int) -> Block | None:
    return next((b for b in doc.prose() if b.start <= offset < b.end), None)


def _is_total(text: str, mention: DurationMention, sentence: str, section: str) -> bool:
    after = text[mention.end : mention.end + 60]
    before = text[max(0, mention.start - 50) : mention.start]
    if (
        (mention.adjective and _TOTAL_AFTER.match(after))
        or _TOTAL_OF.match(after)
        or _TOTAL_BEFORE.search(before)
    ):
        return True
    if _FOR_BEFORE.search(before) and _FOR_CUSTOMERS.match(after):
        return True
    return (
        section == SUMMARY.heading
        and bool(re.search(rf"\b{_INCIDENT_NOUN}\b", sentence, re.I))
        and bool(re.search(r"\bfor\s+(?:\w+\s+)?$", before, re.I))
    )


def _minutes(mention: TimeMention) -> list[int]:
    return [s // 60 for s in mention.seconds_of_day()]


def _shown_gap(times: list[TimeMention]) -> list[float]:
    """Every reading of the time from the first to the second shown time, in seconds (past midnight wraps)."""
    first, second = times
    return sorted({((b - a) % 1440) * 60.0 for a in _minutes(first) for b in _minutes(second)})


def _pair(
    doc: Document, facts: KnownTimes, mention: DurationMention, *, total: bool, twenty_four: bool
) -> list[TimeMention]:
    """The two clock times the duration is stated between, as a reader sees them, if there are."""
    block = _block_at(doc, mention.start)
    if block is None:
        return []
    _start, sentence = _sentence(doc, block, mention.start)
    times = settle_clock(find_times(sentence, facts.labels), twenty_four=twenty_four)
    ranges = [
        (a, b)
        for a, b in itertools.pairwise(times)
        if _RANGE_WORDS.match(sentence[a.end : b.start])
        or re.search(r"\bbetween\s*$", sentence[: a.start], re.I)
    ]
    if len(ranges) == 1:
        return list(ranges[0])
    if total and len(times) <= 1:
        # "Starting at 09:21 ... Full service was restored at 09:37, for a total downtime of 16 minutes."
        text = doc.reading[block.start : mention.start]
        shown = settle_clock(find_times(text, facts.labels), twenty_four=twenty_four)
        if len(shown) == 2:
            return shown
    return []


def _figures(figures: dict[str, float], *, start: str) -> str:
    """The figures from one milestone, in words: "From detection: acknowledged 5 minutes, ..."."""
    chosen = [(k.split(" to ")[1], v) for k, v in figures.items() if k.startswith(f"{start} to ")]
    if not chosen:
        return ""
    parts = [f"{k} {human_duration(timedelta(seconds=v))}" for k, v in chosen]
    return f"From {_PHASE[start]}: " + ", ".join(parts) + "."


def _skipped(doc: Document, mention: DurationMention) -> bool:
    text = doc.reading
    if doc.section_at(mention.start) in FACT_SECTIONS_EXCLUDED or doc.is_code(mention.start):
        return True
    after = text[mention.end : mention.end + 40]
    before = text[max(0, mention.start - 60) : mention.start]
    return bool(
        (mention.adjective and _POLICY_AFTER.match(after))
        or _AGE_AFTER.match(after)
        or _NOT_ELAPSED_BEFORE.search(before)
    )


def check_durations(ctx: ReviewContext, *, twenty_four: bool = False) -> list[Finding]:
    """``fact-duration`` findings; ``twenty_four`` says the draft writes a 24-hour clock."""
    doc = ctx.doc
    out: list[Finding] = []
    for mention in find_durations(doc.reading):
        if _skipped(doc, mention):
            continue
        found = _check(ctx, mention, twenty_four)
        if found is not None:
            out.append(found)
    return out


def _quoted(mention: DurationMention) -> str:
    stated = human_duration(timedelta(seconds=mention.seconds))
    return repr(mention.text.strip()) + ("" if mention.text.strip() == stated else f" ({stated})")


def _check(ctx: ReviewContext, mention: DurationMention, twenty_four: bool) -> Finding | None:
    doc, facts = ctx.doc, ctx.known_times
    text = doc.reading
    section = doc.section_at(mention.start)
    line = doc.line_at(mention.start)
    block = _block_at(doc, mention.start)
    sentence = _sentence(doc, block, mention.start)[1] if block else ""
    scoped = bool(_SCOPE.search(sentence))
    total = not scoped and _is_total(text, mention, sentence, section)
    pair = _pair(doc, facts, mention, total=total, twenty_four=twenty_four)
    if pair:
        return _check_pair(mention, pair, line, section)
    if total:
        return _check_total(facts, mention, line, section)
    if _OFFSET_AFTER.match(text[mention.end : mention.end + 30]):
        # "a snapshot taken 6 hours before the outage": an offset between two events, maybe one the timeline
        # lacks; a round figure is read as a rough one. Only a warning when no gap fits.
        rough = mention.qualifier or ("approx" if mention.seconds % 3600 == 0 else "")
        if not len(facts.durations) or duration_agrees(mention.seconds, facts.durations, rough).any():
            return None
        return finding(
            "fact-duration",
            line,
            f"{_quoted(mention)} matches no interval between the incident's events in the timeline",
            "Say which events it measures, or add them to the timeline.",
            section=section,
            severity=WARNING,
        )
    ends = {name for name, words in MILESTONE_WORDS.items() if words.search(sentence)}
    named = {k: v for k, v in facts.figures.items() if ends & set(k.split(" to "))}
    candidates = np.fromiter(named.values(), dtype="float64") if named else facts.durations
    if scoped and len(facts.durations):
        candidates = np.concatenate([candidates, facts.durations])
    if not len(candidates) or duration_agrees(mention.seconds, candidates, mention.qualifier).any():
        return None
    quoted = _quoted(mention)
    severity = None if named and not scoped else WARNING
    if named and not scoped:
        closest = min(named, key=lambda k: abs(named[k] - mention.seconds))
        took = human_duration(timedelta(seconds=named[closest]))
        start, end = closest.split(" to ")
        span = f"from {_PHASE[start]} to {_PHASE[end]}"
        message = f"{quoted} does not match the timeline: {span} took {took}"
        suggestion = f"Write {took!r} if this is the time {span}; otherwise correct the figure."
    else:
        figures = _figures(facts.figures, start="detected")
        where = "for that region or service " if scoped else ""
        message = f"{quoted} matches no interval between the incident's events {where}in the timeline"
        suggestion = (figures + " " if figures else "") + (
            "Say which events it measures, or add them to the timeline."
        )
    return finding("fact-duration", line, message, suggestion, section=section, severity=severity)


def _check_pair(mention: DurationMention, pair: list[TimeMention], line: int, section: str) -> Finding | None:
    gaps = np.asarray(_shown_gap(pair), dtype="float64")
    qualifier = mention.qualifier
    exact = (
        np.abs(gaps - mention.seconds) < 60
        if not qualifier
        else duration_agrees(mention.seconds, gaps, qualifier)
    )
    if exact.any():
        return None
    shown = human_duration(timedelta(seconds=float(gaps[0])))
    first, second = (m.describe() for m in pair)
    return finding(
        "fact-duration",
        line,
        f"{_quoted(mention)} is not the time from {first} to {second} as written, which is {shown}",
        f"Write {shown!r}, or correct the times: a reader subtracts the minutes shown.",
        section=section,
    )


def _check_total(facts: KnownTimes, mention: DurationMention, line: int, section: str) -> Finding | None:
    if facts.duration is None:
        return None
    actual = np.array([facts.duration.total_seconds(), *facts.stated_durations])
    if duration_agrees(mention.seconds, actual, mention.qualifier).any():
        return None
    m = facts.milestones
    window = ""
    if m is not None and m.started is not None and m.resolved is not None:
        window = f" ({facts.clock(m.started)} to {facts.clock(m.resolved)})"
    better = human_duration_adjective(facts.duration) if mention.adjective else human_duration(facts.duration)
    return finding(
        "fact-duration",
        line,
        f"says {_quoted(mention)}, but the incident lasted {human_duration(facts.duration)}{window}",
        f"Write {better!r}.",
        section=section,
    )
