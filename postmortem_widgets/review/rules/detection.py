"""Detection honesty (the seed's first two tips), both ways: when a customer told us first, the draft says
so, never claims (in any words) that our monitoring caught it, and the timeline shows the customer's report;
when an alert did fire, the draft never says our monitoring never caught it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...sections import CHANGES, SUMMARY, TIMELINE
from ...timeline.mentions import find_times, label_zone, leads, reads_as
from ..document import sentence_around
from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext

_WHO = r"(?:customers?|users?|clients?|(?:customer[- ])?support tickets?|tickets?|customer reports?)"
_OURS = r"our\s+(?:own\s+)?(?:monitoring|alerts?|alerting|systems?|monitors?|tools|team)"
#: Ways a draft admits that a customer told us first.
ADMISSIONS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\b(?:found out|learned|learnt|heard|became aware|first knew|(?:were"
        r"|was) (?:first )?(?:alerted|notified|"
        rf"told|made aware))\b[^.!?]{{0,60}}?\b(?:when|because|from|through|via|after"
        rf"|by)\b[^.!?]{{0,60}}?\b{_WHO}",
        rf"\b{_WHO}[^.!?]{{0,100}}?\bfirst (?:signal|sign|indication|notice|alert|report|warning)\b",
        rf"\bfirst (?:signal|sign|indication|notice|alert|warning)\b[^.!?]{{0,80}}?\b{_WHO}",
        r"\b(?:customers?|users?|clients?)\b[^.!?]{0,40}?\b(?:told|alerted|notified|informed|warned|let)\s+us\b",
        r"\b(?:customers?|users?|clients?)\b[^.!?]{0,40}?\bmade us aware\b",
        rf"\b(?:customers?|users?|clients?)\b[^.!?]{{0,40}}?\bbefore {_OURS}",
        rf"\b(?:through|via|from|by) (?:a |an |the )?{_WHO}[^.!?]{{0,30}}?\brather than {_OURS}",
        rf"\brather than (?:through |by |from |via )?{_OURS}[^.!?]{{0,60}}?\b{_WHO}",
        rf"\b{_WHO}[^.!?]{{0,60}}?\brather than (?:through |by |from |via )?{_OURS}",
        r"\b(?:received|got|had)\s+(?:a|an|the|our first|their)\s+(?:[\w-]+\s+){0,2}?(?:report|ticket|email"
        r"|message|complaint|call)s?\s+from\s+(?:a|an|one of our|several|some|multiple|the)?\s*(?:[\w.-]+\s+)"
        r"{0,2}?(?:customers?|users?|clients?|reporters?)\b",
        r"\b(?:reported|raised|flagged)\s+(?:to us\s+)?(?:first\s+)?by\s+(?:an?|one of our|several|some"
        r"|the)?\s*"
        r"(?:customers?|users?|clients?)\b",
        r"\b(?:an?|one|several|some|the first)\s+(?:of our\s+)?(?:customers?|users?|clients?)\s+(?:first\s+)?"
        r"(?:reported|told|emailed|contacted|wrote to|alerted|notified)\b",
    )
)
_NEGATION = re.compile(
    r"\b(?:not|never|no|n't|rather than|instead of|failed to|without|before)\b[^,.;:!?]{0,25}$", re.I
)
_CUSTOMER = re.compile(rf"\b{_WHO}", re.I)
#: Ways a draft claims that our monitoring caught it.
CLAIMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\b(?:our|the)\s+(?:own\s+)?(?:automated\s+)?(?:monitoring(?:\s+systems?)?|alerting(?:\s+systems?)?|alerts?"
        r"|monitors?|systems?|health checks?)\s+(?:(?:quickly|immediately|automatically|promptly"
        r"|proactively)\s+)?"
        r"(?:detected|caught|flagged|spotted|noticed|picked up|identified|surfaced|alerted|notified"
        r"|paged|triggered)\b",
        r"\b(?:detected|caught|flagged|spotted|identified|picked up|discovered|noticed)\s+(?:[\w-]+\s+){0,3}?"
        r"(?:by|through|via)\s+(?:our\s+)?(?:own\s+)?(?:automated\s+)?(?:monitoring|alerting|alerts?|monitors?|"
        r"systems?|health checks?)\b",
        r"\b(?:we|our (?:team|engineers?|on-call(?: engineer)?))\s+(?:quickly\s+|immediately\s+"
        r"|proactively\s+|"
        r"promptly\s+)?(?:detected|noticed|spotted|caught)\s+(?:the|this|an|a)\s+(?:issue|problem|incident|outage|"
        r"degradation|failure|stale data|errors?)\b",
        r"\bproactively (?:detected|identified|discovered|caught|spotted)\b",
        r"\b(?:an?|our) (?:automated )?alert (?:fired|triggered|went off)\b",
        r"\bwe\s+(?:quickly\s+|immediately\s+|promptly\s+|first\s+|soon\s+)?(?:detected|noticed|spotted|caught)\b",
        r"\b(?:automated|automatic|internal)\s+(?:alerts?|alarms?|monitoring|checks?|monitors?)\s+(?:[\w-]+\s+)?"
        r"(?:notified|alerted|paged|warned|told|flagged|caught|detected|picked up)\b",
        r"\b(?:alerts?|alarms?|monitors?|monitoring)\s+(?:[\w-]+\s+)?(?:alerted|notified|paged|warned)\s+"
        r"(?:us|our|the team|the on-call|engineers?)\b",
    )
)
#: Ways a draft says our monitoring never caught it at all.
DENIALS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\b(?:our\s+)?(?:own\s+)?(?:monitoring|alerting|alerts?|monitors?|systems?)\s+(?:[\w-]+\s+)?"
        r"(?:never|at no point)\s+(?:caught|detected|flagged|noticed|fired|triggered|alerted|picked up"
        r"|saw)\b",
        r"\b(?:no|not a single|not one)\s+(?:automated\s+)?(?:alerts?|alarms?"
        r"|pages?)\s+(?:ever\s+)?(?:fired|triggered"
        r"|went off|was raised|were raised|was sent|were sent)\b",
        r"\bnever\s+(?:received|got|saw)\s+(?:an?|any)\s+(?:automated\s+)?(?:alerts?|alarms?|pages?)\b",
        r"\b(?:monitoring|alerting|alerts?)\s+(?:[\w-]+\s+)?(?:did not|didn't|failed to|wasn't able to"
        r"|was unable to"
        r"|could not|couldn't)\s+(?:catch|detect|notice|flag|fire|trigger|pick up)\s+(?:it|this|the (?:issue"
        r"|problem|incident|outage))\s+at all\b",
        r"\bwithout\s+(?:any|a single)\s+(?:automated\s+)?alerts?\s+(?:firing|being raised)\b",
    )
)


def check_detection(ctx: ReviewContext) -> list[Finding]:
    """When a customer told us first, the draft says so, never claims our monitoring caught it, and the
    timeline shows the customer's report."""
    facts = ctx.known_times
    denials = _denials(ctx)
    if facts.detected_by != "customer":
        return denials
    when = f" (at {facts.clock(facts.detected)})" if facts.detected is not None else ""
    detection_line = _detection_bullet(ctx)
    return [
        *_missing_admission(ctx, when, detection_line),
        *_monitoring_claims(ctx, when),
        *_missing_bullet(ctx, when, detection_line),
        *denials,
    ]


