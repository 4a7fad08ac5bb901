"""A real JupyterLab for browser tests: on 127.0.0.1 with a token and throwaway config, always stopped.

Also what the browser tests (tests/test_e2e_*.py) share to drive Chromium and the workspace form in it: the
module marks, the browser, opening and running a notebook, and the form's status line, tabs and buttons.
tests/test_notebook.py uses :func:`copy_project`, tests/test_collab.py :func:`running_lab`. The ``browser``
and ``artifacts`` fixtures in ``tests/conftest.py`` are built on :func:`chromium` and :data:`ARTIFACTS`.
Every wait here is bounded.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.net import free_port
from tests.support.paths import REPO

CHROMIUM = Path(os.environ.get("POSTMORTEM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The workspace notebook, relative to the root of a :func:`copy_project` copy.
NOTEBOOK = "notebooks/postmortem_workspace.ipynb"
#: Where browser tests put screenshots and timings, to look at after a run (not compared).
ARTIFACTS = REPO / "test-artifacts"
#: How long one step in the page may take, in milliseconds: JupyterLab on two shared cores is slow.
WAIT = 60_000
#: The ``pytestmark`` of a browser test module: selectable with ``-m browser``, skipped without Chromium.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (make installs it with apt)"
    ),
]
#: True in the page once the status bar says the kernel is idle. The notebook's execution indicator turns
#: idle while the kernel is still "Initializing"; running cells then can open a "Select Kernel" dialog.
JS_KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                 .some(e => /\\|\\s*Idle/.test(e.textContent || ''))"""


@dataclass
class Lab:
    """A running JupyterLab: its URL pieces and the folder it serves."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, *, workspace: str | None = None) -> str:
        """``path`` in JupyterLab; a named ``workspace`` keeps this page's layout apart from the others'."""
        where = f"workspaces/{workspace}/" if workspace else ""
        return f"{self.base}/lab/{where}tree/{path}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_ready(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            with urllib.request.urlopen(f"{lab.base}/api/status?token={lab.token}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f}s:\n{lab.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def running_lab(
    root: Path, scratch: Path, *, timeout: float = 60.0, env: dict[str, str] | None = None
) -> Iterator[Lab]:
    """JupyterLab serving ``root``, its config and state under ``scratch``; stopped on exit."""
    for name in ("config", "runtime", "workspaces", "ipython"):
        (scratch / name).mkdir(parents=True, exist_ok=True)
    # No "get Jupyter news?" toast over the page.
    news = scratch / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text('{"fetchNews": "false"}')
    # Save widget state into the notebook, so tests can check what it would keep (off by default in Lab).
    widget_state = (
        scratch / "settings" / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    )
    widget_state.parent.mkdir(parents=True, exist_ok=True)
    widget_state.write_text('{"saveState": true}')
    # Widget messages on the main shell, not a subshell per comm target (JupyterLab 4.6's default). With
    # subshells, a comm opened and closed at once can delete the subshell the page's other comms still use
    # (the refcount race of jupyterlab/jupyterlab#19722); ipykernel 7 then drops every later message from
    # that page ("Cannot handle comm_msg ...: Unknown subshell_id", ipython/ipykernel#1557), so what is
    # typed in the form shows in the browser but never reaches the kernel. Seen in test_e2e_team.py.
    kernels = (
        scratch / "settings" / "@jupyterlab" / "apputils-extension" / "kernels-settings.jupyterlab-settings"
    )
    kernels.write_text('{"commsOverSubshells": "disabled"}')
    token = secrets.token_hex(16)
    port = free_port()
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(scratch / "config"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
        "IPYTHONDIR": str(scratch / "ipython"),
        "JUPYTERLAB_SETTINGS_DIR": str(scratch / "settings"),
        "JUPYTER_PLATFORM_DIRS": "1",
        **(env or {}),
    }
    command = [
        str(Path(sys.executable).with_name("jupyter-lab")),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = scratch / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = Lab(root=root, port=port, token=token, process=process, log=log)
    try:
        _wait_ready(lab, timeout)
        yield lab
    finally:
        _stop(process)


def copy_project(target: Path) -> Path:
    """A throwaway copy of the notebook and the sample incidents, so tests never write into the checkout."""
    shutil.copytree(
        REPO / "notebooks",
        target / "notebooks",
        ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", ".*.postmortem.json", ".postmortem-workspace.json"
        ),
    )
    shutil.copytree(
        REPO / "sample_data",
        target / "sample_data",
        ignore=shutil.ignore_patterns("uploads", "drafts", "exports"),
    )
    return target


def launch_browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)


@contextmanager
def chromium() -> Iterator[Any]:
    """Chromium driven by Playwright, closed on exit; skips the test where Playwright is not installed."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = launch_browser(p)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_idle_kernel(page: Any, timeout_ms: int = WAIT) -> None:
    """Wait until the status bar reads "... | Idle": only then may cells run (see JS_KERNEL_IDLE)."""
    page.wait_for_function(JS_KERNEL_IDLE, timeout=timeout_ms)


def run_all_cells(page: Any) -> None:
    """Run the open notebook's cells without waiting on the command's promise, which may never settle."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def open_and_run(
    page: Any, lab: Lab, notebook: str, *, timeout_ms: int = WAIT, workspace: str | None = None
) -> float:
    """Open ``notebook``, wait for an idle kernel, run all cells, wait for the form. Returns seconds."""
    page.set_default_timeout(timeout_ms)
    page.goto(lab.url(notebook, workspace=workspace), timeout=timeout_ms)
    page.locator(".jp-Notebook").first.wait_for(timeout=timeout_ms)
    wait_for_idle_kernel(page, timeout_ms)
    started = time.monotonic()
    run_all_cells(page)
    status(page).wait_for(timeout=timeout_ms)
    return time.monotonic() - started


def status(page: Any) -> Any:
    """The workspace form's status line: every action says there what it did."""
    return page.locator(".pm-workspace .pm-status-line").first


def wait_status(page: Any, pattern: str, *, timeout_ms: int = WAIT) -> None:
    """Wait until the status line contains a match of ``pattern``."""
    from playwright.sync_api import expect

    expect(status(page)).to_contain_text(re.compile(pattern), timeout=timeout_ms)


def tab(page: Any, title: str) -> None:
    """Open the form's step ``title`` ("5 Draft")."""
    page.locator(".pm-workspace .lm-TabBar-tab", has_text=title).first.click()


def press(page: Any, label: str) -> None:
    """Click the first visible button labelled ``label``: the steps not on screen hold buttons too."""
    page.locator(".pm-workspace button:visible", has_text=label).first.click()


def form_editor(page: Any) -> Any:
    """The form's visible text editor (the Draft step's)."""
    return page.locator(".pm-workspace textarea:visible").first


def wait_until(
    what: str, check: Callable[[], bool], timeout: float = 60.0, detail: Callable[[], object] = lambda: ""
) -> None:
    """Poll ``check`` for what Playwright cannot wait on (files on disk, several pages at once); the
    failure names ``what`` and shows ``detail()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting until {what}: {detail()!r}")
