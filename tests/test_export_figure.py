"""The report's impact figure: an inline SVG of the signal with the window shaded and the milestones marked.

Read back by parsing the SVG (not by searching its text): the window's x range against the axis ticks, the
alt text, no internal names unless kept; then how the figure travels into each export, and that nothing a
draft or a hand-edited notebook holds can put SVG of its own into the report.
"""

from __future__ import annotations

import base64
import email
import re
import xml.etree.ElementTree as ET
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from postmortem_widgets.export import export_report
from postmortem_widgets.export.exporters import PostmortemHTMLExporter
from postmortem_widgets.export.figure import ImpactFigure, evidence_line, impact_figure
from postmortem_widgets.export.report import build_report
from postmortem_widgets.export.svg import clean_svg
from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.merge import Timeline
from postmortem_widgets.writing.drafters import OfflineDrafter
from tests.support import telemetry as ts
from tests.support.exports import elements, html_violations

SVG = "{http://www.w3.org/2000/svg}"
ALT = (
    "Chart of the share of requests that failed, 8:08am to 10:43am ET. The share of requests that failed was "
    "about 0.13% until 9:00am ET, then rose sharply right after an update to a peak of 45%, and returned to "
    "the usual level at 9:51am ET. The shaded band marks the impact window, 9:00am to 9:51am ET. Marked: "
    "started 9:00am, detected 9:06am, fix started 9:40am, resolved 9:51am."
)
CAPTION = (
    "From our monitoring data: the share of requests that failed was about 0.13% until 9:00am ET, then rose "
    "sharply right after an update to a peak of 45%, and returned to the usual level at 9:51am ET. "
    "The shaded band is the impact window."
)
HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Incident, Timeline]:
    incident = load_incident(ts.write_checkout(tmp_path_factory.mktemp("checkout")))
    return incident, incident_timeline(incident)


@pytest.fixture(scope="module")
def figure(checkout: tuple[Incident, Timeline]) -> ImpactFigure:
    incident, timeline = checkout
    drawn = impact_figure(timeline, tz=incident.timezone)
    assert drawn is not None
    return drawn


@pytest.fixture(scope="module")
def draft(checkout: tuple[Incident, Timeline]) -> str:
    return OfflineDrafter().draft(*checkout)


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> dict[str, float]:
    return {t.text or "": float(t.get("x", "0")) for t in root.iter(f"{SVG}text")}


def test_the_window_is_shaded_between_its_times(figure: ImpactFigure) -> None:
    root = _tree(figure.svg)
    [window] = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#f9dcd8"]
    x0, x1 = float(window.get("x", "0")), float(window.get("x", "0")) + float(window.get("width", "0"))
    ticks = _texts(root)
    # The window runs from 9:00am to 9:51:30am ET; the axis is ticked every 30 minutes in ET.
    assert x0 == pytest.approx(ticks["9:00am"], abs=0.2)
    assert x1 == pytest.approx(ticks["9:30am"] + (ticks["10:00am"] - ticks["9:30am"]) * 21.5 / 30, abs=0.3)
    assert {"Started", "Detected", "Fix started", "Resolved", "Impact window", "Time (ET)"} <= set(ticks)
    dashed = sorted(
        float(line.get("x1", "0")) for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")
    )
    assert dashed[0] == pytest.approx(x0, abs=0.2) and dashed[-1] == pytest.approx(x1, abs=0.3)


