"""Our exporters through the real front doors: `jupyter nbconvert --to postmortem_*` and a running JupyterLab
(the server behind "Save and Export Notebook As"), with real-time collaboration enabled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from postmortem_widgets.export.report import build_report
from postmortem_widgets.incident.record import Incident
from tests.support import paths
from tests.support.exports import pdf_text
from tests.support.net import free_port

BIN = Path(sys.executable).parent
DATA = paths.DATA / "export"
SEED = Incident(
    product_name="Anchor Analytics",
    incident_date="April 15, 2024",
    incident_duration="2 hours 33 minutes (9:14am – 11:47am ET)",
    timezone="America/New_York",
)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.ipynb"
    nbformat.write(build_report((DATA / "seed_draft.md").read_text(), SEED), path)
    return path


def test_jupyter_nbconvert_to_postmortem_html_and_pdf(report: Path) -> None:
    for to in ("postmortem_html", "postmortem_pdf"):
        done = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", to, report.name], cwd=report.parent,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    html = (report.parent / "report.html").read_text()
    assert html == (DATA / "golden" / "seed.html").read_text()  # the same bytes as the library's exporter
    text = pdf_text(report.parent / "report.pdf")
    assert "What Happened (Timeline)" in text and "Page 1 of 2" in text


@pytest.fixture
def lab(report: Path, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A real JupyterLab server (with jupyter-collaboration) serving the report's folder."""
    port, token = free_port(), "postmortem-test-token"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={report.parent}"],
        env=env, cwd=report.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(f"{base}/api/status", headers=headers), timeout=2
                ):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.3)
        yield base, headers
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _request(url: str, headers: dict[str, str], *, method: str = "GET", body: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={**headers, "Content-Type": "application/json"})  # fmt: skip
    return urllib.request.urlopen(request, timeout=60)


def test_jupyterlab_offers_and_runs_our_exporters_with_collaboration(lab: tuple[str, dict[str, str]]) -> None:
    base, headers = lab
    with _request(f"{base}/api/nbconvert", headers) as response:
        formats = json.load(response)
    assert formats["postmortem_html"] == {"output_mimetype": "text/html"}
    assert formats["postmortem_pdf"] == {"output_mimetype": "application/pdf"}
    # What "Save and Export Notebook As > Postmortem report (PDF)" requests:
    with _request(f"{base}/nbconvert/postmortem_pdf/report.ipynb?download=true", headers) as response:
        assert response.headers["Content-Type"].startswith("application/pdf")
        assert response.headers["Content-Disposition"] == "attachment; filename*=utf-8''report.pdf"
        assert response.read().startswith(b"%PDF-")
    # jupyter-collaboration is live: the notebook gets a shared document session.
    with _request(f"{base}/api/collaboration/session/report.ipynb", headers, method="PUT",
                  body={"format": "json", "type": "notebook"}) as response:  # fmt: skip
        session = json.load(response)
    assert session["format"] == "json" and session["type"] == "notebook" and session["fileId"]
