"""The workspace as a whole: opening, new incidents, bad files, the status area, Details and Prompt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from postmortem_widgets.errors import InputError
from postmortem_widgets.incident.record import load_incident
from postmortem_widgets.ui import Workspace
from postmortem_widgets.ui.details_step import DetailsStep
from postmortem_widgets.ui.status import Status
from tests.support.ui import ANCHOR_TIMELINE, EmptyIncident, OpenWorkspace, upload


def test_importing_the_package_imports_no_widgets_and_no_pandas() -> None:
    code = (
        "import sys, postmortem_widgets as p; "
        "assert 'Workspace' in p.__all__; "
        "print(sorted(m for m in ('ipywidgets', 'pandas', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_workspace_is_exported_lazily() -> None:
    import postmortem_widgets

    assert postmortem_widgets.Workspace is Workspace


def test_displays_as_its_widget(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy)
    bundle = ws._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ws.widget.model_id
    assert [s.title for s in ws.steps] == [
        "1 Import",
        "2 Timeline",
        "3 Details",
        "4 Prompt",
        "5 Draft",
        "6 Review",
        "7 Export & versions",
    ]


def test_opening_a_new_path_creates_the_incident(tmp_path: Path, open_workspace: OpenWorkspace) -> None:
    path = tmp_path / "2024-04-15" / "incident.yaml"
    path.parent.mkdir()
    ws = open_workspace(path)
    assert path.exists() and load_incident(path).timezone == "UTC"
    assert ws.tabs.selected_index == 0
    expected = (
        "Opened 2024-04-15/incident.yaml. Start by importing the exports of the tools that saw the incident."
    )
    assert ws.status.text == expected


def test_a_broken_incident_file_shows_its_line_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    path.write_text("product_name: Anchor\nproduct_nmae: typo\n")
    ws = Workspace.open(path)
    assert ws.session is None and ws.steps == []
    assert ws.status.level == "error"
    assert ws.status.text == (
        f"{path}:2 (key 'product_nmae'): unknown key 'product_nmae'. Hint: did you mean 'product_name'?"
    )
    assert ws.path_box.value == str(path)


def test_new_incident_button_and_open_button(
    tmp_path: Path, anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    first = anchor_copy
    ws = open_workspace(first)
    ws.path_box.value = str(tmp_path / "next" / "incident.yaml")
    (tmp_path / "next").mkdir()
    ws.new_button.click()
    assert (
        ws.status.text
        == f"Started a new incident in {tmp_path / 'next' / 'incident.yaml'}. Import its exports to begin."
    )
    assert ws.session is not None and ws.session.path == tmp_path / "next" / "incident.yaml"
    ws.new_button.click()
    assert ws.status.level == "error"
    assert ws.status.text.endswith("this incident file already exists. Hint: press Open to work on it")
    ws.path_box.value = str(first)
    ws.open_button.click()
    assert ws.session.path == first
    assert "Anchor Analytics" in ws.title.value
    ws.path_box.value = str(tmp_path / "missing.yaml")
    ws.open_button.click()
    assert ws.status.text.endswith("no such incident file. Hint: check the path, or press New incident")


def test_status_guard_shows_our_errors_and_unexpected_ones() -> None:
    status = Status()

    @status.guard("doing it")
    def ours() -> None:
        raise InputError("bad thing", file="x.csv", line=3, hint="fix it")

    @status.guard("doing it")
    def theirs() -> None:
        raise KeyError("boom")

    ours()
    assert (status.level, status.text) == ("error", "x.csv:3: bad thing. Hint: fix it")
    assert 'data-level="error"' in status.widget.value
    theirs()
    assert status.text == "Unexpected error while doing it: KeyError: 'boom'"


def details(ws: Workspace) -> DetailsStep:
    step = ws.select("Details")
    assert isinstance(step, DetailsStep)
    return step


def test_details_are_prefilled_from_the_timeline_and_saved_when_edited(
    empty_incident: EmptyIncident, open_workspace: OpenWorkspace
) -> None:
    path = empty_incident(timezone="America/New_York", incident_date="April 15, 2024")
    ws = open_workspace(path)
    upload(ws.step("Import").upload, ("timeline.txt", ANCHOR_TIMELINE))
    step = details(ws)
    assert step.inputs["incident_duration"].value == "2 hours 33 minutes (9:14am - 11:47am ET)"
    assert "from the timeline" in step.badges["incident_duration"].value
    assert step.inputs["detection"].value.startswith("detected at 9:42am ET via a customer support ticket")
    assert load_incident(path).incident_duration == ""
    step.inputs["product_name"].value = "Anchor Analytics"
    step.inputs["root_cause"].value = "a routine cache deployment failed silently"
    saved = load_incident(path)
    assert (saved.product_name, saved.root_cause) == (
        "Anchor Analytics",
        "a routine cache deployment failed silently",
    )
    assert ws.status.text == "Saved root cause."
    assert "Anchor Analytics — postmortem" in ws.title.value
    reopened = open_workspace(path)
    assert details(reopened).inputs["root_cause"].value == "a routine cache deployment failed silently"


def test_every_field_has_the_seed_help(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy)
    step = details(ws)
    assert len(step.inputs) == 11
    text = step.widget.children[10].children[0].children[1].value  # prevention
    assert "Be specific" in text
    assert step.inputs["affected_scope"].placeholder.startswith(
        "e.g. all Professional and Enterprise customers"
    )


def test_prompt_preview_shows_the_filled_prompt(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy)
    step = ws.select("Prompt")
    text = step.text.value  # type: ignore[attr-defined]
    assert "technical communications specialist" in text
    assert "Anchor Analytics" in text
    assert "6 of 6 key events included" in step.summary.value  # type: ignore[attr-defined]
    assert "Every field is filled." in step.summary.value  # type: ignore[attr-defined]


def test_the_date_typed_in_details_reaches_the_import_step(
    empty_incident: EmptyIncident, open_workspace: OpenWorkspace
) -> None:
    path = empty_incident(timezone="America/New_York")
    ws = open_workspace(path)
    details(ws).inputs["incident_date"].value = "2024-04-15"
    step = ws.select("Import")
    assert step.date.value == "2024-04-15"  # type: ignore[attr-defined]
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))  # type: ignore[attr-defined]
    assert ws.status.level == "ok", ws.status.text


def test_a_field_typed_while_someone_elses_save_comes_in_is_saved_and_both_are_said(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    import asyncio

    a, b = open_workspace(anchor_copy, autosave_delay=30), open_workspace(anchor_copy)
    details(b).inputs["remediation"].value = "B: rolled back"
    assert b.status.text == "Saved remediation."

    async def type_then_poll() -> None:
        details(a).inputs["root_cause"].value = "A: a cache deploy"  # saved after a pause, not yet
        assert details(a).autosave.pending
        a.poll()  # B's save comes in first: the redraw saves what A typed

    asyncio.run(type_then_poll())
    on_disk = load_incident(anchor_copy)
    assert (on_disk.remediation, on_disk.root_cause) == ("B: rolled back", "A: a cache deploy")
    assert (a.status.level, a.status.text) == (
        "ok",
        "Saved root cause. Took in what someone else saved to the incident file: remediation.",
    )
    assert details(a).inputs["root_cause"].value == "A: a cache deploy"
    assert details(a).inputs["remediation"].value == "B: rolled back"


def test_status_together_joins_the_messages_shown_inside() -> None:
    status = Status()
    with status.together():
        status.ok("Saved root cause.")
        with status.together():
            status.info("Took in remediation.")
            status.info("Took in remediation.")
    assert (status.level, status.text) == ("ok", "Saved root cause. Took in remediation.")
    with status.together():
        status.info("Opened.")
    assert (status.level, status.text) == ("info", "Opened.")
    status.warning("Careful.")
    assert status.text == "Careful."