def test_alt_text_states_the_evidence(figure: ImpactFigure) -> None:
    root = _tree(figure.svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (
        title is not None and desc is not None and list(root)[:2] == [title, desc]
    )  # direct children, first
    assert (title.text, figure.alt) == (ALT, ALT)
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text == "One point per 30 seconds from the monitoring data; times in ET."
    assert figure.caption == CAPTION and figure.title == "Share of requests that failed"


def test_the_svg_is_inert_and_survives_its_own_check(figure: ImpactFigure) -> None:
    tags = {e.tag.removeprefix(SVG) for e in _tree(figure.svg).iter()}
    assert tags <= {"svg", "title", "desc", "rect", "line", "polyline", "text"}
    assert not re.search(r"\b(?:on\w+|href|style)=|url\(|<script", figure.svg)
    assert clean_svg(figure.svg) == figure.svg


def _labelled_panel(folder: Path, host: str) -> tuple[Incident, Timeline]:
    """A panel with an internal host as a label column and the series' own (internal) name."""
    panel = ts.write_metric_csv(folder / "panel.csv").read_text().splitlines()
    rows = [f"{panel[0].split(',')[0]},host,checkout-api error ratio"]
    rows += [f"{line.split(',')[0]},{host},{line.split(',')[1]}" for line in panel[1:]]
    (folder / "db.csv").write_text("\n".join(rows) + "\n")
    incident = Incident(product_name="Checkout", timezone="UTC", timeline=["db.csv"], base_dir=folder)
    return incident, incident_timeline(incident)


def test_no_internal_names_unless_kept(tmp_path: Path) -> None:
    _, timeline = _labelled_panel(tmp_path, "api-1.corp.internal")
    plain = impact_figure(timeline, tz="UTC")
    kept = impact_figure(timeline, tz="UTC", keep_names=True)
    assert plain is not None and kept is not None
    for text in (plain.svg, plain.caption, plain.alt):
        assert not re.search(r"checkout|corp|internal|api-1|db\.csv|error ratio", text, re.I), text
    assert plain.title == "Share of requests that failed"
    assert kept.title == "checkout-api error ratio (host=api-1.corp.internal)"
    assert "checkout-api error ratio (host=api-1.corp.internal)" in kept.svg and kept.title in kept.alt


def test_a_kept_name_still_hides_a_secret(tmp_path: Path) -> None:
    _, timeline = _labelled_panel(tmp_path, "sk-live-abcdefghijklmnop1234")
    kept = impact_figure(timeline, tz="UTC", keep_names=True)
    assert kept is not None and "abcdefghijklmnop" not in kept.svg + kept.alt
    assert kept.title == "checkout-api error ratio (host=[secret])"


def test_no_figure_without_telemetry(seed_incident: Incident, seed_timeline: Timeline) -> None:
    assert impact_figure(seed_timeline, tz=seed_incident.timezone) is None
    assert evidence_line(seed_timeline, tz=seed_incident.timezone) is None
    html = export_report(
        "## Summary\n\nText.\n", seed_incident, to="html", timeline=seed_timeline, force=True
    )
    assert "<svg" not in str(html) and "<figure" not in str(html)


# --- into the exports ------------------------------------------------------------------------------


def test_html_shows_the_figure_after_the_timeline(
    checkout: tuple[Incident, Timeline], draft: str, figure: ImpactFigure
) -> None:
    html = str(export_report(draft, checkout[0], to="html", timeline=checkout[1]))
    assert html.count("<svg") == 1
    timeline_at, figure_at, why_at = (html.index(s) for s in ("What Happened", "<figure", "Why It Happened"))
    assert timeline_at < figure_at < why_at
    assert (
        f'<figure class="impact-figure">\n{figure.svg}\n<figcaption>{CAPTION}</figcaption>\n</figure>' in html
    )
    no_figure = str(export_report(draft, checkout[0], to="html", timeline=checkout[1], figure=False))
    assert "<svg" not in no_figure and "From our monitoring data" not in no_figure


def test_markdown_and_email_state_the_evidence_in_a_line(
    checkout: tuple[Incident, Timeline], draft: str
) -> None:
    incident, timeline = checkout
    md = str(export_report(draft, incident, to="md", timeline=timeline))
    paragraphs = md.split("\n\n")
    at = paragraphs.index("## Why It Happened")
    assert paragraphs[at - 1] == f"*{CAPTION}*"  # its own paragraph, after the timeline
    assert "<svg" not in md
    raw = export_report(draft, incident, to="email", timeline=timeline)
    assert isinstance(raw, bytes)
    message = email.message_from_bytes(raw, policy=policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert f"*{CAPTION}*" in text.get_content()
    assert CAPTION in html.get_content() and "<svg" not in html.get_content()


def test_report_notebook_carries_the_svg_as_an_attachment(
    checkout: tuple[Incident, Timeline], draft: str, figure: ImpactFigure
) -> None:
    nb = nbformat.reads(
        str(export_report(draft, checkout[0], to="ipynb", timeline=checkout[1])), as_version=4
    )
    nbformat.validate(nb)
    cells = [c.id for c in nb.cells]
    assert cells == ["s1-summary", "s2-timeline", "figure-impact", "s3-why", "s4-response", "s5-changes",
                     "s6-apology"]  # fmt: skip
    cell = nb.cells[2]
    assert cell.cell_type == "markdown" and cell.source.endswith("](attachment:impact.svg)")
    assert cell.attachments == {"impact.svg": {"image/svg+xml": figure.svg}}
    assert cell.metadata["postmortem"] == {"figure": "impact", "caption": CAPTION}
    assert all("attachments" not in c for c in nb.cells if c.id != "figure-impact")


# --- nothing else gets SVG in -----------------------------------------------------------------------


def test_a_draft_cannot_inject_svg(checkout: tuple[Incident, Timeline], draft: str) -> None:
    data_svg = "data:image/svg+xml;base64," + base64.b64encode(HOSTILE_SVG.encode()).decode()
    hostile = draft.replace(
        "## Why It Happened\n",
        f"## Why It Happened\n\n{HOSTILE_SVG}\n\n![chart]({data_svg}) ![chart](attachment:impact.svg)\n",
    )
    html = str(export_report(hostile, checkout[0], to="html", timeline=checkout[1], force=True))
    tags, _ = elements(html)
    assert [a.get("class") for t, a in tags if t == "svg"] == ["impact-chart"]  # ours only
    assert not [t for t, a in tags if t == "script" or any(k.startswith("on") for k in a)]
    assert not [a for t, a in tags if t == "img"]  # the SVG images became their alt text
    assert "&lt;svg" in html  # the raw SVG a draft wrote is shown as text
    figure = html[html.index("<figure") : html.index("</figure>") + 9]
    assert html_violations(html.replace(figure, "")) == []


@pytest.mark.parametrize(
    "svg",
    [
        HOSTILE_SVG,
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/x)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:red"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        '<text x:href="https://evil.example">x</text></svg>',
        '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"><title>&a;</title></svg>',
        '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
        "<svg><title>no namespace</title></svg>",
        "not xml at all <",
        '<svg xmlns="http://www.w3.org/2000/svg"><title>' + "x" * 600_000 + "</title></svg>",
        None,
    ],
)
def test_clean_svg_refuses_anything_but_a_figure(svg: str | None) -> None:
    assert clean_svg(svg) is None


def test_clean_svg_writes_the_text_anew() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text x="1">a &lt;b&gt; &amp; c</text></svg>'
    assert clean_svg(svg) == svg
    assert clean_svg(["<svg xmlns='http://www.w3.org/2000/svg'>", "<title>t</title></svg>"]) == (
        '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>'
    )


def test_a_hand_edited_notebook_cannot_smuggle_svg(
    checkout: tuple[Incident, Timeline], draft: str, figure: ImpactFigure
) -> None:
    nb = build_report(draft, checkout[0], figure=figure)
    nb.cells[2].attachments["impact.svg"]["image/svg+xml"] = HOSTILE_SVG
    nb.cells[0].metadata["postmortem"]["figure"] = "impact"  # a draft cell that claims to be the figure
    nb.cells[0].attachments = {"impact.svg": {"image/svg+xml": HOSTILE_SVG}}
    html, _ = PostmortemHTMLExporter().from_notebook_node(nb)
    assert "<svg" not in html and "alert(" not in html and "<figure" not in html
    assert "What Happened (Timeline)" in html


class _Landmarks(HTMLParser):
    """Text found outside header, main and footer (the landmarks a screen reader jumps between)."""

    LANDMARKS = frozenset({"header", "main", "footer", "nav", "aside"})
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.outside: list[str] = []
        self.nested: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("header", "footer") and {"article", "section", "main", "aside", "nav"} & set(self.stack):
            self.nested.append(tag)  # scoped to its parent: not a banner or contentinfo landmark
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and "body" in self.stack and not self.LANDMARKS & set(self.stack):
            self.outside.append(data.strip())


def test_every_part_of_the_html_report_is_in_a_landmark(
    checkout: tuple[Incident, Timeline], draft: str
) -> None:
    parser = _Landmarks()
    parser.feed(str(export_report(draft, checkout[0], to="html", timeline=checkout[1])))
    assert (parser.outside, parser.nested) == ([], [])
