"""``export_report`` and ``write_report``: one draft to HTML, PDF, Markdown, email or the report notebook.

Export is the last gate before customers read the text, so a draft with review errors is refused unless
the author forces it; the warnings are the caller's to show (the CLI lists them).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._fs import atomic_write_bytes
from ..errors import PostmortemError, ReviewBlockedError, UnknownExportFormatError
from ..sections import AUDIENCES

if TYPE_CHECKING:
    from ..incident.record import Incident
    from ..review import Finding, Ignore, Review
    from ..timeline.merge import Timeline
    from .figure import ImpactFigure

__all__ = [
    "FORMATS",
    "INTERNAL_NOTE",
    "export_report",
    "format_for_path",
    "review_draft",
    "split_review",
    "write_report",
]

#: What every internal export says of itself, on every page.
INTERNAL_NOTE = "INTERNAL: written for the engineering team; not for customers"
#: Export formats and the file suffix each is written with.
FORMATS: dict[str, str] = {"html": ".html", "pdf": ".pdf", "md": ".md", "email": ".eml", "ipynb": ".ipynb"}


def split_review(review: Review) -> tuple[list[Finding], list[Finding]]:
    """The review's error findings and warning findings."""
    return (
        [f for f in review.findings if f.severity == "error"],
        [f for f in review.findings if f.severity == "warning"],
    )


def format_for_path(path: str | Path) -> str:
    """The export format a file name asks for: ``report.pdf`` -> ``pdf``, ``mail.eml`` -> ``email``."""
    suffix = Path(path).suffix.lower()
    for name, ext in FORMATS.items():
        if ext == suffix or (name == "md" and suffix == ".markdown"):
            return name
    raise UnknownExportFormatError(
        f"cannot tell the export format from the suffix {suffix or '(none)'!r}",
        file=str(path),
        hint=f"use one of {', '.join(FORMATS.values())} or pass the format explicitly",
    )


def review_draft(
    draft: str,
    incident: Incident,
    timeline: Timeline | None = None,
    *,
    roster: Sequence[str] = (),
    ignore: Sequence[Ignore] = (),
    audience: str = "customer",
    evidence_limit: int | None = None,
) -> Review:
    """The reviewer's verdict on a draft (imported here: the reviewer is only needed when exporting), with
    the findings the author ignored set aside; an ``internal`` draft is held to the facts only. Citations
    are checked against the ``evidence_limit`` events the draft's prompt numbered (``None``: the prompt's
    default)."""
    from ..review import check_draft
    from ..timeline.evidence import EVIDENCE_LIMIT

    return check_draft(
        draft,
        incident,
        timeline,
        roster=roster,
        ignore=ignore,
        audience=audience,
        evidence_limit=EVIDENCE_LIMIT if evidence_limit is None else evidence_limit,
    )


def export_report(
    draft: str,
    incident: Incident,
    *,
    to: str,
    review: Review | None = None,
    force: bool = False,
    timeline: Timeline | None = None,
    roster: Sequence[str] = (),
    status: str = "Resolved",
    title: str | None = None,
    page_size: str = "A4",
    sender: str | None = None,
    recipients: Sequence[str] = (),
    date: datetime | None = None,
    draft_name: str | None = None,
    figure: bool = True,
    keep_names: bool = False,
    url_fetcher: Any = None,
    audience: str = "customer",
) -> str | bytes:
    """The draft as ``to`` (``html``, ``pdf``, ``md``, ``email``, ``ipynb``): text, or bytes (pdf, email).

    This is the export gate, the one place it is kept: ``review`` defaults to :func:`review_draft`, and its
    errors stop the export (:class:`~postmortem_widgets.errors.ReviewBlockedError`, naming ``draft_name``)
    unless ``force``. With a
    ``timeline``, the header's empty date and duration are filled from it (the author's text always wins),
    and when it holds telemetry the HTML and PDF show the impact figure (``figure=False``: not), Markdown
    and email a line stating the same evidence. The figure names the signal in plain words and shows no
    internal series, host or label unless ``keep_names``. ``url_fetcher`` replaces the PDF renderer's
    offline fetcher (a test's, to see that nothing is asked for).

    ``audience="customer"`` (the default) removes the draft's citations of numbered events (``[E3]``),
    which only the reviewer reads. ``internal`` keeps them, keeps the figure's names, and marks every
    format INTERNAL: a banner in HTML, a header and footer on every PDF page, the Markdown's first line,
    the email's subject, the notebook's first cell.
    """
    _check_choices(to, audience)
    if review is None:
        review = review_draft(draft, incident, timeline, roster=roster, audience=audience)
    errors, _ = split_review(review)
    if errors and not force:
        raise ReviewBlockedError(errors, file=draft_name)
    internal = audience == "internal"
    keep_names = keep_names or internal
    draft, incident = _prepared(draft, incident, timeline, internal=internal)
    if to == "pdf":  # refused before any parsing: a report past the PDF's limits is not laid out at all
        from .limits import check_pdf_size

        check_pdf_size(len(draft), file=draft_name)
    drawn = _figure(timeline, incident, keep_names=keep_names) if figure else None
    if to == "md":
        from .plain import render_gfm

        evidence = drawn.caption if drawn is not None else None
        md = render_gfm(draft, incident, status=status, title=title, evidence=evidence)
        return f"**{INTERNAL_NOTE}**\n\n{md}" if internal else md
    if to == "ipynb":
        return _notebook(draft, incident, drawn, status=status, title=title, audience=audience)
    if to == "pdf":
        from .exporters import PostmortemPDFExporter
        from .report import build_report

        nb = build_report(
            draft, incident, status=status, title=title, figure=drawn, safe=False, audience=audience
        )
        pdf, _ = PostmortemPDFExporter(page_size=page_size, url_fetcher=url_fetcher).from_notebook_node(nb)
        return pdf
    html = _html(
        draft,
        incident,
        drawn,
        status=status,
        title=title,
        audience=audience,
        page_size=page_size,
        email=to == "email",
    )
    if to == "html":
        return html
    from .mail import build_email

    message = build_email(
        draft,
        incident,
        html=html,
        evidence=drawn.caption if drawn is not None else None,
        status=status,
        title=title,
        sender=sender,
        recipients=recipients,
        date=date,
        internal=internal,
    )
    return message.as_bytes()