def _denials(ctx: ReviewContext) -> list[Finding]:
    """ "Our monitoring never caught it" when an alert did fire (or monitoring detected it)."""
    facts = ctx.known_times
    if facts.alerts:
        fired = f"an alert fired at {facts.clock(facts.alerts[0])}"
    elif facts.detected_by == "monitoring":
        fired = "our monitoring detected it" + (
            f" at {facts.clock(facts.detected)}" if facts.detected is not None else ""
        )
    else:
        return []
    doc = ctx.doc
    text = doc.reading
    out = []
    for pattern in DENIALS:
        for m in pattern.finditer(text):
            if doc.section_at(m.start()) == CHANGES.heading or doc.is_code(m.start()):
                continue
            out.append(
                finding(
                    "detection-denial",
                    doc.line_at(m.start()),
                    f"{' '.join(m.group().split())!r} says our monitoring never caught it, but {fired}",
                    "Say what happened: when our monitoring caught it, and how long after the first report.",
                    section=doc.section_at(m.start()),
                )
            )
    return out


def _detection_bullet(ctx: ReviewContext) -> int | None:
    """The line of the timeline bullet at the detection time, if there is one."""
    doc, facts = ctx.doc, ctx.known_times
    if facts.detected is None:
        return None
    for block in doc.blocks_in(TIMELINE.heading, "item"):
        item = doc.block_text(block)
        times = find_times(item, facts.labels)
        if not times or not leads(item, times[0].start):
            continue
        if reads_as(facts.detected, label_zone(times[0].label, facts.labels) or facts.zone, times[0]):
            return block.line
    return None


def _missing_admission(ctx: ReviewContext, when: str, detection_line: int | None) -> list[Finding]:
    doc = ctx.doc
    prose = "\n\n".join(doc.block_text(b) for b in doc.prose())
    if any(p.search(prose) for p in ADMISSIONS):
        return []
    summary = [h.line for h in doc.seed_headings() if h.section == SUMMARY.heading]
    line = detection_line or (summary[0] if summary else 1)
    return [
        finding(
            "detection-admission",
            line,
            f"a customer told us first{when}, but the draft never says so",
            'Say it plainly, as the seed does: "we found out when a customer told us", and mark the '
            "customer's report in the timeline as our first signal.",
            section=doc.section_of_line(line),
        )
    ]


def _monitoring_claims(ctx: ReviewContext, when: str) -> list[Finding]:
    doc = ctx.doc
    text = doc.reading
    out: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for pattern in CLAIMS:
        for m in pattern.finditer(text):
            if doc.section_at(m.start()) == CHANGES.heading or doc.is_code(m.start()):
                continue
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            if _NEGATION.search(before) or _CUSTOMER.search(sentence_around(text, m.start(), m.end())):
                continue
            taken.append((m.start(), m.end()))
            out.append(
                finding(
                    "detection-claim",
                    doc.line_at(m.start()),
                    f"{' '.join(m.group().split())!r} says our monitoring caught it, but a customer "
                    f"told us first{when}",
                    'Own the gap: "we didn\'t detect it ourselves; we found out when a customer told us."',
                    section=doc.section_at(m.start()),
                )
            )
    return out


def _missing_bullet(ctx: ReviewContext, when: str, detection_line: int | None) -> list[Finding]:
    doc = ctx.doc
    headings = [h for h in doc.seed_headings() if h.section == TIMELINE.heading]
    items = doc.blocks_in(TIMELINE.heading, "item")
    if not headings or not items or ctx.known_times.detected is None or detection_line is not None:
        return []
    return [
        finding(
            "detection-timeline",
            headings[0].line,
            f"the timeline leaves out the customer's report{when}, our first signal",
            "Add a bullet for it: the seed's second tip calls it the most uncomfortable and "
            "most honest line.",
            section=TIMELINE.heading,
        )
    ]
