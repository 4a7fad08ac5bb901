"""The Import step, driven like the browser drives it: FileUpload.set_state, button clicks, trait changes."""

from __future__ import annotations

import base64
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.incident.record import load_incident
from tests.support import telemetry
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
    remove = step.files.children[0].children[-1]
    assert remove.description == "Remove"
    remove.click()
    assert load_incident(dated_incident).timeline == []
    assert (dated_incident.parent / "uploads" / "timeline.txt").exists()
    assert ws.status.text == "Removed uploads/timeline.txt from the timeline (the file itself is kept)."
    assert len(ws.session.timeline.events) == 0


# -- logs and metrics: each file's role, counts and a progress bar for long imports ----------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The synthetic incident of issue 11: its log, metric panel and alert listed, zone UTC."""
    return telemetry.write_incident(tmp_path / "checkout", "app.csv", "panel.csv", "alerts.json")


def rows_of(step: Any) -> list[tuple[str, str, str]]:
    """(name, line text, role picked) of each file's row."""
    return [
        (
            row.children[0].value.split('data-name="')[1].split('"')[0],
            re.sub(r"<[^>]+>", "", row.children[0].value),
            row.children[1].value,
        )
        for row in step.files.children
    ]


def test_each_file_shows_its_format_role_counts_and_rows_read(
    checkout: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(checkout)
    step = ws.select("Import")
    assert rows_of(step) == [
        ("app.csv", "✓ app.csv — table · 3 events · 3 series · 20,004 rows read", "log"),
        ("panel.csv", "✓ panel.csv — table · 0 events · 3 series", "metric"),
        ("alerts.json", "✓ alerts.json — alertmanager · 2 events", "incident"),
    ]
    picker = step.files.children[0].children[1]
    assert [v for _, v in picker.options] == ["incident", "log", "metric", "timeline", "chat", "tickets"]


def test_a_role_picked_reads_the_file_again_and_is_kept(
    checkout: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(checkout)
    step = ws.select("Import")
    step.files.children[0].children[1].value = "timeline"
    assert ws.status.level == "ok", ws.status.text
    assert ws.status.text == "app.csv is read as a timeline now: 20,004 events."
    assert step.progress.widget.layout.display == "none"  # reported to, and put away when done
    assert rows_of(step)[0] == ("app.csv", "✓ app.csv — table · 20,004 events", "timeline")
    assert load_incident(checkout).roles == {"app.csv": "timeline"}
    assert [s.name for s in ws.session.timeline.series] == [
        "checkout error ratio",
        "requests per minute",
        "p95 latency (ms)",
    ]

    step.files.children[0].children[1].value = "metric"  # a log is no metric export
    assert ws.status.level == "error"
    assert ws.status.text == (
        f"{checkout.parent / 'app.csv'}: no column of numbers besides the time. Hint: this importer reads a "
        "panel's series; a timeline of events is read by the table importer"
    )
    assert rows_of(step)[0][2] == "timeline"
    assert load_incident(checkout).roles == {"app.csv": "timeline"}

    step.files.children[0].children[1].value = "log"
    assert ws.status.text == "app.csv is read as a log now: 3 events, 3 series, 20,004 rows."
    assert load_incident(checkout).roles == {"app.csv": "log"}


def test_a_large_upload_imports_in_the_background_with_a_progress_bar(
    tmp_path: Path, open_workspace: OpenWorkspace
) -> None:
    path = telemetry.write_incident(tmp_path / "checkout", "alerts.json")
    log = telemetry.write_log_csv(tmp_path / "app.csv").read_bytes()
    ws = open_workspace(path, background_bytes=len(log))
    step = ws.select("Import")
    gate, thread = threading.Event(), []
    ws.session.on_progress.append(lambda _: (thread.append(threading.current_thread().name), gate.wait(30)))

    upload(step.upload, ("app.csv", log))
    for _ in range(300):  # the import pauses at its first progress report, on its own thread
        if thread:
            break
        time.sleep(0.05)
    assert thread and thread[0] == "postmortem-import"
    assert step.running and step.upload.value == ()
    assert (ws.status.level, ws.status.text) == ("busy", "Importing app.csv ...")
    assert all(control.disabled for control in step._controls())
    assert "pm-busy" in ws.widget._dom_classes and ws.open_button.disabled
    assert step.progress.widget.layout.display == "flex"
    assert step.progress.label.value.startswith("Reading <b>app.csv</b>: ")
    assert f"of {len(log) / 1e6:,.1f} MB, " in step.progress.label.value

    gate.set()
    assert step.join(60)
    assert ws.status.level == "ok", ws.status.text
    assert ws.status.text == (
        "Imported uploads/app.csv (table): 3 events, 3 series, 20,004 rows; the timeline now has 7."
    )
    assert not step.running and not any(control.disabled for control in step._controls())
    assert "pm-busy" not in ws.widget._dom_classes and not ws.open_button.disabled
    assert step.progress.widget.layout.display == "none"
    assert rows_of(step)[1][1] == "✓ uploads/app.csv — table · 3 events · 3 series · 20,004 rows read"


def test_an_error_in_a_background_import_shows_in_the_status_area(
    checkout: Path, open_workspace: OpenWorkspace
) -> None:
    ws = open_workspace(checkout, background_bytes=1)
    step = ws.select("Import")
    step.files.children[0].children[1].value = "metric"
    assert step.join(60)
    assert ws.status.level == "error"
    assert ws.status.text.endswith(
        "app.csv: no column of numbers besides the time. Hint: this importer reads "
        "a panel's series; a timeline of events is read by the table importer"
    )
    assert rows_of(step)[0][2] == "log" and not step.running
    assert load_incident(checkout).roles == {}
