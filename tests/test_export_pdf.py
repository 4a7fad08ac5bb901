"""Acceptance: the seed example and the Harbor Payments sample as PDF, read back with poppler.

pdftotext must find every section heading, every timeline time and the duration; pdftotext's word boxes
must all lie inside the page margins (nothing clipped) and never overlap one another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from postmortem_widgets.export import export_report
from postmortem_widgets.export.report import split_sections
from postmortem_widgets.incident.fill import fill_incident
from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.humanize import human_duration
from postmortem_widgets.timeline.merge import Timeline
from postmortem_widgets.writing.drafters import OfflineDrafter
from tests.support import paths
from tests.support.exports import html_violations, pdf_violations, poppler

HARBOR_YAML = paths.SAMPLES / "harbor_payments" / "incident.yaml"
SEED_EXAMPLE = (paths.DATA / "export" / "seed_draft.md").read_text()
MM = 72 / 25.4


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words(pdf: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    """Page sizes and every word's box, from ``pdftotext -bbox``."""
    xml = poppler("pdftotext", "-bbox", str(pdf), "-")
    pages: list[tuple[float, float]] = []
    found: list[Word] = []
    for block in re.split(r"(?=<page )", xml)[1:]:
        size = re.match(r'<page width="([\d.]+)" height="([\d.]+)">', block)
        assert size is not None
        pages.append((float(size[1]), float(size[2])))
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', block
        ):
            found.append(Word(len(pages), m[5], *(float(m[i]) for i in range(1, 5))))
    return pages, found


def layout_problems(pdf: Path) -> list[str]:
    """Words outside the printable area (the 18 mm side margins of the print stylesheet), or overlapping."""
    pages, found = words(pdf)
    problems = []
    for w in found:
        width, height = pages[w.page - 1]
        if w.x0 < 18 * MM - 1 or w.x1 > width - 18 * MM + 1 or w.y0 < 0 or w.y1 > height:
            problems.append(f"page {w.page}: {w.text!r} at x {w.x0:.0f}-{w.x1:.0f} is outside the margins")
    by_page: dict[int, list[Word]] = {}
    for w in found:
        by_page.setdefault(w.page, []).append(w)
    for page, ws in by_page.items():
        ws.sort(key=lambda w: (w.y0, w.x0))
        for i, a in enumerate(ws):
            for b in ws[i + 1 :]:
                if b.y0 >= a.y1:
                    break
                overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
                if overlap_x > 0.5 and overlap_y > 0.5:
                    problems.append(f"page {page}: {a.text!r} overlaps {b.text!r}")
    return problems


def timeline_times(draft: str) -> list[str]:
    """The times the draft's timeline bullets start with, e.g. ``9:14am ET``."""
    _, sections = split_sections(draft)
    (timeline,) = [s for s in sections if s.slug == "timeline"]
    return re.findall(r"^\s*[-*] \*\*(.+?):\*\*", timeline.source, re.MULTILINE)


def _case(name: str) -> tuple[Incident, Timeline, str, str]:
    """(incident, timeline, draft, duration in words) of one acceptance case."""
    path = HARBOR_YAML if name.startswith("harbor") else paths.SEED_INCIDENT
    if not path.exists():
        pytest.fail(f"{path} is missing: the acceptance test needs the sample incident")
    incident = load_incident(path)
    timeline = incident_timeline(incident)
    draft = SEED_EXAMPLE if name == "seed-example" else OfflineDrafter().draft(incident, timeline)
    return incident, timeline, draft, human_duration(timeline.metrics.duration)


CASES = ["seed-example", "seed-offline", "harbor-offline"]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pdf")


@pytest.mark.parametrize("name", CASES)
def test_pdf_has_every_heading_time_and_the_duration(name: str, out_dir: Path) -> None:
    incident, timeline, draft, duration = _case(name)
    html = export_report(draft, incident, to="html", timeline=timeline)
    assert isinstance(html, str) and html_violations(html) == []
    pdf = out_dir / f"{name}.pdf"
    content = export_report(draft, incident, to="pdf", timeline=timeline)
    assert isinstance(content, bytes)
    pdf.write_bytes(content)
    incident = fill_incident(incident, timeline)
    text = " ".join(poppler("pdftotext", str(pdf), "-").split())
    _, sections = split_sections(draft)
    headings = [s.heading for s in sections if s.heading]
    assert len(headings) == 6
    assert [h for h in headings if h not in text] == []
    times = timeline_times(draft)
    assert len(times) >= 5
    assert [t for t in times if t not in text] == []
    assert duration in text, f"{duration!r} is not in the PDF"
    assert incident.incident_duration and " ".join(incident.incident_duration.split()) in text
    assert incident.product_name in text and incident.incident_date in text and "Resolved" in text
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(pdf)))[1])  # type: ignore[index]
    assert f"Page {pages} of {pages}" in text
    assert pdf_violations(pdf) == []
    assert layout_problems(pdf) == []


def test_long_lines_and_wide_tables_wrap_instead_of_clipping(tmp_path: Path) -> None:
    long_url = "https://status.example.com/" + "very-long-path-segment-" * 12
    long_word = "x" * 180
    table = "| Region | Impact | Notes |\n|---|---|---|\n" + "".join(
        f"| eu-west-{i} | {'degraded-' * 8}{i} | {'a-long-unbroken-note-' * 6}{i} |\n" for i in range(3)
    )
    draft = (
        f"## Summary\n\nSee <{long_url}> and {long_word} for details.\n\n{table}\n"
        f"```\n{'a very long code line ' * 20}\n```\n"
    )
    pdf = tmp_path / "wide.pdf"
    content = export_report(draft, Incident(product_name="Wide Co"), to="pdf", force=True)
    assert isinstance(content, bytes)
    pdf.write_bytes(content)
    assert layout_problems(pdf) == []
    text = "".join(poppler("pdftotext", str(pdf), "-").split())
    assert long_word in text  # wrapped, every character kept
    assert text.count("eu-west-") == 3
