"""The report notebook in a real JupyterLab: what its Markdown renderer does with a hostile draft.

JupyterLab renders a Markdown cell with marked, raw HTML included, then sanitises the HTML of an untrusted
notebook; its sanitiser keeps ``<img src="http://...">``. So the control, a notebook of the raw draft,
makes the browser fetch from the server below; the exported report notebook (``--to ipynb``) must make it
fetch nothing, and its rendered cells must hold no active element, handler, non-web link or non-embedded
image.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from postmortem_widgets.export import export_report
from postmortem_widgets.export.report import build_report
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import Review
from tests.support.lab import BROWSER_TESTS, WAIT, running_lab, wait_until
from tests.support.net import recording_server
from tests.support.paths import DATA

pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_TESTS

HOSTILE = sorted((DATA / "export" / "hostile").glob("*.md"))

#: What the rendered cells hold, read in the page: elements, handlers, URLs.
INSPECT = """() => {
  const out = {tags: [], handlers: [], urls: [], cells: 0};
  for (const cell of document.querySelectorAll('.jp-MarkdownOutput')) {
    out.cells += 1;
    for (const el of cell.querySelectorAll('*')) {
      out.tags.push(el.tagName.toLowerCase());
      for (const attr of el.attributes) {
        if (attr.name.startsWith('on')) out.handlers.push(el.tagName + ' ' + attr.name);
        if (['src', 'href', 'action', 'data', 'formaction', 'xlink:href', 'srcset'].includes(attr.name))
          out.urls.push([attr.name, attr.value]);
      }
    }
  }
  return out;
}"""


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    with recording_server() as served:
        yield served


def rendered(page: Any, lab: Any, name: str, cells: int) -> dict[str, Any]:
    page.goto(lab.url(name), timeout=WAIT)
    page.locator(".jp-Notebook").first.wait_for(timeout=WAIT)
    page.wait_for_function(
        f"() => document.querySelectorAll('.jp-MarkdownOutput').length >= {cells}", timeout=WAIT
    )
    page.wait_for_timeout(2_000)  # images load after rendering
    result: dict[str, Any] = page.evaluate(INSPECT)
    return result


def test_jupyterlab_renders_the_report_notebook_inert(
    tmp_path: Path, server: tuple[str, list[str]], browser: Any
) -> None:
    host, hits = server
    draft = "\n\n".join(p.read_text().replace("{HOST}", host) for p in HOSTILE)
    incident = Incident(product_name="Anchor Analytics")
    root = tmp_path / "root"
    root.mkdir()
    nbformat.write(build_report(draft, incident, safe=False), root / "raw.ipynb")
    report = export_report(draft, incident, to="ipynb", review=Review([]), force=True)
    assert isinstance(report, str)
    (root / "report.ipynb").write_text(report)
    cells = len(json.loads(report)["cells"])
    scratch = tmp_path / "scratch"
    tracker = scratch / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}')  # every cell rendered, not only those on screen

    with running_lab(root, scratch) as lab:
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        page.set_default_timeout(WAIT)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        safe = rendered(page, lab, "report.ipynb", cells)
        assert hits == [] and dialogs == []
        assert safe["cells"] >= cells
        assert set(safe["tags"]) <= {
            "h2", "h3", "p", "a", "strong", "em", "del", "s", "code", "pre", "ul", "ol", "li",
            "blockquote", "img", "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "input", "span",
        }  # fmt: skip
        assert safe["handlers"] == []
        # Links may go to any web address (GFM renderers link bare URLs in text, as the author wrote
        # them); nothing may be fetched: every image is embedded, no other URL-bearing attribute.
        web = ("https:", "http:", "mailto:", "#")  # "#...": the anchors JupyterLab adds to headings
        assert [v for a, v in safe["urls"] if a == "href" and not v.startswith(web)] == []
        assert [v for a, v in safe["urls"] if a == "src" and not v.startswith("data:image/")] == []
        assert [a for a, _ in safe["urls"] if a not in {"href", "src"}] == []

        raw = rendered(page, lab, "raw.ipynb", 1)  # the control: JupyterLab does fetch from a raw draft
        # Polled, not a fixed wait: on a loaded machine the first fetch came after 3 s (1 run in 7).
        wait_until(
            "JupyterLab fetches from the raw draft (else the control no longer shows the risk)",
            lambda: bool(hits),
            timeout=30,
        )
        assert any(a == "src" and host in v for a, v in raw["urls"])
