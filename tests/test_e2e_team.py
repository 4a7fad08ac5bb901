"""Team editing in a real browser: JupyterLab with jupyter-collaboration, Debian Chromium through Playwright.

Each scenario asserts that no text is lost, on disk and on screen: JupyterLab's collaborative editor and
the form on one ``working.md``; two kernels on one incident; two views of one form typing at once; reload;
restart and re-run; a failed model run. Every wait is bounded; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import functools
import re
import time
from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.incident.record import load_incident
from tests.support import lab as lab_support
from tests.support.lab import (
    BROWSER_TESTS,
    NOTEBOOK,
    Lab,
    copy_project,
    form_editor,
    open_and_run,
    press,
    run_all_cells,
    running_lab,
    status,
    tab,
    wait_for_idle_kernel,
    wait_until,
)
from tests.support.openai_server import OpenAIServer, Reply

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = BROWSER_TESTS

INCIDENT = "sample_data/anchor_analytics"
WORKING = f"{INCIDENT}/drafts/working.md"
#: Each step's bound here, longer than :data:`tests.support.lab.WAIT`: most tests drive two or three pages.
WAIT = 90_000
INITIAL = "## Summary\n\nDashboards were stale.\n\n## Why It Happened\n\nA cache deploy.\n"
#: The text of the shared model behind the current JupyterLab editor.
JS_EDITOR_TEXT = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return w && w.context && w.context.model.sharedModel ? w.context.model.sharedModel.getSource() : null; }"""


def page_in_new_context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    return page


#: :func:`tests.support.lab.wait_status` within this module's WAIT.
wait_status = functools.partial(lab_support.wait_status, timeout_ms=WAIT)


def details_box(page: Any, label: str) -> Any:
    row = page.locator(".pm-details .widget-hbox", has=page.locator(".pm-section", has_text=label)).first
    return row.locator("textarea").first


def fill_exactly(box: Any, text: str) -> None:
    """Playwright's fill selects the old text, then inserts in a second step: a value the kernel sends
    in between moves the caret to the end and the text is appended. Fill until the box says exactly that."""
    for _ in range(3):
        box.fill(text)
        if box.input_value() == text:
            break
    expect(box).to_have_value(text)


def open_editor(browser: Any, lab: Lab, path: str) -> Any:
    page = page_in_new_context(browser)
    page.goto(lab.url(path))
    page.locator(".jp-FileEditor .cm-content").first.wait_for(timeout=WAIT)
    page.wait_for_function(f"() => ({JS_EDITOR_TEXT})() !== null", timeout=WAIT)
    return page


def editor_text(page: Any) -> str:
    return str(page.evaluate(JS_EDITOR_TEXT))


def type_at_end(page: Any, selector: str, text: str) -> None:
    page.locator(selector).first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text, delay=30)


def assert_no_message_dropped(lab: Lab) -> None:
    """The kernel handled every widget message: one it cannot route is typing the form never received."""
    dropped = [line for line in lab.log_tail(100_000).splitlines() if "Cannot handle comm_msg" in line]
    assert not dropped, f"the kernel dropped {len(dropped)} widget message(s): {dropped[:3]}"


def record(artifacts: Path, **timings: float) -> None:
    """Keep measured seconds in test-artifacts/team-timings.json (for the notes, not asserted here)."""
    import json

    path = artifacts / "team-timings.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**known, **{k: round(v, 2) for k, v in timings.items()}}, indent=2))


def project_with_working_copy(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "root")
    working = root / WORKING
    working.parent.mkdir(parents=True)
    working.write_text(INITIAL)
    return root


