"""GitHub-flavoured Markdown for a status page's postmortem field (and an email's text part).

The draft is re-rendered from markdown-it tokens by mdformat rather than copied, so what is pasted is
as safe as the HTML: raw HTML becomes escaped text (``\\<script>``), unsafe links and images lose their
URLs (the same :func:`~postmortem_widgets.export.markdown.safe_media` rule), and lists, tables and
emphasis come out in one consistent style.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import mdformat.plugins
from markdown_it import MarkdownIt
from mdformat.renderer import MDRenderer

from .markdown import safe_media
from .report import escape_markdown, figure_position, report_title, split_sections

if TYPE_CHECKING:
    from ..incident.record import Incident

__all__ = ["normalize_markdown", "render_gfm"]


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}, renderer_cls=MDRenderer)  # type: ignore[arg-type]
    md.options["mdformat"] = {"number": True, "wrap": "keep"}
    md.options["store_labels"] = True
    md.options["codeformatters"] = {}
    gfm = mdformat.plugins.PARSER_EXTENSIONS["gfm"]
    md.options["parser_extension"] = [gfm]
    gfm.update_mdit(md)
    return md.use(safe_media)


def normalize_markdown(text: str) -> str:
    """Markdown re-rendered as safe, consistently formatted GFM."""
    md = _parser()
    env: dict[str, Any] = {}
    return str(md.renderer.render(md.parse(text, env), md.options, env))


def _facts(incident: Incident, status: str) -> str:
    facts = [
        ("Date", incident.incident_date),
        ("Duration", incident.incident_duration),
        ("Status", status),
    ]
    return " · ".join(f"**{label}:** {value}" for label, value in facts if value)


def render_gfm(
    draft: str,
    incident: Incident,
    *,
    status: str = "Resolved",
    title: str | None = None,
    header: bool = False,
    evidence: str | None = None,
) -> str:
    """The draft as GFM; with ``header``, a ``# title`` and a date, duration and status line on top.

    Without the header it is what a status page's postmortem field wants: the incident's own page
    already shows its title and times. ``evidence`` (the impact figure's caption) is added after the
    timeline as a paragraph of its own.
    """
    draft_title, sections = split_sections(draft)
    parts = [s.source for s in sections]
    if evidence:  # the impact figure as a line of text, where the HTML report shows the picture
        parts.insert(figure_position(sections), f"*{escape_markdown(evidence)}*")
    body = "\n\n".join(parts)
    if header:
        top = f"# {report_title(incident, title or draft_title)}\n\n"
        facts = _facts(incident, status)
        body = top + (f"{facts}\n\n" if facts else "") + body
    return normalize_markdown(body)
