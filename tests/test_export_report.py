"""The report notebook, the HTML template and the Markdown/email renderings of the seed example.

Golden files live in tests/data/export/golden/; regenerate them with PM_UPDATE_GOLDEN=1 after a
deliberate change, and read the diff.
"""

from __future__ import annotations

import email
import os
from datetime import UTC, datetime
from email import policy

import nbformat
import pytest

from postmortem_widgets.export.exporters import PostmortemHTMLExporter
from postmortem_widgets.export.mail import build_email, email_subject
from postmortem_widgets.export.plain import render_gfm
from postmortem_widgets.export.report import build_report, section_slug, split_sections
from postmortem_widgets.incident.record import Incident
from tests.support import paths
from tests.support.exports import CSP, elements, html_violations

DATA = paths.DATA / "export"
SEED_DRAFT = (DATA / "seed_draft.md").read_text()
SEED = Incident(
    product_name="Anchor Analytics",
    incident_date="April 15, 2024",
    incident_duration="2 hours 33 minutes (9:14am – 11:47am ET)",
    affected_scope="all Professional and Enterprise customers (approximately 200 accounts)",
    root_cause="a routine cache deployment failed silently",
    timezone="America/New_York",
)
HEADINGS = [
    "Summary",
    "What Happened (Timeline)",
    "Why It Happened",
    "How We Responded",
    "What We're Changing",
    "Apology and Commitment",
]


def golden(name: str, actual: str | bytes) -> None:
    path = DATA / "golden" / name
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    if os.environ.get("PM_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from its golden file (PM_UPDATE_GOLDEN=1 to accept)"


def test_seed_draft_splits_into_the_six_sections() -> None:
    title, sections = split_sections(SEED_DRAFT)
    assert title is None
    assert [s.heading for s in sections] == HEADINGS
    assert [s.slug for s in sections] == ["summary", "timeline", "why", "response", "changes", "apology"]
    assert sections[1].source.splitlines()[2] == "- **9:14am ET:** A routine cache update was deployed"
    assert "\n\n".join(s.source for s in sections) == SEED_DRAFT.strip()


def test_split_takes_a_leading_title_and_ignores_headings_in_code() -> None:
    draft = (
        "# Stale dashboards on April 15\n\nIntro line.\n\n"
        "## Summary\n\n```\n## not a heading\n```\n\n## Custom Bit\n\nx\n"
    )
    title, sections = split_sections(draft)
    assert title == "Stale dashboards on April 15"
    assert [(s.heading, s.slug) for s in sections] == [("", "preamble"), ("Summary", "summary"),
                                                       ("Custom Bit", "custom-bit")]  # fmt: skip
    assert sections[0].source == "Intro line."
    assert "## not a heading" in sections[1].source


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("What Happened (Timeline)", "timeline"),
        ("What We’re Changing", "changes"),
        ("Ünïcode & Stuff!", "n-code-stuff"),
    ],
)
def test_section_slug(heading: str, slug: str) -> None:
    assert section_slug(heading) == slug


def test_report_notebook_is_markdown_only_with_incident_metadata() -> None:
    nb = build_report(SEED_DRAFT, SEED)
    nbformat.validate(nb)
    assert {c.cell_type for c in nb.cells} == {"markdown"}
    assert [c.id for c in nb.cells] == ["s1-summary", "s2-timeline", "s3-why", "s4-response", "s5-changes",
                                        "s6-apology"]  # fmt: skip
    assert all("outputs" not in c and "attachments" not in c for c in nb.cells)
    assert "widgets" not in nb.metadata and "kernelspec" not in nb.metadata
    assert nb.metadata["postmortem"] == {
        "title": "Anchor Analytics service incident",
        "product_name": "Anchor Analytics",
        "incident_date": "April 15, 2024",
        "incident_duration": "2 hours 33 minutes (9:14am – 11:47am ET)",
        "timezone": "America/New_York",
        "status": "Resolved",
    }
    assert "root_cause" not in str(nb.metadata)  # the author's notes never travel with the report
    assert nbformat.writes(nb) == nbformat.writes(build_report(SEED_DRAFT, SEED))  # deterministic


def test_seed_html_matches_golden_and_is_safe() -> None:
    html, resources = PostmortemHTMLExporter().from_notebook_node(build_report(SEED_DRAFT, SEED))
    assert resources["output_extension"] == ".html"
    assert html_violations(html) == []
    golden("seed.html", html)


