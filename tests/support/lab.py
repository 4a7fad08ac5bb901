"""A real JupyterLab for browser tests: on 127.0.0.1 with a token and throwaway config, always stopped.

Used by tests/test_e2e_browser.py (and tests/test_notebook.py for :func:`copy_project`). Every wait here is
bounded.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def open_and_run(
    page: Any, lab: Lab, notebook: str, *, timeout_ms: int = 60_000, workspace: str | None = None
) -> float:
    """Open ``notebook``, wait for an idle kernel, run all cells, wait for the form. Returns seconds."""
    page.set_default_timeout(timeout_ms)
    page.goto(lab.url(notebook, workspace=workspace), timeout=timeout_ms)
    page.locator(".jp-Notebook").first.wait_for(timeout=timeout_ms)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                 .some(e => /\\|\\s*Idle/.test(e.textContent || ''))""",
        timeout=timeout_ms,
    )
    started = time.monotonic()
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.locator(".pm-workspace .pm-status-line").first.wait_for(timeout=timeout_ms)
    return time.monotonic() - started
