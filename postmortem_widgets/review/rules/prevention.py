"""Specific prevention (the seed's third tip): "We're improving our monitoring" is not a change.

Read by meaning, not by verb: a commitment of ours (a sentence or list item in What We're Changing, or one
whose subject is us) that holds a vague phrase is flagged unless it also names the thing being added,
changed or removed. The phrases live in a data file users extend (:mod:`..phrases`). What We're Changing
must hold at least one concrete item.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...sections import CHANGES
from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext

#: A sentence whose subject is us: a commitment of ours, not a customer's ("customers who have yet to take
#: action") or a third party's.
_OURS = re.compile(r"\b(?:we|we'll|we're|we've|we'd|us|our (?:team|teams|engineers?|company))\b", re.I)
#: ... that commits to something: a future, an ongoing or a finished change, not a habit ("We post updates
#: on incidents regularly to prevent recurrence").
_COMMITS = re.compile(
    r"\b(?:will|shall|'ll|going to|plan(?:s|ning)? to|intend\w* to|aim\w* to|commit\w*|promise\w*|must|should"
    r"|(?:is|are|'re|am) \w+ing|(?:have|has|'ve) (?:been )?\w+(?:ed|en)|our (?:goal|plan|priority|aim)"
    r"|worked (?:with \w+(?: \w+)*? )?to|decided to|agreed to)\b",
    re.I,
)


def _units(ctx: ReviewContext) -> list[tuple[int, str, str]]:
    """(offset, text, section) for each list item and each sentence of each paragraph, as a reader reads."""
    doc = ctx.doc
    units = []
    for block in doc.prose():
        if block.kind == "item":
            units.append((block.start, doc.reading[block.start : block.end], block.section))
        else:
            units.extend((s.start, doc.reading[s.start : s.end], block.section) for s in doc.sentences(block))
    return units


def _ours(ctx: ReviewContext, text: str, section: str) -> bool:
    """Whether ``text`` is a commitment of ours: anything in What We're Changing; elsewhere a sentence
    whose subject is us (or the product or company) and that commits to something."""
    if section == CHANGES.heading:
        return True
    text = text.replace("’", "'")
    names = [n.split()[0] for n in ctx.allowed[:2] if n.split()]
    subject = bool(_OURS.search(text)) or any(re.search(rf"\b{re.escape(n)}\b", text) for n in names)
    return subject and bool(_COMMITS.search(text))


def check_prevention(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    phrases = ctx.prevention
    out = []
    for offset, text, section in _units(ctx):
        if not _ours(ctx, text, section) or phrases.aside(text) or phrases.concrete(text):
            continue
        for m in phrases.vague(text):
            start = offset + m.start()
            out.append(
                finding(
                    "prevention-vague",
                    doc.line_at(start),
                    f"{' '.join(m.group().split())!r} is a commitment without a concrete measure",
                    "Name the specific thing being added, changed or removed, as the seed does: \"we're "
                    'adding a cache accuracy check to every deployment".',
                    section=section,
                )
            )
    headings = [h for h in doc.seed_headings() if h.section == CHANGES.heading]
    if headings:
        items = doc.blocks_in(CHANGES.heading, "item")
        texts = [doc.reading[b.start : b.end] for b in items] or [
            s.text for b in doc.blocks_in(CHANGES.heading, "paragraph") for s in doc.sentences(b)
        ]
        if not any(phrases.concrete(t) for t in texts):
            out.append(
                finding(
                    "prevention-empty",
                    headings[0].line,
                    "What We're Changing names no concrete change",
                    "List each change as a numbered item that names what is being added, changed or removed, "
                    'and when it runs ("every deployment", "every 5 minutes").',
                    section=CHANGES.heading,
                )
            )
    return out
