"""Tone (the seed: "Genuine, not performative"): no conditional or stock apologies, nothing defensive."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import ERROR, WARNING, Finding, Severity, finding, phrase_findings

if TYPE_CHECKING:
    from ..context import ReviewContext

#: (pattern, severity, why): conditional and "any inconvenience" apologies are errors; stock phrases warnings.
PERFORMATIVE: tuple[tuple[re.Pattern[str], Severity, str], ...] = tuple(
    (re.compile(p, re.I), severity, why)
    for p, severity, why in (
        (
            r"\b(?:apologi[sz]e|sorry|regret)\s+(?:for|about)\s+any\b",
            ERROR,
            "apologises for 'any' harm instead of the real one",
        ),
        (r"\b(?:apologi[sz]e|sorry|regret)\s+if\b", ERROR, "is a conditional apology"),
        (r"\bregret\s+any\b", ERROR, "apologises for 'any' harm instead of the real one"),
        (r"\b(?:any|the)\s+inconvenience\b", ERROR, "calls an outage an inconvenience"),
        (
            r"\b(?:may|might)\s+have\s+(?:caused|experienced|been affected|been impacted)\b",
            ERROR,
            "hedges about harm that happened",
        ),
        (
            r"\bwe\s+take\s+(?:this|these matters|reliability|security|your trust|it"
            r"|our commitment)\b[^.]{0,30}"
            r"\bseriously\b",
            WARNING,
            "is a stock phrase",
        ),
        (r"\bthank\s+you\s+for\s+your\s+(?:patience|understanding)\b", WARNING, "is a stock phrase"),
        (
            r"\byour\s+satisfaction\s+is\b|\bvalued\s+customers?\b|\bwe\s+value\s+your\s+business\b",
            WARNING,
            "is a stock phrase",
        ),
    )
)
DEFENSIVE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\bthrough no fault of (?:our|its) own\b",
        r"\b(?:beyond|outside(?: of)?) our control\b",
        r"\b(?:was|is|wasn't|isn't|was not|is not) (?:not )?our fault\b",
        r"\bonly (?:a (?:small|tiny|limited) (?:number|subset|percentage|fraction|handful)"
        r"|a handful|a few|a minor|a fraction"
        r"|a small|\d+(?:\.\d+)?\s?%)",
        r"\b(?:extremely|very|incredibly|exceedingly) rare\b",
        r"\bcould not (?:have been )?(?:foreseen|predicted|prevented|anticipated)\b"
        r"|\bunforeseeable\b|\bunavoidable\b",
        r"\b(?:technically|strictly speaking)\b",
        r"\b(?:within|per|in accordance with) our (?:SLA|terms|terms of service|service level agreement)\b",
        r"\bas (?:stated|outlined|described) in our terms\b",
        r"\bdespite our best efforts\b",
        r"\bthese things happen\b|\b(?:all|any) (?:systems|software) (?:can|will) (?:fail|have)\b",
        r"\b(?:minor|small|brief|momentary) (?:hiccup|glitch|blip)\b|\bhiccup\b|\bblip\b",
        r"\bthird[- ]party (?:provider|vendor|service)[^.]{0,60}\b(?:caused|responsible|fault|to blame)\b",
        r"\bwe want to (?:stress|emphasi[sz]e) that\b|\bin (?:all )?fairness\b|\bto be fair\b",
    )
)


def check_tone(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    text = doc.plain
    out = []
    taken: list[tuple[int, int]] = []
    for pattern, severity, why in PERFORMATIVE:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() + 20 for start, end in taken):
                continue  # "apologize for any inconvenience" is one finding, not two
            taken.append((m.start(), m.end()))
            out.append(
                finding(
                    "tone-performative",
                    doc.line_at(m.start()),
                    f"{' '.join(m.group().split())!r} {why}",
                    "Apologise for what actually happened, to the people it happened to: \"We're "
                    "sorry for the "
                    'impact this caused".',
                    section=doc.section_at(m.start()),
                    severity=severity,
                )
            )
    out.extend(
        phrase_findings(
            doc,
            DEFENSIVE,
            "tone-defensive",
            "sounds defensive or minimising",
            "State what happened and own it; let the facts speak for the scale.",
        )
    )
    return out
