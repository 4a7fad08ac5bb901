"""nbconvert exporters for the report notebook: ``--to postmortem_html`` and ``--to postmortem_pdf``.

Registered under the ``nbconvert.exporters`` entry point, so ``jupyter nbconvert`` and JupyterLab's
"Save and Export Notebook As" menu find them. Both render our template
(``templates/nbconvert/postmortem_html``) with autoescaping on; Markdown cells go through
:func:`~postmortem_widgets.export.markdown.render_markdown`, not nbconvert's own Markdown filter, which
passes raw HTML through. The PDF is WeasyPrint's rendering of the very same HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup
from nbconvert.exporters import TemplateExporter
from nbformat import NotebookNode
from traitlets import Any as AnyTrait
from traitlets import Unicode, default

from .._templates import templates_dir
from .markdown import breakable, render_markdown
from .report import FIGURE_ATTACHMENT, METADATA_KEY
from .svg import clean_svg

__all__ = ["PostmortemHTMLExporter", "PostmortemPDFExporter", "figure_filter", "header_context"]
#: The longest figure caption shown.
CAPTION_LIMIT = 1000

_CLASS_SAFE = re.compile(r"[^a-z0-9-]+")


def _class_name(text: object) -> str:
    return _CLASS_SAFE.sub("-", str(text).lower()).strip("-")[:40] or "none"


def markdown_filter(source: object) -> Markup:
    """Jinja filter: a cell's Markdown as sanitised HTML (already safe, so marked as such)."""
    return Markup(render_markdown(str(source)).html)  # sanitised by nh3 in render_markdown


def print_markdown_filter(source: object) -> Markup:
    """The same for print: long unbroken runs get break opportunities (WeasyPrint is quadratic in them)."""
    return Markup(render_markdown(str(source), for_print=True).html)  # sanitised by nh3


def section_filter(cell: Any) -> str:
    """Jinja filter: the CSS class suffix of a cell's section (``timeline`` styles the timeline)."""
    meta = cell.get("metadata", {}).get(METADATA_KEY) if hasattr(cell, "get") else None
    return _class_name(meta.get("section", "section")) if isinstance(meta, dict) else "section"


def _meta(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get(METADATA_KEY) if hasattr(cell, "get") else None
    return meta if isinstance(meta, dict) else {}


def figure_filter(cell: Any) -> dict[str, Any] | None:
    """Jinja filter: ``{"svg", "caption"}`` of the impact figure's cell, ``None`` for any other cell.

    A cell is the figure only by its metadata, and its SVG attachment is inlined only as
    :func:`~postmortem_widgets.export.svg.clean_svg` writes it anew; a cell that claims to be the figure
    with anything else in its attachment shows nothing (an empty dict).
    """
    meta = _meta(cell)
    if meta.get("figure") != "impact":
        return None
    attachments = cell.get("attachments") if hasattr(cell, "get") else None
    bundle = attachments.get(FIGURE_ATTACHMENT) if isinstance(attachments, dict) else None
    svg = clean_svg(bundle.get("image/svg+xml")) if isinstance(bundle, dict) else None
    if svg is None:
        return {}
    caption = meta.get("caption")
    return {
        "svg": Markup(svg),  # written anew from an allowlist of elements and attributes by clean_svg
        "caption": " ".join(caption.split())[:CAPTION_LIMIT] if isinstance(caption, str) else "",
    }


def header_context(nb: NotebookNode, *, page_size: str) -> dict[str, str]:
    """What the header shows, from the notebook's metadata; any notebook converts, not only ours."""
    meta = nb.metadata.get(METADATA_KEY)
    meta = meta if isinstance(meta, dict) else {}
    title = str(meta.get("title") or nb.metadata.get("title") or "Incident postmortem")
    status = str(meta.get("status") or "")
    return {
        "title": title,
        "product_name": str(meta.get("product_name") or ""),
        "incident_date": str(meta.get("incident_date") or ""),
        "incident_duration": str(meta.get("incident_duration") or ""),
        "status": status,
        "status_class": _class_name(status),
        "lang": _class_name(meta.get("lang") or "en"),
        "internal": "internal" if meta.get("audience") == "internal" else "",
        "page_size": page_size if re.fullmatch(r"[A-Za-z0-9 ]{1,20}", page_size) else "A4",
    }


class PostmortemHTMLExporter(TemplateExporter):
    """A report notebook as one self-contained, script-free HTML page."""

    export_from_notebook = "Postmortem report (HTML)"
    output_mimetype = "text/html"

    page_size = Unicode("A4", help="CSS page size for print and PDF, e.g. A4 or Letter.").tag(config=True)

    def __init__(self, config: Any = None, **kw: Any) -> None:
        TemplateExporter.__init__(self, config=config, **kw)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    @default("template_extension")
    def _template_extension_default(self) -> str:
        return ".html.j2"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "postmortem_html"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(templates_dir() / "nbconvert")]

    def default_filters(self) -> Iterable[tuple[str, Any]]:
        yield from TemplateExporter.default_filters(self)
        yield ("postmortem_markdown", markdown_filter)
        yield ("postmortem_section", section_filter)
        yield ("postmortem_figure", figure_filter)

    def _create_environment(self) -> Any:
        environment = TemplateExporter._create_environment(self)
        environment.autoescape = True
        environment.undefined = jinja2.StrictUndefined
        return environment

    #: Whether long unbroken runs in the header get break opportunities (the PDF's do).
    breakable_header = False

    def from_notebook_node(
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        resources = dict(resources or {})
        header = header_context(nb, page_size=self.page_size)
        if self.breakable_header:
            header = {k: breakable(v) for k, v in header.items()}
        resources["postmortem"] = header
        return super().from_notebook_node(nb, resources, **kw)


class PostmortemPDFExporter(PostmortemHTMLExporter):
    """The same HTML, printed to PDF by WeasyPrint: no browser, no network."""

    export_from_notebook = "Postmortem report (PDF)"
    output_mimetype = "application/pdf"
    breakable_header = True

    #: WeasyPrint's URL fetcher (default: a new :class:`~postmortem_widgets.export.pdf.OfflineURLFetcher`
    #: per document); injected by tests that want to see what the renderer asked for.
    url_fetcher = AnyTrait(None, allow_none=True)

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    def default_filters(self) -> Iterable[tuple[str, Any]]:
        yield from super().default_filters()
        yield ("postmortem_markdown", print_markdown_filter)

    def from_notebook_node(  # type: ignore[override]
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        # WeasyPrint loads in ~0.5 s: only when a PDF is asked for
        from .limits import check_pdf_html, check_pdf_size
        from .pdf import html_to_pdf

        check_pdf_size(
            sum(len(str(c.get("source", ""))) for c in nb.cells if c.get("cell_type") == "markdown")
        )
        html, resources = super().from_notebook_node(nb, resources, **kw)
        check_pdf_html(html)
        return html_to_pdf(html, fetcher=self.url_fetcher), resources
