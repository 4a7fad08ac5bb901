"""No blame (the seed: "Avoid blaming individuals"): blame language and people's names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Finding, finding, phrase_findings

if TYPE_CHECKING:
    from ..context import ReviewContext

_ROLE = (
    r"(?:engineer|developer|operator|employee|team member|admin(?:istrator)?|contractor|intern|technician"
    r"|staff member|sre|colleague|member of (?:our|the) team)"
)
BLAME: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"\b(?:human|operator|user|engineer|personnel) error\b",
        rf"\b(?:an?|one of our|the|our)\s+(?:[\w-]+\s+)?{_ROLE}s?\s+(?:made (?:a|an) (?:mistake"
        r"|error)|mistakenly"
        r"|accidentally|inadvertently|carelessly|forgot|failed to|neglected to|erroneously"
        r"|misconfigured|broke"
        r"|pushed a bad|ran the wrong|did not follow|didn't follow|should have)\b",
        r"\b(?:caused|triggered|introduced|broken)\s+by\s+(?:an?|one of our|the"
        rf"|our)\s+(?:[\w-]+\s+)?{_ROLE}",
        r"\b(?:someone|somebody)\s+(?:on|in|from)\s+(?:our|the)\s+team\b",
        r"\b(?:his|her|their)\s+(?:mistake|error|fault|oversight|negligence)\b",
        r"\b(?:negligence|carelessness|incompetence)\b",
        r"\b(?:was|is|were|are)\s+to\s+blame\b|\bat fault\b|\bthe fault of\b",
    )
)
_BY_PERSON = re.compile(r"\b(?:caused|triggered|introduced|broken|made|pushed|deployed)\s+by\s*$", re.I)


def check_blame(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    text = doc.plain
    out = phrase_findings(
        doc,
        BLAME,
        "blame-language",
        "blames a person",
        'Describe what failed in the system and what let it happen ("a routine update introduced '
        'a configuration error"), not who did it.',
    )
    for hit in ctx.names.finditer(text):
        if ctx.claimed(hit.start, hit.end):
            continue
        line, section = doc.line_at(hit.start), doc.section_at(hit.start)
        if _BY_PERSON.search(text[max(0, hit.start - 30) : hit.start]):
            out.append(
                finding(
                    "blame-language",
                    line,
                    f"says the incident was caused by a person ({hit.text})",
                    "Describe what failed in the system, not who did it.",
                    section=section,
                )
            )
        out.append(
            finding(
                "person-name",
                line,
                f"names {hit.text!r}, a member of the team",
                'Refer to the role ("our on-call engineer"), never to a person: the seed\'s fifth tip.',
                section=section,
            )
        )
    return out
