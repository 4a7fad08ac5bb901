"""Every export format x every hostile draft: the output is inert.

The formats are collected from ``export.api.FORMATS``, so a format is covered the day it lands; one without
an inertness check below fails until it gets one. Each draft in ``tests/data/export/hostile/`` is exported
with ``{HOST}`` pointing at a local server that counts requests, next to a ``.env`` holding a canary:

- ``html``: no active element, handler, unsafe URL or style trick, and our Content-Security-Policy;
- ``pdf``: no JavaScript, foreign link, image or secret (poppler), and the renderer asked for no URL;
- ``md``: once rendered with raw HTML allowed, only what Markdown makes, web links, embedded images;
- ``email``: the text part as ``md``, the HTML part as ``html``;
- ``ipynb``: Markdown cells only, each as ``md`` (JupyterLab renders raw HTML in a cell, then sanitises
  it keeping remote images, so a cell must hold no raw HTML at all), no outputs or attachments.

And the server must have seen no request at all.
"""

from __future__ import annotations

import email
import json
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import nbformat
import pytest

from postmortem_widgets.export import FORMATS, export_report
from postmortem_widgets.export.exporters import PostmortemHTMLExporter
from postmortem_widgets.export.pdf import OfflineURLFetcher
from postmortem_widgets.export.report import build_report
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review
from tests.support.exports import (
    html_violations,
    markdown_violations,
    pdf_violations,
    render_markdown_with_html,
)
from tests.support.net import recording_server
from tests.support.paths import DATA

HOSTILE = sorted((DATA / "export" / "hostile").glob("*.md"))
CANARY = "PM_CANARY_7f3a9c"
INCIDENT = Incident(
    product_name="Anchor Analytics", incident_date="April 15, 2024", incident_duration="2 hours"
)
#: Every kind of attack the suite must hold: a file each (some files hold more than one kind).
KINDS = {
    "scripts", "handlers", "iframe", "object", "embed", "form", "base", "link_stylesheet", "svg_onload",
    "css_url_import", "percent_encoded_javascript", "remote_images", "metadata_ip_image", "relative_image",
    "dotenv_image", "file_uri_image", "data_html_link", "entities_script", "nested_tricks",
    "javascript_links", "local_files", "raw_html", "style_tricks",
}  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    with recording_server() as served:
        yield served


class RecordingFetcher(OfflineURLFetcher):
    """The offline fetcher, remembering every URL WeasyPrint asked for (``data:`` ones too)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        self.asked.append(url)
        return super().fetch(url, headers)


def check_html(out: str | bytes, host: str, tmp: Path) -> list[str]:
    assert isinstance(out, str)
    return html_violations(out, host=host)


def check_pdf(out: str | bytes, host: str, tmp: Path) -> list[str]:
    assert isinstance(out, bytes) and out.startswith(b"%PDF-")
    path = tmp / "a" / "b" / "report.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out)
    return pdf_violations(path, host=host, secrets=(CANARY, "root:x:0:0"))


def check_md(out: str | bytes, host: str, tmp: Path) -> list[str]:
    assert isinstance(out, str)
    return markdown_violations(out, host=host)


def check_email(out: str | bytes, host: str, tmp: Path) -> list[str]:
    assert isinstance(out, bytes)
    message = email.message_from_bytes(out, policy=policy.default)
    parts = {
        part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    return [f"text: {v}" for v in markdown_violations(parts["text/plain"], host=host)] + [
        f"html: {v}" for v in html_violations(parts["text/html"], host=host)
    ]


def check_ipynb(out: str | bytes, host: str, tmp: Path) -> list[str]:
    assert isinstance(out, str)
    nb = json.loads(out)
    found = [f"metadata key {k!r}" for k in nb["metadata"] if k not in {"postmortem", "title"}]
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown" or set(cell) - {"cell_type", "id", "metadata", "source"}:
            found.append(f"cell {n}: a {cell['cell_type']} cell with {sorted(cell)}")
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        found.extend(f"cell {n}: {v}" for v in markdown_violations(source, host=host))
    return found


CHECKS: dict[str, Callable[[str | bytes, str, Path], list[str]]] = {
    "html": check_html,
    "pdf": check_pdf,
    "md": check_md,
    "email": check_email,
    "ipynb": check_ipynb,
}


def test_the_hostile_set_holds_every_kind() -> None:
    assert {p.stem for p in HOSTILE} >= KINDS
    assert len(HOSTILE) >= 20


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_every_format_of_a_hostile_draft_is_inert(
    fmt: str, path: Path, server: tuple[str, list[str]], tmp_path: Path
) -> None:
    assert fmt in CHECKS, f"the export format {fmt!r} has no inertness check: add one to CHECKS"
    host, hits = server
    (tmp_path / ".env").write_text(f"SECRET={CANARY}\n")
    draft = path.read_text().replace("{HOST}", host)
    fetcher = RecordingFetcher()
    out = export_report(draft, INCIDENT, to=fmt, review=Review([]), force=True, url_fetcher=fetcher)
    assert CHECKS[fmt](out, host, tmp_path) == []
    assert [url for url in fetcher.asked if not url.startswith("data:image/")] == []
    assert hits == []


def test_the_checks_catch_what_they_must() -> None:
    """The checkers themselves: each flags live markup that the exports must never produce."""
    assert markdown_violations("<img src=http://h/x.png>", host="h") != []
    assert markdown_violations("[a](javascript:alert(1))") == []  # markdown-it itself refuses the link
    assert markdown_violations('<a href="javascript:alert(1)">a</a>') != []
    assert markdown_violations("<!-- x -->") != [] and markdown_violations("<?php x ?>") != []
    assert markdown_violations("\\<script>alert(1)\\</script> and `<b>`") == []


def test_report_notebook_cells_are_markdown_a_person_reads() -> None:
    """Raw HTML is escaped (JupyterLab shows it as text), unsafe media become their text, ``$`` is not
    LaTeX; what was left out is reported."""
    removed: list[str] = []
    draft = (
        "## Summary\n\nWe credited $5 to <b>every</b> account. ![chart](http://cdn.example/c.png) "
        "[status](https://status.example.com) [notes](../notes.md)\n"
    )
    nb = build_report(draft, INCIDENT, removed=removed)
    assert [c.source for c in nb.cells] == [
        "## Summary\n\nWe credited \\$5 to \\<b>every\\</b> account. chart "
        "[status](https://status.example.com) notes"
    ]
    assert removed == ["image 'http://cdn.example/c.png'", "link '../notes.md'"]
    assert "<p>We credited $5 to &lt;b&gt;every&lt;/b&gt; account." in render_markdown_with_html(
        nb.cells[0].source
    )


def test_the_report_notebook_converts_to_the_same_html_as_the_direct_export() -> None:
    draft = (DATA / "export" / "seed_draft.md").read_text()
    notebook = export_report(draft, INCIDENT, to="ipynb", review=Review([]))
    assert isinstance(notebook, str)
    converted, _ = PostmortemHTMLExporter().from_notebook_node(nbformat.reads(notebook, as_version=4))
    assert converted == export_report(draft, INCIDENT, to="html", review=Review([]))