def _check_choices(to: str, audience: str) -> None:
    """Refuse an unknown format or audience before any work is done."""
    if to not in FORMATS:
        raise UnknownExportFormatError(
            f"unknown export format {to!r}", hint=f"choose one of {', '.join(FORMATS)}"
        )
    if audience not in AUDIENCES:
        raise PostmortemError(f"unknown audience {audience!r}", hint=f"choose one of {', '.join(AUDIENCES)}")


def _prepared(
    draft: str, incident: Incident, timeline: Timeline | None, *, internal: bool
) -> tuple[str, Incident]:
    """The draft without citations of numbered events (a customer does not read them; the internal version
    keeps them), and the incident with the header's empty date and duration filled from the timeline."""
    if not internal:
        from ..timeline.evidence import strip_citations

        draft = strip_citations(draft)
    if timeline is not None:
        from ..incident.fill import fill_incident

        incident = fill_incident(incident, timeline)
    return draft, incident


def _notebook(
    draft: str,
    incident: Incident,
    drawn: ImpactFigure | None,
    *,
    status: str,
    title: str | None,
    audience: str,
) -> str:
    """The report notebook, its cells re-rendered as safe Markdown; the internal one says so first."""
    import nbformat

    from .report import build_report

    nb = build_report(draft, incident, status=status, title=title, figure=drawn, safe=True, audience=audience)
    if audience == "internal":
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"**{INTERNAL_NOTE}**", id="internal-note"))
    return str(nbformat.writes(nb))


def _html(
    draft: str,
    incident: Incident,
    drawn: ImpactFigure | None,
    *,
    status: str,
    title: str | None,
    audience: str,
    page_size: str,
    email: bool = False,
) -> str:
    """The report as HTML; the HTML exporter sanitises each cell as it renders it. For an ``email``, the
    figure is left out for the line stating its evidence: mail clients do not show inline SVG."""
    from .exporters import PostmortemHTMLExporter
    from .report import build_report

    if email and drawn is not None:
        nb = build_report(
            draft, incident, status=status, title=title, evidence=drawn.caption, safe=False, audience=audience
        )
    else:
        nb = build_report(
            draft, incident, status=status, title=title, figure=drawn, safe=False, audience=audience
        )
    html, _ = PostmortemHTMLExporter(page_size=page_size).from_notebook_node(nb)
    return str(html)


def _figure(timeline: Timeline | None, incident: Incident, *, keep_names: bool) -> ImpactFigure | None:
    """The impact figure of the timeline in the incident's zone, or ``None`` without telemetry."""
    if timeline is None or timeline.impact is None:
        return None
    from .figure import impact_figure

    return impact_figure(timeline, tz=incident.timezone or "UTC", keep_names=keep_names)


def write_report(
    path: str | Path, draft: str, incident: Incident, *, to: str | None = None, **options: Any
) -> Path:
    """Export to a file, atomically (a reader never sees half a PDF); the format defaults to the suffix."""
    fmt = to or format_for_path(path)
    content = export_report(draft, incident, to=fmt, **options)
    atomic_write_bytes(path, content.encode("utf-8") if isinstance(content, str) else content)
    return Path(path)


def warm_up_pdf() -> threading.Thread:
    """Export a tiny report to PDF in a background thread: imports, templates, fonts and the renderer are
    then ready, and the author's first PDF takes a render, not a start-up (seconds on a busy machine)."""

    def run() -> None:
        from ..incident.record import Incident

        # A warm-up that fails costs nothing: the real export reports its own error.
        with contextlib.suppress(Exception):
            export_report(
                "## Summary\n\nWarming up.\n", Incident(product_name="Warm-up"), to="pdf", force=True
            )

    thread = threading.Thread(target=run, name="postmortem-pdf-warm-up", daemon=True)
    thread.start()
    return thread
