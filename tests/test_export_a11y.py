"""Acceptance (issue 11): the exported PDF contains the impact figure, and the report is readable by
assistive technology: a tagged PDF (PDF/UA-1) whose figure carries its alt text, and an HTML report with
zero axe-core violations (WCAG 2.1 A and AA, and axe's best practices, landmarks among them) in Chromium.

axe-core comes from npm (``make test`` installs it into ``.tools/``) and is injected from that file: nothing
is fetched from a CDN.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.export import export_report
from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.merge import Timeline
from postmortem_widgets.writing.drafters import OfflineDrafter
from tests.support import telemetry as ts
from tests.support.exports import pdf_violations, poppler
from tests.support.lab import CHROMIUM, chromium
from tests.support.paths import REPO, SEED_INCIDENT
from tests.test_export_pdf import layout_problems

AXE = Path(os.environ.get("POSTMORTEM_AXE", REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Incident, Timeline, str]:
    incident = load_incident(ts.write_checkout(tmp_path_factory.mktemp("checkout")))
    timeline = incident_timeline(incident)
    return incident, timeline, OfflineDrafter().draft(incident, timeline)


@pytest.fixture(scope="module")
def checkout_pdf(checkout: tuple[Incident, Timeline, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    incident, timeline, draft = checkout
    content = export_report(draft, incident, to="pdf", timeline=timeline)
    assert isinstance(content, bytes)
    path = tmp_path_factory.mktemp("pdf") / "checkout.pdf"
    path.write_bytes(content)
    return path


def _alt_texts(pdf: Path) -> list[str]:
    """Every ``/Alt`` string of the structure tree (it lives in compressed object streams)."""
    data = pdf.read_bytes()
    found: list[str] = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        found += [m.decode("latin-1") for m in re.findall(rb"/Alt \(((?:[^()\\]|\\.)*)\)", body)]
    return found


def test_the_pdf_contains_the_figure(checkout_pdf: Path) -> None:
    text = " ".join(poppler("pdftotext", str(checkout_pdf), "-").split())
    for words in ("Share of requests that failed", "Impact window", "Time (ET)", "Started", "Fix started"):
        assert words in text, words
    assert (
        "From our monitoring data: the share of requests that failed was about 0.13% until 9:00am ET, then "
        "rose sharply right after an update to a peak of 45%, and returned to the usual level at 9:51am ET."
    ) in text
    assert pdf_violations(checkout_pdf) == [] and layout_problems(checkout_pdf) == []


def test_the_pdf_is_tagged_and_the_figure_has_its_alt_text(checkout_pdf: Path) -> None:
    info = poppler("pdfinfo", str(checkout_pdf))
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    structure = poppler("pdfinfo", "-struct", str(checkout_pdf))
    assert "Figure" in structure and "Caption" in structure and "H2" in structure
    [alt] = _alt_texts(checkout_pdf)
    assert alt.startswith("Chart of the share of requests that failed, 8:08am to 10:43am ET. The share")
    assert alt.endswith("Marked: started 9:00am, detected 9:06am, fix started 9:40am, resolved 9:51am.")


def test_the_seed_pdf_is_tagged_too(tmp_path: Path) -> None:
    incident = load_incident(SEED_INCIDENT)
    timeline = incident_timeline(incident)
    content = export_report(OfflineDrafter().draft(incident, timeline), incident, to="pdf", timeline=timeline)
    assert isinstance(content, bytes)
    (tmp_path / "seed.pdf").write_bytes(content)
    assert re.search(r"^Tagged:\s+yes$", poppler("pdfinfo", str(tmp_path / "seed.pdf")), re.M)
    assert "Figure" not in poppler(
        "pdfinfo", "-struct", str(tmp_path / "seed.pdf")
    )  # no telemetry, no figure


# --- axe-core in Chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make installs it with apt)")
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE} (make test installs it from npm)")
    with chromium() as launched:
        yield launched


def _axe(browser: Any, html: str, *, width: int) -> list[dict[str, Any]]:
    """axe-core's violations on ``html`` at a viewport ``width`` wide (the report's CSP blocks scripts, so
    the audit's own script is let in by bypassing it for this page only)."""
    page = browser.new_page(bypass_csp=True, viewport={"width": width, "height": 900})
    try:
        page.set_content(html, wait_until="load", timeout=30_000)
        page.add_script_tag(path=str(AXE))
        result: list[dict[str, Any]] = page.evaluate(
            """async (tags) => {
                const only = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
                const r = await axe.run(document, only);
                return r.violations.map(v => ({id: v.id, impact: v.impact,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
            }""",
            AXE_TAGS,
        )
        return result
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_violation_in_the_html_report(
    browser: Any, checkout: tuple[Incident, Timeline, str], width: int
) -> None:
    incident, timeline, draft = checkout
    html = export_report(draft, incident, to="html", timeline=timeline)
    assert isinstance(html, str) and "<svg" in html
    assert _axe(browser, html, width=width) == []


@pytest.mark.browser
def test_axe_finds_no_violation_in_the_seed_report(browser: Any) -> None:
    incident = load_incident(SEED_INCIDENT)
    timeline = incident_timeline(incident)
    html = export_report(OfflineDrafter().draft(incident, timeline), incident, to="html", timeline=timeline)
    assert isinstance(html, str)
    assert _axe(browser, html, width=1280) == []


@pytest.mark.browser
def test_the_audit_would_see_content_outside_landmarks(browser: Any) -> None:
    """The report before issue 11 (header and footer inside an <article>) had one violation: 'region'."""
    incident = load_incident(SEED_INCIDENT)
    timeline = incident_timeline(incident)
    html = export_report(OfflineDrafter().draft(incident, timeline), incident, to="html", timeline=timeline)
    assert isinstance(html, str)
    old = html.replace('<div class="report">', '<article class="report">').replace(
        "</footer>\n</div>", "</footer>\n</article>"
    )
    assert old != html
    assert [(v["id"], v["nodes"]) for v in _axe(browser, old, width=1280)] == [
        ("region", ["header", "footer"])
    ]
