"""The Import step, driven like the browser drives it: FileUpload.set_state, button clicks, trait changes."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from postmortem_widgets.incident.record import load_incident
from tests.support.ui import (
    ANCHOR_TIMELINE,
    EmptyIncident,
    OpenWorkspace,
    cards,
    saved_widget_state,
    upload,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.fixture
def dated_incident(empty_incident: EmptyIncident) -> Path:
    return empty_incident(timezone="America/New_York", incident_date="April 15, 2024")


def test_upload_imports_keeps_the_file_and_clears_the_widget(
    dated_incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))

    assert step.upload.value == ()
    stored = dated_incident.parent / "uploads" / "timeline.txt"
    assert stored.read_bytes() == ANCHOR_TIMELINE
    assert load_incident(dated_incident).timeline == ["uploads/timeline.txt"]
    assert ws.status.level == "ok"
    assert ws.status.text == "Imported uploads/timeline.txt (text): 6 events; the timeline now has 6."
    assert "text · 6 events" in step.files.children[0].children[0].value
    ws.select("Timeline")
    got = cards(ws)
    assert got["duration"] == "2 hours 33 minutes"
    assert got["time_to_detect"] == "28 minutes"
    assert got["detected_by"] == "A customer"


def test_uploaded_bytes_never_reach_the_saved_widget_state(
    dated_incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(dated_incident)
    marker = (
        b"9:14am: Deploy UNIQUE-MARKER-7f3a\n9:42am: Customer support ticket received\n11:47am: Resolved\n"
    )
    upload(ws.step("Import").upload, ("notes.txt", marker))
    state = saved_widget_state()
    assert "UNIQUE-MARKER-7f3a" not in state
    assert base64.b64encode(marker).decode() not in state


def test_a_binary_upload_shows_the_exact_error_and_keeps_nothing(
    dated_incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    upload(step.upload, ("screenshot.png", PNG))

    assert ws.status.level == "error"
    assert ws.status.text == (
        "screenshot.png: this is a binary file, not a text export. Hint: export the timeline as JSON or CSV"
    )
    assert not (dated_incident.parent / "uploads").exists()
    assert load_incident(dated_incident).timeline == []
    assert "not imported" in step.files.children[0].children[0].value
    assert step.upload.value == ()


def test_invalid_json_names_line_and_column(
    dated_incident: Path, open_workspace: OpenWorkspace, data_dir: Path
) -> None:
    ws = open_workspace(dated_incident)
    upload(ws.step("Import").upload, ("pagerduty.json", (data_dir / "ui" / "broken.json").read_bytes()))
    assert ws.status.level == "error"
    assert ws.status.text.startswith(
        "pagerduty.json: could not recognise the format (invalid JSON at line 4, column"
    )


def test_one_bad_file_does_not_stop_the_good_one(dated_incident: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(dated_incident)
    upload(ws.step("Import").upload, ("timeline.txt", ANCHOR_TIMELINE), ("logo.png", PNG))
    names = [s.name for s in ws.session.statuses]
    assert names == ["uploads/timeline.txt", "logo.png"]
    assert [s.ok for s in ws.session.statuses] == [True, False]
    assert ws.status.text == (
        "1 of 2 files could not be read; the errors are listed under Files. "
        "Imported uploads/timeline.txt (text, 6 events)."
    )
    assert "logo.png: this is a binary file" in ws.step("Import").files.children[1].children[0].value
    ws.select("Timeline")
    assert cards(ws)["duration"] == "2 hours 33 minutes"


def test_same_name_other_content_is_not_overwritten(
    dated_incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))
    other = b"9:00am: Impact began\n9:30am: Customer support ticket received\n10:00am: Resolved\n"
    upload(step.upload, ("timeline.txt", other))
    assert load_incident(dated_incident).timeline == ["uploads/timeline.txt", "uploads/timeline-2.txt"]
    assert (dated_incident.parent / "uploads" / "timeline-2.txt").read_bytes() == other


def test_path_box_adds_an_export_on_disk(
    dated_incident: Path, open_workspace: OpenWorkspace, samples_dir: Path
) -> None:
    export = dated_incident.parent / "exports" / "pagerduty_log_entries.json"
    export.parent.mkdir()
    shutil.copy(samples_dir / "harbor_payments" / "pagerduty_log_entries.json", export)
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    step.path.value = "exports/pagerduty_log_entries.json"
    step.add.click()
    assert ws.status.level == "ok", ws.status.text
    assert ws.status.text.startswith("Imported exports/pagerduty_log_entries.json (pagerduty):")
    assert step.path.value == ""
    assert load_incident(dated_incident).timeline == ["exports/pagerduty_log_entries.json"]


def test_path_box_missing_file(dated_incident: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    step.path.value = "nowhere/export.json"
    step.add.click()
    assert ws.status.level == "error"
    assert ws.status.text.startswith(
        "nowhere/export.json: no such file or folder. Hint: paths are read from "
    )
    assert step.path.value == "nowhere/export.json"


def test_zone_picker_rereads_naive_times_and_is_saved(
    dated_incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))
    before = ws.session.timeline.milestones.started
    step.zone.value = "Europe/Berlin"
    assert load_incident(dated_incident).timezone == "Europe/Berlin"
    after = ws.session.timeline.milestones.started
    assert str(before) == "2024-04-15 13:14:00+00:00"
    assert str(after) == "2024-04-15 07:14:00+00:00"
    assert ws.status.text == "Time zone set to Europe/Berlin; 6 events."


def test_unknown_zone_is_an_error_not_a_traceback(
    dated_incident: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(dated_incident)
    ws.step("Import").zone.value = "Mars/Olympus_Mons"
    assert ws.status.level == "error"
    assert ws.status.text.startswith("unknown time zone 'Mars/Olympus_Mons'. Hint:")
    assert load_incident(dated_incident).timezone == "America/New_York"


def test_bare_times_without_a_date_explain_what_to_set(
    empty_incident: EmptyIncident, open_workspace: OpenWorkspace
) -> None:
    path = empty_incident(timezone="America/New_York")
    ws = open_workspace(path)
    step = ws.step("Import")
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))
    assert ws.status.level == "error"
    assert "the timeline has times but no date" in ws.status.text
    step.date.value = "2024-04-15"
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))
    assert ws.status.level == "ok"
    assert load_incident(path).incident_date == "2024-04-15"


def test_load_sample_takes_the_sample_zone_and_date_for_a_new_incident(
    tmp_path: Path, open_workspace: OpenWorkspace, samples_dir: Path
) -> None:
    path = tmp_path / "new" / "incident.yaml"
    ws = open_workspace(
        path,
        samples=[("Anchor Analytics: timeline.txt", str(samples_dir / "anchor_analytics" / "timeline.txt"))],
    )
    step = ws.step("Import")
    assert path.exists()
    step.load_sample.click()
    assert ws.status.level == "ok", ws.status.text
    incident = load_incident(path)
    assert (incident.timezone, incident.incident_date) == ("America/New_York", "April 15, 2024")
    assert step.zone.value == "America/New_York"
    ws.select("Timeline")
    assert cards(ws)["time_to_detect"] == "28 minutes"


def test_remove_stops_using_a_file_but_keeps_it(dated_incident: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(dated_incident)
    step = ws.step("Import")
    upload(step.upload, ("timeline.txt", ANCHOR_TIMELINE))
    remove = step.files.children[0].children[1]
    assert remove.description == "Remove"
    remove.click()
    assert load_incident(dated_incident).timeline == []
    assert (dated_incident.parent / "uploads" / "timeline.txt").exists()
    assert ws.status.text == "Removed uploads/timeline.txt from the timeline (the file itself is kept)."
    assert len(ws.session.timeline.events) == 0
