"""The impact window in a real browser: JupyterLab, the workspace notebook, Debian Chromium via Playwright.

The incident's inputs are the synthetic log and alert of issue 11 (tests/support/telemetry.py, zone UTC).
The impact lane is seen in the page, the window's beginning moved with its box and its end with the range
slider under the chart; the duration card and incident.yaml follow. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.incident.record import load_incident
from tests.support import telemetry
from tests.support.lab import (
    BROWSER_TESTS,
    NOTEBOOK,
    WAIT,
    copy_project,
    open_and_run,
    running_lab,
    tab,
    wait_status,
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = BROWSER_TESTS


def test_the_impact_lane_is_seen_and_the_window_moved(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    root = copy_project(tmp_path / "root")
    incident = telemetry.write_incident(root / "checkout", "app.csv", "alerts.json")
    env = {"POSTMORTEM_INCIDENT": str(incident)}
    with running_lab(root, tmp_path / "scratch", env=env) as lab:
        page = browser.new_page(viewport={"width": 1366, "height": 1000})
        try:
            open_and_run(page, lab, NOTEBOOK, timeout_ms=WAIT)
            wait_status(page, r"Opened checkout/incident\.yaml: 7 events from 2 input\(s\)")
            lane = page.locator(".pm-chart svg path.pm-lane-line")
            expect(lane).to_be_visible(timeout=WAIT)
            window = page.locator(".pm-chart svg rect.pm-impact-window")
            expect(window).to_have_attribute("data-began", "2025-03-03T14:00:00Z", timeout=WAIT)
            expect(page.locator(".pm-chart svg text.caption")).to_have_text(
                "error ratio 0.13% -> 29% at 14:00 UTC; back under 0.86% at 14:51:30 UTC"
            )
            duration = page.locator('.pm-card[data-metric="duration"] .pm-card-value')
            expect(duration).to_have_text("52 minutes", timeout=WAIT)
            box = lane.bounding_box()
            assert box is not None and box["width"] > 600 and box["height"] > 30  # drawn, not collapsed
            page.locator(".pm-workspace .pm-chart").scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "e2e-impact-01-lane.png"))

            began = page.locator(".pm-window-began input")
            expect(began).to_have_value("2:00pm", timeout=WAIT)
            began.fill("1:55pm")
            began.press("Enter")
            wait_status(page, r"Window moved: started set to 1:55pm\.")
            expect(duration).to_have_text("56 minutes", timeout=WAIT)
            expect(window).to_have_attribute("data-began", "2025-03-03T13:55:00Z", timeout=WAIT)
            assert load_incident(incident).milestones == {"started": "2025-03-03T13:55:00Z"}

            upper = page.locator(".pm-window-slider .noUi-handle-upper")
            upper.focus()
            upper.press("ArrowRight")  # one bin later: 2:52pm
            wait_status(page, r"Window moved: resolved set to 2:52pm\.")
            expect(duration).to_have_text("57 minutes", timeout=WAIT)
            page.screenshot(path=str(artifacts / "e2e-impact-02-moved.png"))

            tab(page, "1 Import")
            role = page.locator(".pm-workspace .pm-role select").first
            expect(role).to_have_value("log", timeout=WAIT)
            page.screenshot(path=str(artifacts / "e2e-impact-03-import.png"))
        finally:
            page.close()
    assert load_incident(incident).milestones == {
        "started": "2025-03-03T13:55:00Z",
        "resolved": "2025-03-03T14:52:00Z",
    }