def test_the_form_and_two_jupyterlab_editors_edit_one_working_md(
    tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    root = project_with_working_copy(tmp_path)
    with running_lab(root, tmp_path / "scratch") as lab:
        form = page_in_new_context(browser)
        open_and_run(form, lab, NOTEBOOK, timeout_ms=WAIT)
        wait_status(form, r"Opened")
        tab(form, "5 Draft")
        expect(
            form.locator(".pm-workspace", has_text="Live: the same text as drafts/working.md")
        ).to_be_visible(timeout=WAIT)
        assert form_editor(form).input_value() == INITIAL
        alice, bob = open_editor(browser, lab, WORKING), open_editor(browser, lab, WORKING)
        # Alice and Bob type at once in JupyterLab's editor, the form has the file open.
        alice.locator(".jp-FileEditor .cm-content").first.click()
        alice.keyboard.press("Control+End")
        bob.locator(".jp-FileEditor .cm-content").first.click()
        bob.keyboard.press("Control+Home")
        for a, b in zip("[alice was here]", "[bob-here]".ljust(16), strict=True):
            alice.keyboard.type(a)
            if b.strip():
                bob.keyboard.type(b)
        wait_until("the form shows both", lambda: "[alice was here]" in form_editor(form).input_value())
        # Then someone types in the form's Draft editor.
        type_at_end(form, ".pm-workspace textarea:visible", "\n[typed in the form]")
        expected = ["[alice was here]", "[bob-here]", "[typed in the form]", "Dashboards were stale."]

        def everywhere() -> bool:
            texts = [editor_text(alice), editor_text(bob), form_editor(form).input_value()]
            return all(all(e in t for e in expected) for t in texts)

        wait_until(
            "every editor and the form have every edit",
            everywhere,
            detail=lambda: [
                editor_text(alice),
                editor_text(bob),
                form_editor(form).input_value(),
                (root / WORKING).read_text(),
                lab.log_tail(60),
            ],
        )
        wait_until(
            "the disk has every edit", lambda: all(e in (root / WORKING).read_text() for e in expected)
        )
        assert "person(s) editing drafts/working.md" in form.locator(".pm-team").inner_text()
        assert_no_message_dropped(lab)
        form.screenshot(path=str(artifacts / "team-01-form.png"))
        alice.screenshot(path=str(artifacts / "team-02-jupyterlab-editor.png"))


def test_two_kernels_saving_different_fields_keep_both(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    root = copy_project(tmp_path / "root")
    second = root / "notebooks" / "second.ipynb"
    second.write_text((root / NOTEBOOK).read_text())
    with running_lab(root, tmp_path / "scratch") as lab:
        a, b = page_in_new_context(browser), page_in_new_context(browser)
        # Each page its own JupyterLab workspace, so neither restores the other's notebook tab.
        open_and_run(a, lab, NOTEBOOK, timeout_ms=WAIT, workspace="a")
        open_and_run(b, lab, "notebooks/second.ipynb", timeout_ms=WAIT, workspace="b")
        for page in (a, b):
            wait_status(page, r"Opened")
            tab(page, "3 Details")
        expect(b.locator(".pm-team")).to_contain_text("other form", timeout=WAIT)
        # Typing is saved about a second after it pauses. A's form may take in B's save while A's typing
        # waits for that pause: then one line says both ("Saved root cause. Took in ... remediation.").
        fill_exactly(details_box(b, "Remediation"), "B: rolled back and rebuilt the cache")
        details_box(b, "Root cause").click()
        wait_status(b, r"Saved remediation")
        fill_exactly(details_box(a, "Root cause"), "A: a cache deploy failed without an alert")
        details_box(a, "Remediation").click()
        wait_status(a, r"Saved root cause")
        incident = load_incident(root / INCIDENT / "incident.yaml")
        assert incident.remediation == "B: rolled back and rebuilt the cache"
        assert incident.root_cause == "A: a cache deploy failed without an alert"
        # Each form shows the other's change (A merged it on save, B takes it in within a poll).
        expect(details_box(a, "Remediation")).to_have_value(
            "B: rolled back and rebuilt the cache", timeout=WAIT
        )
        expect(details_box(b, "Root cause")).to_have_value(
            "A: a cache deploy failed without an alert", timeout=WAIT
        )
        assert_no_message_dropped(lab)
        a.screenshot(path=str(artifacts / "team-03-two-kernels.png"))


def test_two_views_of_one_form_type_at_once_without_losing_a_key(
    tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    root = project_with_working_copy(tmp_path)
    with running_lab(root, tmp_path / "scratch") as lab:
        one = page_in_new_context(browser)
        open_and_run(one, lab, NOTEBOOK, timeout_ms=WAIT)
        wait_status(one, r"Opened")
        two = page_in_new_context(browser)
        started = time.monotonic()
        two.goto(lab.url(NOTEBOOK))
        status(two).wait_for(timeout=WAIT)  # the second view shows the live form
        second_view_s = time.monotonic() - started
        tab(one, "3 Details")
        tab(two, "5 Draft")
        # One view's tab click does not move the other's.
        expect(one.locator(".pm-details").first).to_be_visible()
        expect(form_editor(two)).to_be_visible()
        # Two fields at once: Details in one view, the draft in the other.
        details_box(one, "Detection").click()
        form_editor(two).click()
        two.keyboard.press("Control+End")
        for x, y in zip("one-types-here", "two-types-here", strict=True):
            one.keyboard.type(x)
            two.keyboard.type(y)
        details_box(one, "Prevention").click()
        wait_status(one, r"Saved detection")
        # Typing is saved once per pause: a pause midway may have saved part of it first.
        wait_until(
            "the whole detection is saved",
            lambda: load_incident(root / INCIDENT / "incident.yaml").detection.endswith("one-types-here"),
        )
        # The one Draft editor, from both views at once.
        tab(one, "5 Draft")
        expect(form_editor(one)).to_have_value(re.compile("two-types-here"), timeout=WAIT)
        form_editor(one).click()
        one.keyboard.press("Control+Home")
        form_editor(two).click()
        two.keyboard.press("Control+End")
        for x, y in zip("ABCDEFGHIJKL", "abcdefghijkl", strict=True):
            one.keyboard.type(x)
            two.keyboard.type(y)
        wait_until(
            "both views show all 24 characters",
            lambda: all(
                "ABCDEFGHIJKL" in form_editor(p).input_value()
                and "abcdefghijkl" in form_editor(p).input_value()
                for p in (one, two)
            ),
        )
        wait_until(
            "the disk has all 24 characters",
            lambda: all(s in (root / WORKING).read_text() for s in ("ABCDEFGHIJKL", "abcdefghijkl")),
        )
        assert form_editor(one).input_value() == form_editor(two).input_value()
        one.screenshot(path=str(artifacts / "team-04-two-views.png"))
        record(artifacts, second_view_shows_form_s=second_view_s)
        assert second_view_s < 60, f"the second view took {second_view_s:.0f} s to show the form"


def test_reload_rerun_and_restart_bring_the_form_back(tmp_path: Path, browser: Any, artifacts: Path) -> None:
    root = copy_project(tmp_path / "root")
    other = root / "sample_data" / "harbor_payments" / "incident.yaml"
    with running_lab(root, tmp_path / "scratch") as lab:
        page = page_in_new_context(browser)
        open_and_run(page, lab, NOTEBOOK, timeout_ms=WAIT)
        wait_status(page, r"Opened anchor_analytics")
        # Open another incident in the form: that is the one to come back to.
        page.locator(".pm-workspace input[placeholder='path/to/incident.yaml']").fill(str(other))
        press(page, "Open")
        wait_status(page, r"Opened harbor_payments")
        # Run the cell twice, then reload: the live form, never "model not found".
        for _ in range(2):
            run_all_cells(page)
            wait_status(page, r"Opened harbor_payments|Took in|^$")
        started = time.monotonic()
        page.reload()
        status(page).wait_for(timeout=WAIT)
        reload_s = time.monotonic() - started
        expect(page.locator("text=model not found")).to_have_count(0)
        tab(page, "2 Timeline")
        expect(page.locator('.pm-card[data-metric="duration"]').first).to_be_visible(timeout=WAIT)
        expect(page.locator(".pm-workspace .pm-dead").first).to_be_hidden()
        page.screenshot(path=str(artifacts / "team-05-reloaded.png"))
        # Restart the kernel: the old form says how to bring it back; running the cell reopens Harbor.
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()")
        expect(page.locator(".pm-workspace .pm-dead").first).to_be_visible(timeout=WAIT)
        page.screenshot(path=str(artifacts / "team-06-dead-form.png"))
        wait_for_idle_kernel(page, WAIT)
        run_all_cells(page)
        wait_status(page, r"Opened harbor_payments")
        page.screenshot(path=str(artifacts / "team-07-restarted.png"))
    record(artifacts, reload_shows_form_s=reload_s)
    assert reload_s < 60, f"the form took {reload_s:.0f} s to show after a reload"


def test_a_failed_model_run_keeps_the_editor_text(
    tmp_path: Path, browser: Any, artifacts: Path, openai_server: OpenAIServer
) -> None:
    root = project_with_working_copy(tmp_path)
    for _ in range(4):  # every attempt is cut off mid-stream
        openai_server.script(Reply(mode="cut", cut_after=3))
    env = {
        "OPENAI_BASE_URL": openai_server.base_url,
        "POSTMORTEM_MODEL": "test-model",
        "OPENAI_API_KEY": "sk-x",
    }
    with running_lab(root, tmp_path / "scratch", env=env) as lab:
        page = page_in_new_context(browser)
        open_and_run(page, lab, NOTEBOOK, timeout_ms=WAIT)
        wait_status(page, r"Opened")
        tab(page, "5 Draft")
        expect(page.locator(".pm-workspace", has_text="Live:")).to_be_visible(timeout=WAIT)
        type_at_end(page, ".pm-workspace textarea:visible", "My own words.")
        wait_until("the disk has what was typed", lambda: "My own words." in (root / WORKING).read_text())
        page.locator(".pm-workspace .widget-toggle-button", has_text="OpenAI-compatible model").click()
        press(page, "Generate draft")
        wait_status(page, r"kept as version \d+ .*Your text in the editor is unchanged")
        assert form_editor(page).input_value() == INITIAL + "My own words."
        time.sleep(1.5)  # the server's save delay
        assert (root / WORKING).read_text() == INITIAL + "My own words."
        versions = sorted((root / INCIDENT / "drafts").glob("0*.md"))
        assert versions, "the model's output is kept as a version"
        page.screenshot(path=str(artifacts / "team-08-failed-run.png"))
