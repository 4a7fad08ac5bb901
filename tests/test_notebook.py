"""The workspace notebook runs headless (nbclient) without errors, and its saved state holds no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.support.lab import copy_project
from tests.support.paths import REPO

NOTEBOOK = "notebooks/postmortem_workspace.ipynb"


def test_the_notebook_is_short_and_opens_the_seed_example() -> None:
    nb = nbformat.read(REPO / NOTEBOOK, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[0].source.startswith("# Postmortem workspace")
    default = "../sample_data/anchor_analytics/incident.yaml"
    assert f'Workspace.resume("{default}")' in nb.cells[1].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_runs_headless_and_shows_the_form(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[0].data
    state = json.dumps(nb.metadata["widgets"])
    assert "2 hours 33 minutes" in state
    assert "Opened anchor_analytics/incident.yaml: 6 events from 1 input(s)." in state
    assert not (root / "sample_data" / "anchor_analytics" / "uploads").exists()
