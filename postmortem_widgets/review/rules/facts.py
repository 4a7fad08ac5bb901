"""Facts: every clock time, date and duration in the draft agrees with the incident, within a minute.

Checked in the sections that state what happened (not What We're Changing or the Apology, which speak of
the future). A time must match an event or milestone; a time stated as the resolution must be the
resolution; timeline bullets must run forward; the incident's length and the response figures ("within
5 minutes") must match the timeline's gaps; dates must be days of the incident.
"""

from __future__ import annotations

import re
from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...sections import SUMMARY, TIMELINE
from ...timeline.humanize import human_date, human_duration, human_duration_adjective
from ..clock import (
    DurationMention,
    TimeMention,
    duration_agrees,
    find_dates,
    find_durations,
    find_times,
    label_zone,
    leads,
    local_time,
    matching,
    reads_as,
    settle_clock,
    writes_24h,
)
from ..document import FACT_SECTIONS_EXCLUDED, Document, sentence_around
from ..model import WARNING, Finding, finding
from .impact import check_impact

if TYPE_CHECKING:
    from ..context import KnownTimes, ReviewContext

_RESOLVED_WORDS = r"(?:resolved|restored|recovered|back to normal|fully operational|back online|resolution)"
_RESOLVED_BEFORE = re.compile(
    rf"\b{_RESOLVED_WORDS}\b[^.;!?\n]{{0,40}}?\b(?:at|by|as of|around|shortly after)\s*$", re.I
)
_RESOLVED_AFTER = re.compile(
    rf"^,?\s+(?:[\w'-]+\s+){{0,6}}?(?:was|were|had been|has been|is|are|got|came)\s+(?:fully\s+"
    r"|completely\s+)?"
    rf"{_RESOLVED_WORDS}\b",
    re.I,
)
_AT_BEFORE = re.compile(r"\b(?:at|by)\s*$", re.I)
_TOTAL_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+){0,2}?(?:incident|outage|disruption|degradation|interruption|downtime|event|window|period)\b",
    re.I,
)
_TOTAL_BEFORE = re.compile(
    r"(?:lasted|lasting|total of|duration of|outage of|downtime of|in total)\s+(?:approximately"
    r"|about|around|roughly"
    r"|nearly|almost|just over|just under|over|under|more than|less than)?\s*$",
    re.I,
)
_POLICY_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+)?(?:sla|target|goal|threshold|interval|timeout|cadence|limit|check|cycle|schedule|updates?"
    r"|response time|commitment)\b",
    re.I,
)


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
#: "data 2 hours old", "a day behind": the age of something, not a gap between events.
_AGE_AFTER = re.compile(r"^[\s,]*(?:old|behind|ago|out of date|stale|late|earlier than)\b", re.I)


def _checked(doc: Document, offset: int) -> bool:
    return doc.section_at(offset) not in FACT_SECTIONS_EXCLUDED and not doc.is_code(offset)


def _zone(facts: KnownTimes, mention: TimeMention) -> tuple[tzinfo, str]:
    zone = label_zone(mention.label, facts.labels)
    return (zone, mention.label) if zone is not None else (facts.zone, facts.zone_name)


def _nearest(facts: KnownTimes, mention: TimeMention, seconds: np.ndarray) -> str:
    targets = mention.seconds_of_day()
    diffs = np.min([np.minimum(np.abs(seconds - t), 86400 - np.abs(seconds - t)) for t in targets], axis=0)
    return facts.describe(int(np.argmin(diffs)))


def _reading(facts: KnownTimes, mention: TimeMention, zone: tzinfo, label: str) -> str:
    """How the time was read: "(read as ET)", or "(12:47pm ET)" for a time written in another zone."""
    if not mention.label:
        return f" (read as {label})"
    if getattr(zone, "key", None) == facts.zone.key or not facts.dates or len(mention.seconds_of_day()) != 1:
        return ""
    return f" ({facts.clock(local_time(min(facts.dates), mention.seconds_of_day()[0], zone))})"


def _is_resolution(text: str, mention: TimeMention) -> bool:
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[max(line_start, mention.start - 80) : mention.start]
    after = text[mention.end : mention.end + 80]
    return bool(
        _RESOLVED_BEFORE.search(before) or (_AT_BEFORE.search(before) and _RESOLVED_AFTER.match(after))
    )


