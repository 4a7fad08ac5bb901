"""Tone (the seed: "Genuine, not performative"): no conditional or stock apologies, nothing defensive, and
no boasts or reassurance where an apology belongs ("Rest assured", uptime figures, "we are proud of",
"nothing is more important to us than"). Owning it ("this was our fault") is never defensive."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...sections import CHANGES
from ..model import WARNING, Finding, Severity, finding, phrase_findings

if TYPE_CHECKING:
    from ..context import ReviewContext

#: (pattern, severity, why): all style, so warnings; the message says which kind of apology it is.
PERFORMATIVE: tuple[tuple[re.Pattern[str], Severity, str], ...] = tuple(
    (re.compile(p, re.I), severity, why)
    for p, severity, why in (
        (
            r"\b(?:apologi[sz]e|sorry|regret)\s+(?:for|about)\s+any\b",
            WARNING,
            "apologises for 'any' harm instead of the real one",
        ),
        (
            r"\bapolog(?:y|ies)\s+for\s+any\b",
            WARNING,
            "apologises for 'any' harm instead of the real one",
        ),
        (r"\b(?:apologi[sz]e|sorry|regret)\s+if\b", WARNING, "is a conditional apology"),
        (r"\bregret\s+any\b", WARNING, "apologises for 'any' harm instead of the real one"),
        (r"\b(?:any|the)\s+inconvenience\b", WARNING, "calls an outage an inconvenience"),
        (
            r"\b(?:may|might)\s+have\s+(?:caused|experienced|been affected|been impacted)\b",
            WARNING,
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
        r"\b(?:wasn't|isn't|was not|is not|was in no way|is in no way) our fault\b|\bnot our fault\b",
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
        r"\b(?:caused|triggered)\s+(?:entirely\s+|solely\s+)?by\s+(?:a|an|our)\s+third[- ]party\b"
        r"|\bthird[- ]party (?:provider|vendor|service)\s+(?:was|is)\s+(?:solely\s+)?(?:responsible"
        r"|to blame|at fault)\b"
        r"|\bthe fault of (?:a|an|our) third[- ]party\b",
        r"\bwe want to (?:stress|emphasi[sz]e) that\b|\bin (?:all )?fairness\b|\bto be fair\b",
    )
)
#: Boasts and reassurance: where the reader expects an apology, the draft praises itself.
BOASTS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\brest assured\b",
        r"\b\d{2}(?:\.\d+)?\s?%\s+(?:uptime|availability|of the time)\b(?!\s+(?:target|goal|sla|commitment))"
        r"|\b(?:uptime|availability)\s+(?:record\s+)?of\s+(?:over\s+|more than\s+)?\d{2}(?:\.\d+)?\s?%",
        r"\bwe(?:'re| are)\s+(?:very\s+|extremely\s+|rightly\s+|justly\s+)?proud\s+of\b"
        r"|\btake\s+(?:great\s+|real\s+)?pride\s+in\b",
        r"\b(?:nothing|no one|nobody)\s+is\s+more\s+(?:important|passionate|committed|dedicated)\b",
        r"\b(?:industry|world)[- ]leading\b|\bbest[- ]in[- ]class\b|\bworld[- ]class\b",
        r"\b(?:our|an?)\s+(?:excellent|strong|proven|exemplary|stellar|outstanding)\s+(?:track record|record"
        r"|history)\b",
        r"\b(?:standard|level|quality) of service you(?:'ve| have) come to (?:trust|expect|rely on)\b",
        r"\bsufficient to prevent (?:a\s+)?re-?(?:currence|occurrence)\b|\bguarantee\w*\s+(?:that\s+)?"
        r"(?:this|it)\s+(?:will never|cannot|can't|won't)\s+happen again\b",
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
    out.extend(
        f
        for f in phrase_findings(
            doc,
            BOASTS,
            "tone-defensive",
            "reassures or boasts where the reader expects an apology",
            "Apologise and say what you are changing; a reader who was harmed hears praise as defence.",
        )
        if f.section != CHANGES.heading
    )
    return out
