"""What a PDF report may hold, checked without loading WeasyPrint: a refusal costs nothing.

Time to lay out a PDF grows with the report, and some reports cannot be laid out sanely at all (a table of
500 columns on an A4 page). So a report past one of these limits is refused at once with an error naming
the limit; HTML, Markdown, email and the notebook have none and take time linear in the draft.
"""

from __future__ import annotations

from ..errors import ReportTooLargeError

__all__ = [
    "MAX_PDF_BLOCKS",
    "MAX_PDF_CHARACTERS",
    "MAX_PDF_TABLE_CELLS",
    "MAX_PDF_TABLE_COLUMNS",
    "check_pdf_html",
    "check_pdf_size",
]

#: What a PDF report may hold. On a 2-core machine WeasyPrint lays out about 50,000 characters of prose a
#: second (CPU), but each block (paragraph, list item, table row) costs 2-4 ms and each table cell 2-4 ms
#: more the narrower its column; and a table wider than a page cannot be read. At each limit a PDF takes
#: 5-8 s of CPU; past one it is refused at once, naming it, rather than laid out for minutes (a postmortem
#: of about 60 pages fits). The other formats have no limit.
MAX_PDF_CHARACTERS = 200_000
MAX_PDF_BLOCKS = 2_000
MAX_PDF_TABLE_CELLS = 3_000
MAX_PDF_TABLE_COLUMNS = 16

_HINT = "export it as HTML or Markdown (no limit), or shorten it for the PDF"
_BLOCK_TAGS = ("<p>", "<li>", "<tr>", "<pre>", "<blockquote>", "<h2>", "<h3>", "<h4>", "<h5>", "<h6>")


def _too_large(what: str, count: int, limit: int, name: str, *, file: str | None, hint: str = _HINT) -> None:
    if count > limit:
        raise ReportTooLargeError(
            f"the report is too large for a PDF: {count:,} {what}, the limit is {limit:,}",
            limit=name,
            file=file,
            hint=hint,
        )


def check_pdf_size(characters: int, *, file: str | None = None) -> None:
    """Refuse, before any parsing, a report of more than :data:`MAX_PDF_CHARACTERS` characters."""
    _too_large("characters of Markdown", characters, MAX_PDF_CHARACTERS, "characters", file=file)


def check_pdf_html(html: str, *, file: str | None = None) -> None:
    """Refuse what a PDF cannot lay out in bounded time or on a page: too many blocks or table cells, a
    table wider than :data:`MAX_PDF_TABLE_COLUMNS`. ``html`` is our sanitised report, where ``<p>`` or
    ``<td`` can only be tags (text has ``&lt;``); counting them is linear."""
    _too_large("blocks (paragraphs, list items, table rows)", sum(html.count(t) for t in _BLOCK_TAGS),
               MAX_PDF_BLOCKS, "blocks", file=file)  # fmt: skip
    cells = html.count("<td") + html.count("<th>") + html.count("<th ")
    _too_large("table cells", cells, MAX_PDF_TABLE_CELLS, "table cells", file=file)
    widest = max((row.count("<td") + row.count("<th") for row in html.split("<tr>")[1:]), default=0)
    _too_large("columns in a table", widest, MAX_PDF_TABLE_COLUMNS, "table columns", file=file,
               hint="split it into narrower tables, or export the report as HTML or Markdown")  # fmt: skip
