"""Hostile drafts: nothing active, remote or local may reach the published HTML or PDF.

Each file in tests/data/export/hostile/ is rendered to HTML and PDF while a local HTTP server counts
requests: the server must see none, the parsed HTML must hold no script, handler, unsafe URL or style
trick, and poppler must find no JavaScript, no foreign link, no image and no leaked secret in the PDF.
"""

from __future__ import annotations

import base64
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from postmortem_widgets.export.exporters import PostmortemHTMLExporter, PostmortemPDFExporter
from postmortem_widgets.export.markdown import is_safe_image, is_safe_link, render_markdown
from postmortem_widgets.export.pdf import OfflineURLFetcher, html_to_pdf
from postmortem_widgets.export.plain import render_gfm
from postmortem_widgets.export.report import build_report
from postmortem_widgets.incident.record import Incident
from tests.support.exports import (
    html_violations,
    markdown_violations,
    pdf_text,
    pdf_violations,
    poppler,
)
from tests.support.net import recording_server
from tests.support.paths import DATA

HOSTILE = sorted((DATA / "export" / "hostile").glob("*.md"))
CANARY = "PM_CANARY_7f3a9c"
INCIDENT = Incident(
    product_name="Anchor Analytics", incident_date="April 15, 2024", incident_duration="2 hours"
)


def png_1x1() -> bytes:
    """A real 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))


PNG_URI = "data:image/png;base64," + base64.b64encode(png_1x1()).decode()


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local server that would serve any image asked for, and remembers every request."""
    with recording_server(png_1x1()) as served:
        yield served


def test_the_hostile_set_is_complete() -> None:
    names = {p.stem for p in HOSTILE}
    assert names >= {"scripts", "handlers", "javascript_links", "remote_images", "local_files", "raw_html",
                     "style_tricks"}  # fmt: skip


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_draft_is_inert_in_html_and_pdf(
    path: Path, server: tuple[str, list[str]], tmp_path: Path
) -> None:
    host, hits = server
    (tmp_path / ".env").write_text(f"SECRET={CANARY}\n")
    draft = path.read_text().replace("{HOST}", host)
    nb = build_report(draft, INCIDENT)

    html, _ = PostmortemHTMLExporter().from_notebook_node(nb)
    assert html_violations(html, host=host) == []

    pdf, _ = PostmortemPDFExporter().from_notebook_node(nb)
    out = tmp_path / "a" / "b" / "report.pdf"
    out.parent.mkdir(parents=True)
    out.write_bytes(pdf)
    assert pdf_violations(out, host=host, secrets=(CANARY, "root:x:0:0")) == []
    assert hits == []


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_draft_is_inert_as_status_page_markdown(path: Path) -> None:
    """The GFM export is re-rendered, not copied: no live HTML and no unsafe URL survives, even where a
    status page renders raw HTML (the worst case)."""
    md = render_gfm(path.read_text().replace("{HOST}", "evil.example"), INCIDENT)
    assert markdown_violations(md, host="evil.example") == []
    assert "evil.example/pixel" not in md  # a removed image leaves its alt text, not its URL


def test_raw_html_stays_visible_text_not_markup() -> None:
    html = render_markdown("Hello <script>alert(1)</script> and <b onclick=x>bold</b>").html
    assert (
        html == "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; and &lt;b onclick=x&gt;bold&lt;/b&gt;</p>\n"
    )


def test_unsafe_media_is_replaced_by_its_text_and_reported() -> None:
    rendered = render_markdown(
        "![Dashboard *before*](https://cdn.example/x.png) [env](../../.env) [ok](https://ok.example)"
    )
    assert rendered.html == (
        "<p>Dashboard <em>before</em> env "
        '<a href="https://ok.example" rel="noopener noreferrer nofollow">ok</a></p>\n'
    )
    assert rendered.removed == ("image 'https://cdn.example/x.png'", "link '../../.env'")


