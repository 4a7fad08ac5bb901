"""Cited evidence: each ``[E3]`` names an event the prompt numbered, and a cited bullet is at its time.

A model cites the event data line behind a timeline bullet (:mod:`~postmortem_widgets.timeline.evidence`
numbers them, for the prompt and for this rule alike). A citation to an id the data never had is an
invention; a bullet whose time is not its cited event's time states a wrong fact with a source that seems
to vouch for it. Both are errors. Times are compared within a minute, in the zone the bullet writes.
A timeline whose bullets cite their events but for one or two leaves those unchecked: a warning each
(a draft that cites nothing, written by hand or offline, is not asked to).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...sections import TIMELINE
from ...timeline.evidence import Citation, find_citations
from ...timeline.mentions import find_times, label_zone, leads, reads_as, settle_clock, writes_24h
from ..model import Finding, finding

if TYPE_CHECKING:
    from ..context import ReviewContext


def _known(ctx: ReviewContext) -> str:
    ids = [e.id for e in ctx.evidence]
    return f"{ids[0]}-{ids[-1]}" if len(ids) > 1 else (ids[0] if ids else "none")


def _missing(ctx: ReviewContext, citation: Citation, ids: set[str]) -> list[Finding]:
    doc = ctx.doc
    return [
        finding(
            "citation-missing",
            doc.line_at(citation.start),
            f"cites {cited}, but the prompt's event data had no such event (its events are {_known(ctx)})",
            "Cite the event the bullet describes, or remove the citation and check the bullet against the "
            "timeline.",
            section=doc.section_at(citation.start),
        )
        for cited in citation.ids
        if cited not in ids
    ]


def _wrong_times(ctx: ReviewContext, twenty_four: bool) -> list[Finding]:
    """A timeline bullet's leading time against each event it cites."""
    doc, facts = ctx.doc, ctx.known_times
    by_id = {e.id: e.event for e in ctx.evidence}
    out: list[Finding] = []
    for block in doc.blocks_in(TIMELINE.heading, "item"):
        text = doc.block_text(block)
        citations = list(find_citations(text))
        mentions = settle_clock(find_times(text, facts.labels), twenty_four=twenty_four)
        if not citations or not mentions or not leads(text, mentions[0].start):
            continue
        mention = mentions[0]
        zone = label_zone(mention.label, facts.labels) or facts.zone
        for cited in (i for c in citations for i in c.ids if i in by_id):
            event = by_id[cited]
            if reads_as(event.time, zone, mention):
                continue
            out.append(
                finding(
                    "citation-time",
                    block.line,
                    f"the bullet says {mention.describe()}, but the event it cites, {cited}, was at "
                    f"{facts.clock(event.time)} ({event.describe()[:80]})",
                    f"Write {facts.clock(event.time)}, or cite the event at {mention.describe()}.",
                    section=TIMELINE.heading,
                )
            )
    return out


def _uncited(ctx: ReviewContext) -> list[Finding]:
    """A warning for each timeline bullet without a citation, when other bullets have one."""
    doc = ctx.doc
    bullets = [(block, doc.block_text(block)) for block in doc.blocks_in(TIMELINE.heading, "item")]
    cited = [any(find_citations(text)) for _, text in bullets]
    if not any(cited):
        return []
    return [
        finding(
            "citation-none",
            block.line,
            f"this bullet cites no event, though {sum(cited)} of the {len(bullets)} timeline bullets do: "
            "nothing vouches for it",
            "Cite the event data line behind it (e.g. [E3]), or check it against the timeline and keep it "
            "as written.",
            section=TIMELINE.heading,
        )
        for (block, _), has in zip(bullets, cited, strict=True)
        if not has
    ]


def check_evidence(ctx: ReviewContext) -> list[Finding]:
    """Errors for citations to events that were never numbered and for bullets at another time; a warning
    for a bullet left uncited among cited ones."""
    doc = ctx.doc
    ids = {e.id for e in ctx.evidence}
    out: list[Finding] = []
    for citation in find_citations(doc.text):
        if not doc.is_code(citation.start):
            out.extend(_missing(ctx, citation, ids))
    twenty_four = writes_24h(find_times(doc.reading, ctx.known_times.labels))
    return out + _wrong_times(ctx, twenty_four) + _uncited(ctx)


__all__ = ["check_evidence"]
