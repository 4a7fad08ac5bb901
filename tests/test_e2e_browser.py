"""End to end in a real browser: JupyterLab, the workspace notebook, Debian Chromium driven by Playwright.

Each test starts its own JupyterLab on 127.0.0.1 with a token and throwaway config, runtime and workspace
folders, and always stops it. Screenshots go to test-artifacts/. Every wait is bounded.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.incident.record import load_incident, save_incident
from tests.support.lab import (
    BROWSER_TESTS,
    NOTEBOOK,
    WAIT,
    copy_project,
    form_editor,
    open_and_run,
    press,
    running_lab,
    tab,
    wait_status,
)
from tests.support.openai_server import OpenAIServer
from tests.support.paths import SEED_TIMELINE

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = BROWSER_TESTS


def save_notebook(page: Any, path: Path) -> dict[str, Any]:
    before = path.stat().st_mtime_ns
    page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=WAIT)
    page.wait_for_timeout(500)
    assert path.stat().st_mtime_ns != before
    return dict(json.loads(path.read_text()))


def test_upload_timeline_draft_review_and_export(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    root = copy_project(tmp_path / "root")
    incident_path = root / "sample_data" / "anchor_analytics" / "incident.yaml"
    incident = load_incident(incident_path)
    incident.response_timeline = ""  # so the metrics can only come from the upload
    save_incident(incident, incident_path)
    export = SEED_TIMELINE

    with running_lab(root, tmp_path / "scratch") as lab:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        try:
            open_and_run(page, lab, NOTEBOOK, timeout_ms=WAIT)
            wait_status(page, r"Opened .*Start by importing")
            page.screenshot(path=str(artifacts / "e2e-01-opened.png"))

            with page.expect_file_chooser(timeout=WAIT) as chooser:
                press(page, "Upload exports")
            chooser.value.set_files(str(export))
            wait_status(page, r"Imported uploads/timeline\.txt \(text\): 6 events")
            playwright_api.expect(
                page.locator(".pm-input-ok", has_text="uploads/timeline.txt")
            ).to_be_visible()
            page.screenshot(path=str(artifacts / "e2e-02-imported.png"))

            tab(page, "2 Timeline")
            duration = page.locator('.pm-card[data-metric="duration"] .pm-card-value')
            lag = page.locator('.pm-card[data-metric="time_to_detect"] .pm-card-value')
            playwright_api.expect(duration).to_have_text("2 hours 33 minutes", timeout=WAIT)
            playwright_api.expect(lag).to_have_text("28 minutes", timeout=WAIT)
            playwright_api.expect(page.locator(".pm-chart svg")).to_be_visible()
            page.screenshot(path=str(artifacts / "e2e-03-timeline.png"))

            tab(page, "5 Draft")
            press(page, "Generate draft")
            wait_status(page, r"Draft generated in .* saved as version 1")
            editor = form_editor(page)
            assert editor.input_value(timeout=WAIT).startswith(
                "## Summary\n\nOn April 15, 2024, Anchor Analytics"
            )
            playwright_api.expect(page.locator(".pm-preview h2").first).to_have_text("Summary")
            page.screenshot(path=str(artifacts / "e2e-04-draft.png"))

            tab(page, "6 Review")
            playwright_api.expect(page.locator('[data-review="pass"]')).to_be_visible(timeout=WAIT)
            page.screenshot(path=str(artifacts / "e2e-05-review.png"))

            tab(page, "7 Export")
            press(page, "HTML")
            wait_status(page, r"Exported HTML in .*exports/anchor-analytics-postmortem\.html")
            link = page.locator("a.pm-download[download='anchor-analytics-postmortem.html']")
            with page.expect_download(timeout=WAIT) as download:
                link.click()
            saved = Path(download.value.path()).read_text()
            assert "Anchor Analytics" in saved and "What Happened" in saved
            page.screenshot(path=str(artifacts / "e2e-06-export.png"))

            nb = save_notebook(page, root / NOTEBOOK)
            state = json.dumps(nb["metadata"]["widgets"])
            assert "2 hours 33 minutes" in state  # the widget state was saved ...
            raw = export.read_bytes()
            assert json.dumps(raw.decode()[:80])[1:-1] not in state  # ... without the uploaded file
            assert base64.b64encode(raw).decode()[:60] not in state
        finally:
            page.close()

    written = root / "sample_data" / "anchor_analytics"
    assert (written / "uploads" / "timeline.txt").read_bytes() == export.read_bytes()
    assert load_incident(written / "incident.yaml").timeline == ["uploads/timeline.txt"]
    assert "Anchor Analytics" in (written / "exports" / "anchor-analytics-postmortem.html").read_text()
    assert len(list((written / "drafts").glob("0001-*.md"))) == 1


def test_openai_compatible_model_streams_in_the_browser(
    tmp_path: Path, browser: Any, artifacts: Path, openai_server: OpenAIServer
) -> None:
    root = copy_project(tmp_path / "root")
    key = "sk-browser-test-key-4242"
    server = openai_server
    server.pieces = 10
    env = {"OPENAI_BASE_URL": server.base_url, "POSTMORTEM_MODEL": "test-model"}
    env_clean = {k: "" for k in ("OPENAI_API_KEY",) if k in os.environ}
    with running_lab(root, tmp_path / "scratch", env={**env, **env_clean}) as lab:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        try:
            open_and_run(page, lab, NOTEBOOK, timeout_ms=WAIT)
            wait_status(page, r"Opened .*6 events")
            tab(page, "5 Draft")
            page.locator(".pm-workspace .widget-toggle-button", has_text="OpenAI-compatible model").click()
            key_box = page.locator(".pm-workspace input[type=password]")
            key_box.fill(key)
            key_box.press("Enter")
            wait_status(page, r"API key kept in memory for this session only")
            playwright_api.expect(key_box).to_have_value("")
            playwright_api.expect(
                page.locator(".pm-workspace", has_text="key entered (…4242)")
            ).to_be_visible()
            press(page, "Generate draft")
            wait_status(page, r"Draft generated in .* saved as version 1")
            editor = form_editor(page)
            assert editor.input_value(timeout=WAIT) == server.text
            page.screenshot(path=str(artifacts / "e2e-07-openai.png"))
            nb = save_notebook(page, root / NOTEBOOK)
        finally:
            page.close()
    request = server.received[0]
    assert request.body["stream"] is True
    assert request.body["model"] == "test-model"
    assert request.headers["authorization"] == f"Bearer {key}"
    assert "key entered" in json.dumps(nb["metadata"]["widgets"])
    assert key not in json.dumps(nb)
