"""The report notebook: the draft as Markdown cells, one per section, with the incident in its metadata.

The report is a separate notebook from the workspace form on purpose: it holds no code, no outputs and no
widget state, so nothing typed into the form (an API key, an uploaded export) can travel with it, and any
nbconvert exporter renders it without a kernel.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

import nbformat
from nbformat import NotebookNode, v4

from ..sections import section_for_heading
from .safemd import normalize_markdown
from .tree import TooDeepError, normalize_source, parse_blocks

if TYPE_CHECKING:
    from ..incident.record import Incident
    from .figure import ImpactFigure

__all__ = [
    "FIGURE_ATTACHMENT",
    "METADATA_KEY",
    "Section",
    "build_report",
    "escape_markdown",
    "figure_cell",
    "figure_position",
    "report_metadata",
    "report_title",
    "split_sections",
]

#: Where the incident lives in the notebook's and each cell's metadata.
METADATA_KEY = "postmortem"
#: The impact figure's cell: its id, and its SVG's attachment name (the figure key of its metadata).
FIGURE_CELL = "figure-impact"
FIGURE_ATTACHMENT = "impact.svg"


@dataclass(frozen=True)
class Section:
    """One ``##`` section of a draft (or the text before the first one, with an empty heading)."""

    heading: str
    slug: str
    source: str


def section_slug(heading: str) -> str:
    """``What Happened (Timeline)`` -> ``timeline``; unknown headings get a slug of their words."""
    seed = section_for_heading(heading)
    if seed is not None:
        return seed.slug
    return re.sub(r"[^a-z0-9]+", "-", heading.strip().lower()).strip("-")[:40] or "section"


def split_sections(draft: str) -> tuple[str | None, list[Section]]:
    """The draft's leading ``# Title`` (if any) and its ``##`` sections, split where Markdown sees headings.

    Headings inside code blocks are not split on, because the split follows the parsed top-level blocks.
    """
    title, sections = _split(draft)
    return title, list(sections)


@lru_cache(maxsize=2)
def _split(draft: str) -> tuple[str | None, tuple[Section, ...]]:
    """:func:`split_sections`, remembered: an email splits its draft twice (its HTML and its text)."""
    text = normalize_source(draft)
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    line_at = _line_index(text, lines)
    title: str | None = None
    starts: list[tuple[int, str]] = []
    skip_until = 0
    try:
        blocks = parse_blocks(text).children
    except TooDeepError:  # a hostile draft: one section, shown as text by every renderer
        blocks = []
    for block in blocks:
        if block.name not in {"heading", "lheading"}:
            continue
        level, (start, end) = block.meta.get("level"), block.srcmap or (0, 0)
        heading = "".join(str(child.meta.get("content", "")) for child in block.children).strip()
        first = line_at(start)
        if level == 1 and title is None and not starts and not "".join(lines[:first]).strip():
            title, skip_until = heading, line_at(max(start, end - 1)) + 1
        elif level == 2:
            starts.append((first, heading))
    sections: list[Section] = []
    preamble = "".join(lines[skip_until : starts[0][0] if starts else len(lines)]).strip()
    if preamble:
        sections.append(Section(heading="", slug="preamble", source=preamble))
    for n, (start, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        sections.append(
            Section(heading=heading, slug=section_slug(heading), source="".join(lines[start:end]).strip())
        )
    return title, tuple(sections)


def _line_index(text: str, lines: list[str]) -> Callable[[int], int]:
    """The line holding a byte offset of ``text`` as UTF-8 (the parser's source map is in bytes)."""
    size: Callable[[str], int] = len if text.isascii() else lambda line: len(line.encode())
    starts = list(accumulate(map(size, lines), initial=0))
    return lambda offset: bisect_right(starts, offset) - 1


def report_title(incident: Incident, title: str | None = None) -> str:
    """The report's title: given (or the draft's ``# Title``), else ``<product> service incident``."""
    if title:
        return title
    return f"{incident.product_name} service incident" if incident.product_name else "Service incident"


def report_metadata(
    incident: Incident, *, status: str, title: str, audience: str = "customer"
) -> dict[str, str]:
    """What the header shows. Only customer-facing facts: the author's notes (root cause...) stay out.
    The engineering team's version says ``"audience": "internal"``, which every page then shows."""
    meta = {
        "title": title,
        "product_name": incident.product_name,
        "incident_date": incident.incident_date,
        "incident_duration": incident.incident_duration,
        "timezone": incident.timezone,
        "status": status,
    }
    if audience == "internal":
        meta["audience"] = audience
    return meta


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def escape_markdown(text: str) -> str:
    """Text as Markdown that reads as itself (every special character escaped, one line)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def figure_cell(figure: ImpactFigure) -> NotebookNode:
    """The impact figure as a Markdown cell: its SVG an attachment (JupyterLab shows it), the caption in
    the cell's metadata. The HTML exporter inlines the SVG only after re-checking it (:mod:`.svg`)."""
    cell: NotebookNode = v4.new_markdown_cell(
        f"![{escape_markdown(figure.alt)}](attachment:{FIGURE_ATTACHMENT})",
        id=FIGURE_CELL,
        metadata={METADATA_KEY: {"figure": "impact", "caption": figure.caption}},
        attachments={FIGURE_ATTACHMENT: {"image/svg+xml": figure.svg}},
    )
    return cell


def figure_position(sections: list[Section]) -> int:
    """Where the figure goes: after the timeline section, else after the first section."""
    slugs = [s.slug for s in sections]
    return slugs.index("timeline") + 1 if "timeline" in slugs else min(1, len(sections))


def build_report(
    draft: str,
    incident: Incident,
    *,
    status: str = "Resolved",
    title: str | None = None,
    figure: ImpactFigure | None = None,
    evidence: str | None = None,
    safe: bool = True,
    removed: list[str] | None = None,
    audience: str = "customer",
) -> NotebookNode:
    """The report notebook of a draft: Markdown cells, deterministic (same draft, same bytes).

    With ``safe`` (the default) each cell holds only what the HTML report shows, as Markdown a person reads
    in JupyterLab: raw HTML escaped so it shows as text, only ``http``/``https``/``mailto`` links, only
    embedded images (what was left out is added to ``removed``). The HTML and PDF exports pass
    ``safe=False``: their renderer sanitises each cell itself, and re-rendering first would cost a pass.

    With a ``figure`` (:func:`~.figure.impact_figure`), its cell follows the timeline section; with only an
    ``evidence`` line (the email's HTML, where inline SVG is not shown), a paragraph of it does.
    """
    draft_title, sections = split_sections(draft)
    resolved_title = report_title(incident, title or draft_title)
    nb = v4.new_notebook()
    nb.metadata[METADATA_KEY] = report_metadata(
        incident, status=status, title=resolved_title, audience=audience
    )
    nb.metadata["title"] = resolved_title
    nb.cells = [
        v4.new_markdown_cell(
            normalize_markdown(s.source, flavour="notebook", removed=removed).strip() if safe else s.source,
            id=f"s{n}-{s.slug}"[:64],
            metadata={METADATA_KEY: {"section": s.slug}},
        )
        for n, s in enumerate(sections, start=1)
    ]
    at = figure_position(sections)
    if figure is not None:
        nb.cells.insert(at, figure_cell(figure))
    elif evidence:
        nb.cells.insert(
            at,
            v4.new_markdown_cell(
                f"*{escape_markdown(evidence)}*",
                id="evidence-impact",
                metadata={METADATA_KEY: {"section": "evidence"}},
            ),
        )
    nbformat.validate(nb)
    report: NotebookNode = nb
    return report
