"""Redraft one section of a draft and keep every other byte as it was.

A draft is cut into parts at the headings that name a seed section, found as the reviewer finds them
(:func:`~postmortem_widgets.sections.seed_headings`: not inside fenced code; a looser heading such as
"What happened" counts when no heading names that section plainly). Joined, the parts are the draft
again, byte for byte, so replacing one part's body touches nothing else. The section keeps the draft's
own heading line: only its body is new.

>>> text = "# Title\\n\\n## Summary\\n\\nOld.\\n\\n## Why It Happened\\n\\nBecause.\\n"
>>> splice_section(text, section_named("summary"), "## Summary\\n\\nNew words.")
'# Title\\n\\n## Summary\\n\\nNew words.\\n\\n## Why It Happened\\n\\nBecause.\\n'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..sections import HEADING_LINE, SECTIONS, Section, section_named, seed_headings
from ..timeline.clock import timed_item
from .drafters.base import DraftResult, DraftStream
from .drafters.offline import OfflineDrafter

if TYPE_CHECKING:
    from ..incident.record import Incident
    from ..timeline.merge import Timeline
    from .drafters.base import Drafter
    from .prompt import Prompt

_TAIL = re.compile(r"\s*\Z")


@dataclass(frozen=True)
class Part:
    """A slice of a draft: ``text[start:end]``; ``section`` is ``None`` for what comes before the first."""

    start: int
    end: int
    section: Section | None
    #: The heading line as written (``""`` for the part before the first section).
    heading: str = ""


def _heads(text: str) -> list[tuple[int, str, Section]]:
    """``(offset, heading line, section)`` of each heading that names a seed section, first one wins.

    The sections are found as the reviewer finds them (:func:`~postmortem_widgets.sections.seed_headings`):
    a heading inside fenced code is not one, and "What happened" is the Timeline only over its bullets.
    """
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    out: list[tuple[int, str, Section]] = []
    seen: set[Section] = set()
    for index, section in sorted(seed_headings(lines, timed=timed_item).items()):
        if section not in seen:
            seen.add(section)
            out.append((starts[index], lines[index], section))
    return out


def split_draft(text: str) -> list[Part]:
    """The draft's parts, in order; they cover the text exactly (their slices join to ``text``)."""
    heads = _heads(text)
    parts: list[Part] = []
    first = heads[0][0] if heads else len(text)
    if first > 0 or not heads:
        parts.append(Part(0, first, None))
    for index, (start, line, section) in enumerate(heads):
        end = heads[index + 1][0] if index + 1 < len(heads) else len(text)
        parts.append(Part(start, end, section, line))
    return parts


def section_text(text: str, section: Section) -> str | None:
    """A section of the draft as written (heading included), or ``None`` when the draft lacks it."""
    part = next((p for p in split_draft(text) if p.section == section), None)
    return None if part is None else text[part.start : part.end]


def _body(reply: str, section: Section) -> str:
    """What follows the heading in a drafter's answer for one section (the answer's own section when it
    wrote several, its whole text when it wrote no heading)."""
    own = section_text(reply, section)
    if own is not None:
        reply = own
    first, _, rest = reply.lstrip("\n").partition("\n")
    if HEADING_LINE.match(first) is not None:
        reply = rest
    return reply.strip("\n").rstrip()


def splice_section(text: str, section: Section, reply: str) -> str:
    """``text`` with ``section``'s body replaced by the body of ``reply``; every other byte is kept.

    A section the draft lacks is inserted where the seed's order puts it, under the seed's heading.
    """
    body = _body(reply, section)
    parts = split_draft(text)
    part = next((p for p in parts if p.section == section), None)
    if part is not None:
        old = text[part.start : part.end]
        tail = _TAIL.search(old)
        gap = tail.group() if tail is not None and tail.group() else ""
        new = f"{part.heading}\n\n{body}{gap or chr(10)}" if body else f"{part.heading}{gap or chr(10)}"
        if part.end == len(text) and not gap:
            new = new.rstrip("\n")
        return text[: part.start] + new + text[part.end :]
    order = [s.key for s in SECTIONS]
    later = [
        p for p in parts if p.section is not None and order.index(p.section.key) > order.index(section.key)
    ]
    block = f"## {section.heading}\n\n{body}\n"
    if later:
        at = later[0].start
        return text[:at] + block + "\n" + text[at:]
    lead = "" if not text.strip() else ("\n" if text.endswith("\n") else "\n\n")
    return text + lead + block


def _offline_stream(
    drafter: OfflineDrafter, incident: Incident, timeline: Timeline, section: Section
) -> DraftStream:
    rendered = drafter.render(incident, timeline)[SECTIONS.index(section)]

    def chunks(result: DraftResult) -> Iterator[str]:
        yield rendered
        result.complete = True
        result.finish_reason = "stop"

    return DraftStream(chunks, DraftResult(drafter=drafter.name))


def section_stream(
    drafter: Drafter, incident: Incident, timeline: Timeline, prompt: Prompt, draft: str, section: Section
) -> DraftStream:
    """A drafter's new text for one section, streamed; :func:`splice_section` puts it into the draft.

    The offline drafter renders that section's template; a model is given the prompt, the draft and the
    instruction to rewrite that section only (``templates/prompts/section.j2``).
    """
    if isinstance(drafter, OfflineDrafter):
        return _offline_stream(drafter, incident, timeline, section)
    from .prompt import section_prompt

    return drafter.stream(incident, timeline, section_prompt(prompt, draft, section.heading))


def redraft_section(
    drafter: Drafter, incident: Incident, timeline: Timeline, prompt: Prompt, draft: str, name: str
) -> tuple[str, DraftResult]:
    """The draft with section ``name`` (its key or a heading) redrafted, and the drafter's result; the
    draft is returned unchanged when the result is not complete."""
    section = section_named(name)
    result = section_stream(drafter, incident, timeline, prompt, draft, section).collect()
    if not result.complete:
        return draft, result
    return splice_section(draft, section, result.text), result


__all__ = ["Part", "redraft_section", "section_stream", "section_text", "splice_section", "split_draft"]
