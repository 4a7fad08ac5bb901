"""No blame (the seed: "Avoid blaming individuals"): blame language and people's names.

Names come from the roster, the responders and the timeline's people, and, without any roster, from the
shape of a mention: a role and a first name, an honorific, an @handle (a warning: it may be a public
account). The product's and company's own words are never a person's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...privacy.names import find_people
from ..model import WARNING, Finding, finding, phrase_findings

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
    hits = [h for h in ctx.names.finditer(text) if not ctx.claimed(h.start, h.end)]
    for hit in hits:
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
    out.extend(_mentions(ctx, [(h.start, h.end) for h in hits]))
    return out


def _mentions(ctx: ReviewContext, known: list[tuple[int, int]]) -> list[Finding]:
    """People found by the shape of their mention, where no roster name was found already."""
    doc = ctx.doc
    out = []
    for person in find_people(doc.reading, exclude=ctx.vocabulary):
        if ctx.claimed(person.start, person.end) or doc.is_code(person.start):
            continue
        if any(person.start < end and start < person.end for start, end in known):
            continue
        handle = person.shape == "handle"
        said = " ".join(person.text.split()).strip(" ,")
        out.append(
            finding(
                "person-name",
                doc.line_at(person.start),
                f"names {said!r}, a person's handle"
                if handle
                else f"names {person.name!r} ({said!r}), a person",
                'Refer to the role ("our on-call engineer"), never to a person: the seed\'s fifth tip.'
                + (" Keep it only if it is a public account customers follow." if handle else ""),
                section=doc.section_at(person.start),
                severity=WARNING if handle else None,
            )
        )
    return out