def test_html_header_and_timeline() -> None:
    html, _ = PostmortemHTMLExporter().from_notebook_node(build_report(SEED_DRAFT, SEED, status="Monitoring"))
    elems, styles = elements(html)
    assert ("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}) in elems
    assert "<h1>Anchor Analytics service incident</h1>" in html
    assert '<div class="fact"><dt>Date</dt><dd>April 15, 2024</dd></div>' in html
    assert "<dd>2 hours 33 minutes (9:14am – 11:47am ET)</dd>" in html
    assert '<span class="status status-monitoring">Monitoring</span>' in html
    assert '<section class="section section-timeline">' in html
    assert (
        "<li><strong>11:47am ET:</strong> All dashboards restored to live data; incident resolved</li>"
        in html
    )
    css = styles[0]
    assert "@page" in css and 'counter(page) " of " counter(pages)' in css and "size: A4;" in css
    assert "@media print" in css and "overflow-wrap: anywhere" in css and "white-space: pre-wrap" in css
    assert "<script" not in html and "cdn" not in html.lower() and "@font-face" not in css


def test_incident_fields_are_escaped_in_the_header() -> None:
    hostile = Incident(
        product_name="<script>alert(1)</script>", incident_date='"><img src=x onerror=alert(2)>'
    )
    html, _ = PostmortemHTMLExporter().from_notebook_node(
        build_report("## Summary\n\nx\n", hostile, status="<b>x")
    )
    assert html_violations(html) == []
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; service incident</h1>" in html


def test_any_notebook_converts_without_code_or_raw_html() -> None:
    """A notebook that is not ours (code, outputs, raw HTML cells) publishes only its sanitised Markdown."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Notes\n\n<script>x()</script>text"),
        nbformat.v4.new_code_cell(
            "print('secret')", outputs=[nbformat.v4.new_output("stream", text="secret\n")]
        ),
        nbformat.v4.new_raw_cell("<script>alert(1)</script>", metadata={"raw_mimetype": "text/html"}),
    ]
    nb.metadata["postmortem"] = "not a mapping"
    html, _ = PostmortemHTMLExporter().from_notebook_node(nb)
    assert html_violations(html) == []
    assert "secret" not in html and "alert(1)" not in html
    assert "<h1>Incident postmortem</h1>" in html and "&lt;script&gt;x()&lt;/script&gt;text" in html


def test_letter_page_size_is_configurable() -> None:
    html, _ = PostmortemHTMLExporter(page_size="Letter").from_notebook_node(build_report(SEED_DRAFT, SEED))
    assert "size: Letter;" in html
    html, _ = PostmortemHTMLExporter(page_size="A4; } body { display:none").from_notebook_node(
        build_report("x", SEED)
    )
    assert "size: A4;" in html and "display:none" not in html


def test_seed_gfm_matches_golden() -> None:
    md = render_gfm(SEED_DRAFT, SEED)
    assert md.startswith("## Summary\n\n") and "1. **Cache accuracy validation:**" in md
    golden("seed.md", md)
    with_header = render_gfm(SEED_DRAFT, SEED, header=True)
    assert with_header.startswith(
        "# Anchor Analytics service incident\n\n**Date:** April 15, 2024 · "
        "**Duration:** 2 hours 33 minutes (9:14am – 11:47am ET) · **Status:** Resolved\n\n## Summary\n"
    )


def test_seed_email_has_subject_text_and_html_parts() -> None:
    html, _ = PostmortemHTMLExporter().from_notebook_node(build_report(SEED_DRAFT, SEED))
    message = build_email(
        SEED_DRAFT,
        SEED,
        html=html,
        sender="Anchor Analytics <status@anchor.example>",
        recipients=["customers@anchor.example"],
        date=datetime(2024, 4, 16, 15, 0, tzinfo=UTC),
    )
    raw = message.as_bytes()
    golden("seed.eml", raw)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Anchor Analytics: postmortem of the April 15, 2024 incident"
    assert parsed["Date"] == "Tue, 16 Apr 2024 15:00:00 +0000"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    body = parsed.get_body(("html",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert text.startswith("# Anchor Analytics service incident\n") and "- **9:42am ET:**" in text
    assert body.rstrip("\n") == html
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))  # RFC 5322 line length, via quoted-printable


def test_email_subject_is_one_line() -> None:
    assert email_subject(Incident(product_name="A\nB", incident_date="")) == "A B: incident postmortem"
    assert email_subject(Incident()) == "Incident postmortem"
