"""GitHub-flavoured Markdown for a status page's postmortem field (and an email's text part).

The draft is re-rendered from its parsed tree rather than copied (:mod:`~postmortem_widgets.export.safemd`),
so what is pasted is as safe as the HTML: raw HTML becomes escaped text (``\\<script>``), unsafe links and
images lose their URLs (the HTML export's rule), and lists, tables and emphasis come out in one consistent
style.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .report import escape_markdown, figure_position, report_title, split_sections
from .safemd import normalize_markdown

if TYPE_CHECKING:
    from ..incident.record import Incident

__all__ = ["normalize_markdown", "render_gfm"]


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