def _times(ctx: ReviewContext, mentions: list[TimeMention]) -> list[Finding]:
    doc, facts = ctx.doc, ctx.known_times
    out: list[Finding] = []
    if not len(facts.times):
        return out
    resolution_said = False
    for mention in mentions:
        section = doc.section_at(mention.start)
        zone, label = _zone(facts, mention)
        seconds = facts.seconds_in(zone)
        line = doc.line_at(mention.start)
        if section != TIMELINE.heading and facts.resolved is not None and _is_resolution(doc.plain, mention):
            resolved = facts.resolved
            if reads_as(resolved, zone, mention):
                resolution_said = resolution_said or section == SUMMARY.heading
                continue
            resolution_said = resolution_said or section == SUMMARY.heading
            out.append(
                finding(
                    "fact-resolution",
                    line,
                    f"says the incident was resolved at {mention.describe()}, but it was resolved at "
                    f"{facts.clock(resolved)}",
                    f"Write {facts.clock(resolved)}.",
                    section=section,
                )
            )
            continue
        hits = matching(seconds, mention)
        if len(hits):
            if section == SUMMARY.heading and facts.resolved is not None:
                resolution_said = resolution_said or reads_as(facts.resolved, zone, mention)
            continue
        out.append(
            finding(
                "fact-time",
                line,
                f"{mention.describe()} matches no event of the "
                f"incident{_reading(facts, mention, zone, label)}",
                f"The nearest is {_nearest(facts, mention, seconds)}. Correct the time, or add the "
                "event to the "
                "timeline if it is missing.",
                section=section,
            )
        )
    summary = [h for h in doc.seed_headings() if h.section == SUMMARY.heading]
    if summary and facts.resolved is not None and not resolution_said:
        out.append(
            finding(
                "fact-resolution",
                summary[0].line,
                "the Summary does not say when the incident was resolved",
                f"Say it was resolved at {facts.clock(facts.resolved)}.",
                section=SUMMARY.heading,
                severity=WARNING,
            )
        )
    return out


def _order(ctx: ReviewContext, twenty_four: bool) -> list[Finding]:
    """Bullets run forward: each is placed at the earliest matching event not before the previous bullet."""
    doc, facts = ctx.doc, ctx.known_times
    out: list[Finding] = []
    previous: tuple[int, str, int] | None = None  # (UTC ns, text, line)
    days = sorted(facts.dates)
    for block in doc.blocks_in(TIMELINE.heading, "item"):
        text = doc.block_text(block)
        mentions = settle_clock(find_times(text, facts.labels), twenty_four=twenty_four)
        if not mentions or not leads(text, mentions[0].start):
            continue
        mention = mentions[0]
        zone, _ = _zone(facts, mention)
        hits = matching(facts.seconds_in(zone), mention)
        candidates = sorted({int(t) for t in facts.times[hits].astype("int64")})
        if not candidates and len(facts.times):
            continue  # a time that matches no event is fact-time's finding; it has no place to order
        if not candidates:
            candidates = sorted(
                local_time(day, s, zone).value for day in days for s in mention.seconds_of_day()
            )
        dated = [d.as_date() for d in find_dates(text[: mention.start])]
        if dated and dated[0] is not None:
            on_day = [
                c for c in candidates if pd.Timestamp(c, tz="UTC").tz_convert(facts.zone).date() == dated[0]
            ]
            candidates = on_day or candidates
        if not candidates:
            continue
        if previous is None:
            chosen = candidates[0]
        else:
            later = [c for c in candidates if c >= previous[0] - 60_000_000_000]
            if later:
                chosen = later[0]
            else:
                chosen = candidates[0]
                out.append(
                    finding(
                        "timeline-order",
                        block.line,
                        f"{mention.describe()} comes after {previous[1]} (line {previous[2]}), "
                        "which is later",
                        "Put the timeline bullets in chronological order.",
                        section=TIMELINE.heading,
                    )
                )
        previous = (chosen, mention.describe(), block.line)
    return out


def _is_total(text: str, mention: DurationMention) -> bool:
    after = text[mention.end : mention.end + 60]
    before = text[max(0, mention.start - 40) : mention.start]
    return bool((mention.adjective and _TOTAL_AFTER.match(after)) or _TOTAL_BEFORE.search(before))


_PHASE = {
    "started": "the start",
    "detected": "detection",
    "acknowledged": "acknowledgement",
    "identified": "finding the cause",
    "mitigated": "the fix",
    "resolved": "resolution",
}


def _figures(figures: dict[str, float], *, start: str) -> str:
    """The figures from one milestone, in words: "From detection: acknowledged 5 minutes, ..."."""
    chosen = [(k.split(" to ")[1], v) for k, v in figures.items() if k.startswith(f"{start} to ")]
    if not chosen:
        return ""
    parts = [f"{k} {human_duration(timedelta(seconds=v))}" for k, v in chosen]
    return f"From {_PHASE[start]}: " + ", ".join(parts) + "."


