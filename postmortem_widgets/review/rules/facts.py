"""Facts: every clock time, date and duration in the draft agrees with the incident, within a minute.

Checked in the sections that state what happened (not What We're Changing or the Apology, which speak of
the future). A time must match an event or milestone; a time stated as the resolution must be the
resolution; timeline bullets must run forward; a zone label names the right season ("EDT" in April);
durations are checked against what they measure (:mod:`.durations`); a date must be a day of the incident
when the sentence says the incident happened then (an earlier deploy or a later update is background).
"""

from __future__ import annotations

import re
from datetime import date, tzinfo
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...sections import SUMMARY, TIMELINE
from ...timeline.humanize import human_date
from ...timeline.mentions import (
    DateMention,
    TimeMention,
    find_dates,
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
from .durations import check_durations
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
_SCHEDULE_BEFORE = re.compile(
    r"\b(?:every|each|daily|nightly|hourly|weekly|once a day|per day|scheduled for|normally|usually)\b"
    r"[^.;]{0,40}\(?\s*(?:at\s+)?$",
    re.I,
)


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
        if _SCHEDULE_BEFORE.search(doc.reading[max(0, mention.start - 60) : mention.start]):
            continue  # "once every 24 hours (at 01:00 UTC)": when something runs, not an event
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


#: Words that say a sentence is about the incident itself: a wrong date in it is a wrong fact.
_INCIDENT_CLAIM = re.compile(
    r"\b(?:experienced|incident|outage|disruption|downtime|went down|was down|were down|unavailable|degraded"
    r"|impact(?:ed)?|affected|began|started|resolved|restored|detected|failed|failing)\b",
    re.I,
)
#: Words that place a sentence outside the incident: an earlier change, a later update, another incident.
_BACKGROUND = re.compile(
    r"\b(?:earlier|previous(?:ly)?|prior|last (?:week|month|year)|in the past|ago|history|published"
    r"|update[ds]?"
    r"|edit(?:ed)?|separate|unrelated|another|before (?:this|that)|since then|follow(?:ing|ed) (?:the|an?)"
    r"|a (?:similar|related) (?:incident|outage))\b",
    re.I,
)
#: A date this many days from the incident is likely a typo for one of its days; further away, background.
NEAR_DAYS = 2


def _date_known(facts: KnownTimes, mention: DateMention, exact: date | None) -> bool:
    known = facts.dates | facts.record_dates
    if exact is not None:
        return exact in known
    return any((d.month, d.day) == (mention.month, mention.day) for d in known)


def _days_away(facts: KnownTimes, mention: DateMention, exact: date | None) -> int:
    days = sorted(facts.dates)
    if exact is None:
        year = days[0].year
        try:
            exact = date(year, mention.month, mention.day)
        except ValueError:
            return 366
    return min(abs((exact - d).days) for d in days)


def _date_claim(doc: Document, mention: DateMention, labels: dict[str, tzinfo]) -> tuple[bool, bool]:
    """(the sentence says the incident happened on this date, the sentence is background)."""
    text = doc.reading
    sentence = sentence_around(text, mention.start, mention.end)
    line = doc.lines[doc.line_at(mention.start) - 1]
    timed_bullet = doc.section_at(mention.start) == TIMELINE.heading and bool(find_times(line, labels))
    claim = timed_bullet or bool(_INCIDENT_CLAIM.search(sentence)) or bool(find_times(sentence, labels))
    return claim, bool(_BACKGROUND.search(sentence))


def _date_finding(ctx: ReviewContext, mention: DateMention, known: str) -> Finding | None:
    """A date that is not a day of the incident: an error when the sentence says the incident happened then,
    a warning for a near date in another sentence, nothing for a background date (an earlier deploy, a
    later update, another incident)."""
    doc, facts = ctx.doc, ctx.known_times
    exact = mention.as_date()
    claim, background = _date_claim(doc, mention, facts.labels)
    section = doc.section_at(mention.start)
    near = _days_away(facts, mention, exact) <= NEAR_DAYS
    if background and not (section == SUMMARY.heading and claim and near):
        return None
    if not near and not (claim and section in (SUMMARY.heading, TIMELINE.heading)):
        return None
    return finding(
        "fact-date",
        doc.line_at(mention.start),
        f"{mention.text.strip()!r} is not a day of the incident",
        f"The incident was on {known}.",
        section=section,
        severity=None if claim else WARNING,
    )


def _weekday(ctx: ReviewContext, mention: DateMention) -> Finding | None:
    doc, facts = ctx.doc, ctx.known_times
    known = facts.dates | facts.record_dates
    exact = mention.as_date()
    day = exact or next((d for d in sorted(known) if (d.month, d.day) == (mention.month, mention.day)), None)
    if day is None or not mention.weekday or day.strftime("%A") == mention.weekday:
        return None
    return finding(
        "fact-date",
        doc.line_at(mention.start),
        f"{human_date(pd.Timestamp(day.isoformat(), tz=facts.zone), facts.zone)} was a "
        f"{day.strftime('%A')}, not a {mention.weekday}",
        f"Write {day.strftime('%A')}.",
        section=doc.section_at(mention.start),
    )


def _dates(ctx: ReviewContext) -> list[Finding]:
    doc, facts = ctx.doc, ctx.known_times
    out: list[Finding] = []
    if not facts.dates:
        return out
    days = sorted(facts.dates)
    known = ", ".join(human_date(pd.Timestamp(d.isoformat(), tz=facts.zone), facts.zone) for d in days[:3])
    for mention in find_dates(doc.reading):
        if not _checked(doc, mention.start):
            continue
        exact = mention.as_date()
        if mention.year is not None and exact is None:
            out.append(
                finding(
                    "fact-date",
                    doc.line_at(mention.start),
                    f"{mention.text!r} is not a real date",
                    f"The incident was on {known}.",
                    section=doc.section_at(mention.start),
                )
            )
            continue
        found = (
            _weekday(ctx, mention)
            if _date_known(facts, mention, exact)
            else _date_finding(ctx, mention, known)
        )
        if found is not None:
            out.append(found)
    return out


def _zone_seasons(ctx: ReviewContext) -> list[Finding]:
    """A standard-time label in summer ("EST" in April) or a daylight one in winter: a wrong offset."""
    doc, facts = ctx.doc, ctx.known_times
    if not len(facts.times):
        return []
    at = pd.Timestamp(facts.times[0]).tz_localize("UTC").tz_convert(facts.zone)
    current = at.tzname() or ""
    other = {
        (pd.Timestamp(f"{at.year}-01-15 12:00").tz_localize(facts.zone).tzname() or ""),
        (pd.Timestamp(f"{at.year}-07-15 12:00").tz_localize(facts.zone).tzname() or ""),
    } - {current}
    wrong = {o for o in other if o[:1].isalpha() and len(o) >= 3}
    if not wrong or not current[:1].isalpha():
        return []
    out = []
    for m in re.finditer(r"\b(" + "|".join(map(re.escape, sorted(wrong))) + r")\b", doc.reading):
        if not _checked(doc, m.start()):
            continue
        out.append(
            finding(
                "fact-time",
                doc.line_at(m.start()),
                f"{m.group()} is not the zone's time on {human_date(at, facts.zone)}: it was {current}",
                f"Write {current} (or {facts.zone_name}); {m.group()} is an hour off.",
                section=doc.section_at(m.start()),
                severity=WARNING,
            )
        )
        break
    return out


def check_facts(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    every = find_times(doc.reading, ctx.known_times.labels)
    twenty_four = writes_24h(every)
    mentions = [m for m in settle_clock(every, twenty_four=twenty_four) if _checked(doc, m.start)]
    impact, claimed = check_impact(ctx, mentions)  # a stated impact time is held against the window
    mentions = [m for m in mentions if m.start not in claimed]
    return [
        *_times(ctx, mentions),
        *impact,
        *_zone_seasons(ctx),
        *_order(ctx, twenty_four),
        *check_durations(ctx, twenty_four=twenty_four),
        *_dates(ctx),
    ]