def test_embedded_raster_image_is_kept_in_html_and_pdf(tmp_path: Path) -> None:
    nb = build_report(f"## Summary\n\n![A real chart]({PNG_URI})\n", INCIDENT)
    html, _ = PostmortemHTMLExporter().from_notebook_node(nb)
    assert f'<img src="{PNG_URI}" alt="A real chart">' in html
    assert html_violations(html) == []
    out = tmp_path / "img.pdf"
    out.write_bytes(PostmortemPDFExporter().from_notebook_node(nb)[0])
    assert len(poppler("pdfimages", "-list", str(out)).splitlines()[2:]) == 1


@pytest.mark.parametrize(
    ("src", "safe"),
    [
        (PNG_URI, True),
        ("data:image/gif;base64," + base64.b64encode(b"GIF89a\x01\x00").decode(), True),
        ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0rest").decode(), True),
        ("data:image/webp;base64," + base64.b64encode(b"RIFF\x00\x00\x00\x00WEBPVP8 ").decode(), True),
        (
            "data:image/png;base64,"
            + base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode(),
            False,
        ),
        ("data:image/svg+xml;base64,PHN2Zz4=", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("https://example.com/x.png", False),
        ("//example.com/x.png", False),
        ("../../.env", False),
        ("file:///etc/passwd", False),
    ],
)
def test_is_safe_image(src: str, safe: bool) -> None:
    assert is_safe_image(src) is safe


@pytest.mark.parametrize(
    ("href", "safe"),
    [
        ("https://status.example.com/incidents/1", True),
        ("http://example.com", True),
        ("mailto:support@example.com", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,x", False),
        ("../../.env", False),
        ("#summary", False),
        ("file:///etc/passwd", False),
    ],
)
def test_is_safe_link(href: str, safe: bool) -> None:
    assert is_safe_link(href) is safe


def test_pdf_renderer_fetches_nothing_even_from_unsanitised_html(
    server: tuple[str, list[str]], tmp_path: Path
) -> None:
    """The second lock: WeasyPrint itself refuses every URL but data:, whatever HTML it is given."""
    host, hits = server
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_1x1())
    html = f"""<html><head>
<link rel="stylesheet" href="http://{host}/linked.css">
<style>@import url("http://{host}/imported.css"); body {{ background: url("http://{host}/bg.png") }}</style>
</head><body>
<img src="http://{host}/remote.png"><img src="file://{secret}"><img src="{secret}"><img src="../../.env">
<img src="{PNG_URI}">
</body></html>"""
    fetcher = OfflineURLFetcher()
    out = tmp_path / "raw.pdf"
    out.write_bytes(html_to_pdf(html, fetcher=fetcher))
    assert hits == []
    assert f"http://{host}/remote.png" in fetcher.refused
    assert f"file://{secret}" in fetcher.refused
    assert len(poppler("pdfimages", "-list", str(out)).splitlines()[2:]) == 1  # only the data: PNG


def test_nbconvert_in_a_folder_next_to_a_dotenv_reads_no_local_file(tmp_path: Path) -> None:
    """`jupyter nbconvert --to postmortem_pdf` run where ../../.env exists: the secret stays out."""
    (tmp_path / ".env").write_text(f"SECRET={CANARY}\n")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (work / ".env").write_text(f"SECRET={CANARY}\n")
    draft = (DATA / "export" / "hostile" / "local_files.md").read_text()
    nbformat.write(build_report(draft, INCIDENT), work / "report.ipynb")
    jupyter = Path(sys.executable).parent / "jupyter"
    for to in ("postmortem_html", "postmortem_pdf"):
        subprocess.run([str(jupyter), "nbconvert", "--to", to, "report.ipynb"], cwd=work, check=True,
                       capture_output=True, timeout=120)  # fmt: skip
    assert CANARY not in (work / "report.html").read_text()
    assert html_violations((work / "report.html").read_text()) == []
    assert pdf_violations(work / "report.pdf", secrets=(CANARY,)) == []
    assert "secrets" in pdf_text(work / "report.pdf")  # the alt text stands in for the image
