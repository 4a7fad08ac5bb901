"""``postmortem lab``: the JupyterLab command it runs (planned without starting a server)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.cli.lab import INCIDENT_ENV, notebook_source, plan
from tests.support.paths import REPO


def test_no_incident_opens_the_workspace_notebook() -> None:
    launch = plan(None, is_root=False)
    assert launch.argv == [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={REPO}",
        "notebooks/postmortem_workspace.ipynb",
    ]
    assert launch.root == REPO and launch.env == {}


def test_an_incident_is_handed_to_the_notebook(tmp_path: Path) -> None:
    (tmp_path / "anchor").mkdir()
    launch = plan("anchor/incident.yaml", cwd=tmp_path, is_root=False)
    assert launch.env == {INCIDENT_ENV: str(tmp_path / "anchor" / "incident.yaml")}
    assert launch.argv[-1] == "notebooks/postmortem_workspace.ipynb"


def test_the_incident_path_is_absolute_and_a_folder_means_its_incident_file(tmp_path: Path) -> None:
    (tmp_path / "anchor").mkdir()
    launch = plan("anchor", port=8899, browser=False, cwd=tmp_path, is_root=True)
    assert launch.env == {INCIDENT_ENV: str(tmp_path / "anchor" / "incident.yaml")}
    assert launch.argv[-3:] == ["--port=8899", "--no-browser", "--allow-root"]


def test_bad_incident_paths_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", str(tmp_path / "notes.txt")]) == 2
    assert "an incident file ends in .yaml" in capsys.readouterr().err
    assert main(["lab", str(tmp_path / "no" / "such" / "incident.yaml")]) == 2
    assert "no such folder for the incident file" in capsys.readouterr().err


def test_without_a_checkout_the_notebook_is_written_to_the_current_folder(tmp_path: Path) -> None:
    launch = plan(None, notebook=tmp_path / "missing.ipynb", cwd=tmp_path, is_root=False)
    assert launch.root == tmp_path and launch.argv[-1] == "postmortem_workspace.ipynb"
    nb = nbformat.reads(notebook_source(), as_version=4)
    nbformat.validate(nb)
    assert "Workspace.resume(" in nb.cells[1].source and INCIDENT_ENV in nb.cells[1].source
