"""Nothing typed is lost by a button, and the form says what it did: the smaller items of team editing."""

from __future__ import annotations

import shutil
from pathlib import Path

from postmortem_widgets.app.recent import last_incident, memory_file, remember_incident
from postmortem_widgets.incident.record import load_incident
from postmortem_widgets.ui.import_step import sample_exports
from postmortem_widgets.ui.workspace import Workspace
from tests.support.ui import OpenWorkspace


def test_a_failed_sample_changes_nothing(tmp_path: Path, open_workspace: OpenWorkspace) -> None:
    sample = tmp_path / "samples" / "night"
    sample.mkdir(parents=True)
    (sample / "incident.yaml").write_text("incident_date: 2024-04-15\ntimezone: Asia/Tokyo\n")
    (sample / "broken.json").write_text("{not json")
    path = tmp_path / "new" / "incident.yaml"
    ws = open_workspace(path, samples=[("Night: broken.json", str(sample / "broken.json"))])
    step = ws.step("Import")
    step.load_sample.click()  # type: ignore[attr-defined]
    assert ws.status.level == "error"
    incident = load_incident(path)
    assert (incident.timezone, incident.incident_date, incident.timeline) == ("UTC", "", [])
    assert (ws.session.incident.timezone, ws.session.incident.incident_date) == ("UTC", "")


def test_workspace_folders_are_never_offered_as_samples(tmp_path: Path, samples_dir: Path) -> None:
    root = tmp_path / "samples"
    shutil.copytree(samples_dir / "anchor_analytics", root / "anchor")
    for name in ("drafts", "exports", "uploads"):
        (root / "anchor" / name).mkdir()
    (root / "anchor" / "slack_export").mkdir()  # a real folder export is still offered
    offered = [Path(p).name for _, p in sample_exports(root)]
    assert offered == ["slack_export", "timeline.txt"]


def test_a_bad_zone_goes_back_to_the_incident_zone(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy)
    step = ws.step("Import")
    step.zone.value = "Mars/Olympus_Mons"  # type: ignore[attr-defined]
    assert ws.status.level == "error"
    assert step.zone.value == "America/New_York"  # type: ignore[attr-defined]
    assert ws.session.incident.timezone == "America/New_York"


def test_save_version_twice_saves_once_and_links_come_back(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(anchor_copy)
    draft = ws.select("Draft")
    draft.editor.value = "## Summary\n\nWritten by hand.\n"  # type: ignore[attr-defined]
    export = ws.select("Export")
    export.save.click()  # type: ignore[attr-defined]
    export.save.click()  # type: ignore[attr-defined]
    assert [v.number for v in ws.session.versions()] == [1]
    assert ws.status.text == "The draft is already saved as version 1: nothing changed."
    export.force.value = True  # type: ignore[attr-defined]
    export.export("md")  # type: ignore[attr-defined]
    reopened = Workspace.open(anchor_copy, autosave_delay=0, samples=[])
    links = reopened.select("Export").links.value  # type: ignore[attr-defined]
    assert 'download="anchor-analytics-postmortem.md"' in links


def test_blocked_export_speaks_of_the_checkbox(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy)
    ws.select("Draft").editor.value = "## Summary\n\nPriya restarted db1.corp.example.com.\n"  # type: ignore[attr-defined]
    ws.select("Export").buttons["html"].click()  # type: ignore[attr-defined]
    assert ws.status.level == "error"
    assert "tick “Export even with review errors”" in ws.status.text
    assert "--force" not in ws.status.text


def test_the_last_incident_is_remembered_next_to_the_notebook(tmp_path: Path) -> None:
    notebook = tmp_path / "nb" / "work.ipynb"
    notebook.parent.mkdir()
    memory = memory_file({"JPY_SESSION_NAME": str(notebook)})
    assert memory == tmp_path / "nb" / ".work.postmortem.json"
    incident = tmp_path / "incidents" / "a" / "incident.yaml"
    incident.parent.mkdir(parents=True)
    incident.write_text("product_name: A\n")
    remember_incident(incident, memory=memory)
    assert "../incidents/a/incident.yaml" in memory.read_text()
    assert last_incident(memory=memory) == tmp_path / "nb" / "../incidents/a/incident.yaml"
    incident.unlink()
    assert last_incident(memory=memory) is None


def test_running_the_cell_again_shows_the_live_form(anchor_copy: Path) -> None:
    first = Workspace.open(anchor_copy)
    try:
        assert Workspace.open(anchor_copy) is first
    finally:
        first.close_steps()


def test_the_form_never_asks_for_a_command_line_flag(tmp_path: Path, open_workspace: OpenWorkspace) -> None:
    from tests.support.ui import ANCHOR_TIMELINE, upload

    path = tmp_path / "new" / "incident.yaml"
    ws = open_workspace(path)
    upload(ws.step("Import").upload, ("timeline.txt", ANCHOR_TIMELINE))  # type: ignore[attr-defined]
    assert ws.status.level == "error"
    assert "--" not in ws.status.text and "Incident date" in ws.status.text
    assert "--date" not in ws.step("Import").files.children[0].children[0].value  # type: ignore[attr-defined]
