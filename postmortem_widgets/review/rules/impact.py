"""The impact window: a stated start or end of the impact agrees with the monitoring data, within a bin.

Part of the facts family (:func:`~.facts.check_facts` runs it). "Errors began at 2:00pm", "error rates rose
sharply at 2:00pm", "response times returned to normal at 2:52pm" and a timeline bullet such as
"**2:00pm:** Error rates rose sharply" state when a signal left its baseline or came back: such a time is
checked against the impact window (:attr:`~postmortem_widgets.timeline.merge.Timeline.impact`), not against
any event, so a time that happens to match another event is still caught. A stated time agrees when it is
within the window's bin (never under a minute: a draft writes minutes).

A sentence states an impact time when it names a signal (errors, failures, latency, response times,
timeouts, traffic) and a verb of rising or returning ("began", "rose", "spiked"; "returned to", "back to",
"subsided", "stopped") stands just before the time ("... rose sharply at 2:00pm") or, in a bullet that
opens with the time, just after it. The incident's own start ("the problem began at ...") is a milestone,
checked by the other facts rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from ...timeline.mentions import TimeMention, day_seconds, label_zone, matching
from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ImpactWindow, ReviewContext

START, END = "start", "end"
_SIGNAL = re.compile(
    r"\b(?:errors?|error rates?|failures?|failed|failing|latenc(?:y|ies)|response times?|timeouts?|5xx"
    r"|slow(?:er|ness|downs?)?|traffic|requests? (?:volume|rates?))\b",
    re.I,
)
_STARTS = (
    r"began|begun|started|starting|rose|risen|spiked|jumped|increased|climbed|surged|soared|appeared"
    r"|dropped sharply|fell sharply|collapsed"
)
_ENDS = (
    r"returned to|back to|subsided|stopped|ended|normali[sz]ed|cleared|eased|fell back|dropped back"
    r"|came back down|went back down|recovered"
)
_CLAIM = re.compile(rf"\b(?:(?P<end>{_ENDS})|(?P<start>{_STARTS}))\b", re.I)
#: What may stand between the verb and the time: "... rose sharply from 0.1% to 30% at".
_BEFORE_TIME = re.compile(
    r"^[^!?;\n]{0,45}?\b(?:at|around|by|from|as of|approximately|about|shortly after|just after)\s*$", re.I
)
#: A bullet that opens with the time: a few words (with a signal among them) and the verb.
_AFTER_TIME = re.compile(rf"[\s:*\-–—),]*(?P<words>(?:[\w%.,'’-]+\s+){{0,6}}?)(?:{_ENDS}|{_STARTS})\b", re.I)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
#: What may stand before a time that opens a bullet: the list marker, emphasis, a bracket.
_OPENS_LINE = re.compile(r"\s*(?:[-*+•]|\d{1,3}[.)])?[\s*_\[(]*")


def _sentence_start(text: str, offset: int) -> int:
    """Where the sentence holding ``offset`` begins: after a full stop and a space, or the line's start."""
    line = text.rfind("\n", 0, offset) + 1
    ends = [m.end() for m in _SENTENCE_END.finditer(text, line, offset)]
    return ends[-1] if ends else line


def _sentence_end(text: str, offset: int) -> int:
    line = text.find("\n", offset)
    line = len(text) if line < 0 else line
    found = _SENTENCE_END.search(text, offset, line)
    return found.start() if found else line


def _kind(match: re.Match[str]) -> str:
    return END if match.group("end") else START


def impact_claim(text: str, mention: TimeMention, *, since: int = 0) -> str | None:
    """``start`` or ``end`` when the time at ``mention`` states when the impact began or ended; else None.

    ``since`` is where the previous time mention ended: only the words after it speak of this one.

    >>> from postmortem_widgets.timeline.mentions import find_times
    >>> text = "Error rates rose sharply at 2:00pm and returned to normal at 2:52pm."
    >>> [impact_claim(text, m) for m in find_times(text, [])]
    ['start', 'end']
    """
    start = _sentence_start(text, mention.start)
    if not _SIGNAL.search(text, start, mention.start) and not _SIGNAL.search(
        text, mention.end, _sentence_end(text, mention.end)
    ):
        return None
    before = text[max(start, since) : mention.start]
    claims = list(_CLAIM.finditer(before))
    if (
        claims
        and _BEFORE_TIME.match(before[claims[-1].end() :])
        and _SIGNAL.search(text, start, mention.start)
    ):
        return _kind(claims[-1])
    line = text.rfind("\n", 0, mention.start) + 1
    if _OPENS_LINE.fullmatch(text, line, mention.start):
        after = _AFTER_TIME.match(text, mention.end, _sentence_end(text, mention.end))
        if after is not None and _SIGNAL.search(after.group()):
            claim = _CLAIM.search(after.group(), len(after.group("words")))
            return _kind(claim) if claim is not None else None
    return None


def _wrong(ctx: ReviewContext, window: ImpactWindow, mention: TimeMention, claim: str) -> Finding | None:
    """The finding for a stated impact time that the window does not bear out, or ``None``."""
    facts = ctx.known_times
    when = window.began if claim == START else window.ended
    if when is None:
        return None  # the data never showed the end: nothing to hold the claim against
    zone = label_zone(mention.label, facts.labels) or facts.zone
    if len(matching(np.array([day_seconds(when, zone)]), mention, tolerance=window.tolerance)):
        return None
    doc = ctx.doc
    what = "began" if claim == START else "ended"
    stated = mention.describe().rstrip(".")
    return finding(
        "fact-impact",
        doc.line_at(mention.start),
        f"{stated} is not when the monitoring data shows the impact {what}: {facts.clock(when)} "
        f"({window.evidence})",
        f"Write {facts.clock(when)}, or say what else happened at {stated}.",
        section=doc.section_at(mention.start),
    )


def check_impact(ctx: ReviewContext, mentions: list[TimeMention]) -> tuple[list[Finding], set[int]]:
    """Findings for stated impact times that disagree with the window, and the offsets of every mention
    that states one (the other time rules leave those to this one)."""
    window = ctx.known_times.impact
    if window is None:
        return [], set()
    text = ctx.doc.plain
    out: list[Finding] = []
    claimed: set[int] = set()
    since = 0
    for mention in mentions:
        claim = impact_claim(text, mention, since=since)
        since = mention.end
        if claim is None:
            continue
        claimed.add(mention.start)
        wrong = _wrong(ctx, window, mention, claim)
        if wrong is not None:
            out.append(wrong)
    return out, claimed


__all__ = ["END", "START", "check_impact", "impact_claim"]