def _durations(ctx: ReviewContext) -> list[Finding]:
    doc, facts = ctx.doc, ctx.known_times
    text = doc.plain
    out: list[Finding] = []
    for mention in find_durations(text):
        if not _checked(doc, mention.start):
            continue
        after = text[mention.end : mention.end + 40]
        if (mention.adjective and _POLICY_AFTER.match(after)) or _AGE_AFTER.match(after):
            continue
        section = doc.section_at(mention.start)
        line = doc.line_at(mention.start)
        stated = human_duration(timedelta(seconds=mention.seconds))
        quoted = repr(mention.text.strip()) + ("" if mention.text.strip() == stated else f" ({stated})")
        if _is_total(text, mention):
            if facts.duration is None:
                continue
            actual = facts.duration.total_seconds()
            if duration_agrees(mention.seconds, np.array([actual]), mention.qualifier).any():
                continue
            m = facts.milestones
            window = ""
            if m is not None and m.started is not None and m.resolved is not None:
                window = f" ({facts.clock(m.started)} to {facts.clock(m.resolved)})"
            better = (
                human_duration_adjective(facts.duration)
                if mention.adjective
                else human_duration(facts.duration)
            )
            out.append(
                finding(
                    "fact-duration",
                    line,
                    f"says {quoted}, but the incident lasted {human_duration(facts.duration)}{window}",
                    f"Write {better!r}.",
                    section=section,
                )
            )
            continue
        sentence = sentence_around(text, mention.start, mention.end)
        ends = {name for name, words in MILESTONE_WORDS.items() if words.search(sentence)}
        named = {k: v for k, v in facts.figures.items() if ends & set(k.split(" to "))}
        candidates = np.fromiter(named.values(), dtype="float64") if named else facts.durations
        if not len(candidates):
            continue
        if duration_agrees(mention.seconds, candidates, mention.qualifier).any():
            continue
        if named:
            closest = min(named, key=lambda k: abs(named[k] - mention.seconds))
            took = human_duration(timedelta(seconds=named[closest]))
            start, end = closest.split(" to ")
            span = f"from {_PHASE[start]} to {_PHASE[end]}"
            message = f"{quoted} does not match the timeline: {span} took {took}"
            suggestion = f"Write {took!r} if this is the time {span}; otherwise correct the figure."
        else:
            figures = _figures(facts.figures, start="detected")
            message = f"{quoted} matches no interval between the incident's events"
            suggestion = (
                figures + " " if figures else ""
            ) + "Correct the figure, or add the events it measures."
        out.append(finding("fact-duration", line, message, suggestion, section=section))
    return out


def _dates(ctx: ReviewContext) -> list[Finding]:
    doc, facts = ctx.doc, ctx.known_times
    out: list[Finding] = []
    if not facts.dates:
        return out
    days = sorted(facts.dates)
    known = ", ".join(human_date(pd.Timestamp(d.isoformat(), tz=facts.zone), facts.zone) for d in days[:3])
    for mention in find_dates(doc.plain):
        if not _checked(doc, mention.start):
            continue
        line = doc.line_at(mention.start)
        section = doc.section_at(mention.start)
        exact = mention.as_date()
        if mention.year is not None and exact is None:
            out.append(
                finding(
                    "fact-date",
                    line,
                    f"{mention.text!r} is not a real date",
                    f"The incident was on {known}.",
                    section=section,
                )
            )
            continue
        matches = (
            exact in facts.dates
            if exact
            else any((d.month, d.day) == (mention.month, mention.day) for d in days)
        )
        if not matches:
            out.append(
                finding(
                    "fact-date",
                    line,
                    f"{mention.text.strip()!r} is not a day of the incident",
                    f"The incident was on {known}.",
                    section=section,
                )
            )
            continue
        if mention.weekday:
            day = exact or next(d for d in days if (d.month, d.day) == (mention.month, mention.day))
            if day.strftime("%A") != mention.weekday:
                out.append(
                    finding(
                        "fact-date",
                        line,
                        f"{human_date(pd.Timestamp(day.isoformat(), tz=facts.zone), facts.zone)} was a "
                        f"{day.strftime('%A')}, not a {mention.weekday}",
                        f"Write {day.strftime('%A')}.",
                        section=section,
                    )
                )
    return out


def check_facts(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    every = find_times(doc.plain, ctx.known_times.labels)
    twenty_four = writes_24h(every)
    mentions = [m for m in settle_clock(every, twenty_four=twenty_four) if _checked(doc, m.start)]
    impact, claimed = check_impact(ctx, mentions)  # a stated impact time is held against the window
    mentions = [m for m in mentions if m.start not in claimed]
    return [*_times(ctx, mentions), *impact, *_order(ctx, twenty_four), *_durations(ctx), *_dates(ctx)]
