"""Structure: the seed's six sections in order, a 3-5 sentence Summary, a 2-3 sentence Apology,
and timeline bullets that start with a time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...sections import APOLOGY, HEADINGS, SUMMARY, TIMELINE
from ...timeline.mentions import DATE_RE, find_times, leads
from ..document import Document
from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext

SUMMARY_SENTENCES = (3, 5)
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+[\s*_\[(]*")
APOLOGY_SENTENCES = (2, 3)


def _heading_suggestion(doc: Document, name: str) -> str:
    for index, line in enumerate(doc.lines):
        bare = line.strip().strip("*_").strip().rstrip(":").strip()
        if bare.lower() == name.lower() and line.strip() != bare:
            return f"Line {index + 1} looks like this section's title: make it a heading, '## {name}'."
    position = HEADINGS.index(name)
    after = HEADINGS[position - 1] if position else None
    where = f"after '{after}'" if after else "at the top"
    return f"Add a '## {name}' section {where}."


def _missing(doc: Document) -> list[Finding]:
    present = {h.section for h in doc.seed_headings()}
    out = []
    for name in HEADINGS:
        if name in present:
            continue
        later = [h.line for h in doc.seed_headings() if h.section in HEADINGS[HEADINGS.index(name) + 1 :]]
        line = min(later) if later else len(doc.lines)
        out.append(
            finding(
                "section-missing",
                line,
                f"the '{name}' section is missing",
                _heading_suggestion(doc, name),
                section=name,
            )
        )
    return out


def _order(doc: Document) -> list[Finding]:
    out = []
    seen: dict[str, int] = {}
    furthest = -1
    for heading in doc.seed_headings():
        name = heading.section
        assert name is not None
        index = HEADINGS.index(name)
        if name in seen:
            out.append(
                finding(
                    "section-order",
                    heading.line,
                    f"'{name}' appears twice (first at line {seen[name]})",
                    "Merge the two into one section.",
                    section=name,
                )
            )
            continue
        seen[name] = heading.line
        if index < furthest:
            out.append(
                finding(
                    "section-order",
                    heading.line,
                    f"'{name}' comes after '{HEADINGS[furthest]}'",
                    "Put the sections in the seed's order: " + "; ".join(HEADINGS) + ".",
                    section=name,
                )
            )
        furthest = max(furthest, index)
    return out


def _length(doc: Document, name: str, bounds: tuple[int, int], rule: str) -> list[Finding]:
    headings = [h for h in doc.seed_headings() if h.section == name]
    if not headings:
        return []
    sentences = [s for b in doc.prose() if b.section == name for s in doc.sentences(b)]
    low, high = bounds
    if low <= len(sentences) <= high:
        return []
    if len(sentences) > high:
        line = doc.line_at(sentences[high].start)
        advice = f"Cut it to {high} at most: keep what happened, who was affected and when it was resolved."
        if name == APOLOGY.heading:
            advice = f"Cut it to {high} at most: one apology, one honest admission, one commitment."
    else:
        line = headings[0].line
        advice = f"Write at least {low}."
        if name == SUMMARY.heading:
            advice += " Say what happened, who was affected and when it was resolved."
        else:
            advice += " Apologise once, plainly, and state a commitment."
    count = f"{len(sentences)} sentence{'s' if len(sentences) != 1 else ''}"
    return [
        finding(rule, line, f"the {name} has {count}; the seed asks for {low}-{high}", advice, section=name)
    ]


def _bullets(ctx: ReviewContext) -> list[Finding]:
    """Timeline bullets start with a time, or a date for an event known only to the day ("2023-03-03:").

    Only bullets at the nesting level where the timeline's timed bullets are: a bullet beside them that
    has no time has lost it; a bullet of notes around a nested list of times has not.
    """
    doc = ctx.doc
    items = doc.blocks_in(TIMELINE.heading, "item")
    timed: list[tuple[tuple[int, int], bool]] = []  # ((parent item's line, indent), starts with a time)
    stack: list[tuple[int, int]] = []  # open items: (indent, line)
    for block in items:
        indent = doc.indent(block)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        group = (stack[-1][1] if stack else 0, indent)
        stack.append((indent, block.line))
        text = doc.block_text(block)
        times = find_times(text, ctx.known_times.labels)
        dated = DATE_RE.match(_BULLET.sub("", text, count=1)) is not None
        timed.append((group, bool(times and leads(text, times[0].start)) or dated))
    groups = {group for group, ok in timed if ok}
    out = []
    for block, (group, ok) in zip(items, timed, strict=True):
        if ok or (groups and group not in groups):
            continue
        out.append(
            finding(
                "timeline-bullet",
                block.line,
                "this timeline bullet does not start with a time",
                "Write each bullet as '- **9:14am ET:** what happened', in the incident's time zone.",
                section=TIMELINE.heading,
            )
        )
    return out


def check_structure(ctx: ReviewContext) -> list[Finding]:
    doc = ctx.doc
    return [
        *_missing(doc),
        *_order(doc),
        *_length(doc, SUMMARY.heading, SUMMARY_SENTENCES, "summary-length"),
        *_length(doc, APOLOGY.heading, APOLOGY_SENTENCES, "apology-length"),
        *_bullets(ctx),
    ]
