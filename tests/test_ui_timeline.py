"""The Timeline step: metrics cards, chart, editable milestones and the filtered events table."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from postmortem_widgets.incident.record import load_incident
from postmortem_widgets.ui.timeline_step import RULE, TimelineStep
from postmortem_widgets.ui.workspace import Workspace
from tests.support.ui import OpenWorkspace, cards


@pytest.fixture
def ws(anchor_copy: Path, open_workspace: OpenWorkspace) -> Workspace:
    return open_workspace(anchor_copy)


def timeline(ws: Workspace) -> TimelineStep:
    step = ws.select("Timeline")
    assert isinstance(step, TimelineStep)
    return step


def test_opens_on_the_timeline_with_the_seed_metrics(ws: Workspace) -> None:
    assert ws.tabs.selected_index == 1
    assert cards(ws) == {
        "duration": "2 hours 33 minutes",
        "time_to_detect": "28 minutes",
        "time_to_acknowledge": "33 minutes",
        "time_to_mitigate": "1 hour 8 minutes",
        "time_to_resolve": "2 hours 33 minutes",
        "detected_by": "A customer",
    }
    chart = timeline(ws).chart.value
    assert chart.startswith("<svg")
    assert "detected 9:42am" in chart and "resolved 11:47am" in chart and "28 min to detect" in chart


def test_pick_an_event_as_a_milestone(ws: Workspace) -> None:
    step = timeline(ws)
    row = step.rows["detected"]
    labels = dict(row.pick.options)
    choice = next(v for k, v in labels.items() if k.startswith("9:47am"))
    row.pick.value = choice
    assert load_incident(ws.session.path).milestones == {"detected": "2024-04-15T13:47:00Z"}
    assert cards(ws)["time_to_detect"] == "33 minutes"
    assert ws.status.text == "Detected set to 9:47am."
    assert "you set it" in row.why.value


def test_type_a_time_for_a_milestone(ws: Workspace) -> None:
    step = timeline(ws)
    step.rows["detected"].typed.value = "9:30am"
    assert cards(ws)["time_to_detect"] == "16 minutes"
    assert load_incident(ws.session.path).milestones["detected"] == "2024-04-15T13:30:00Z"
    step.rows["resolved"].typed.value = "2024-04-15 12:14"
    assert cards(ws)["duration"] == "3 hours"


def test_a_bad_typed_time_is_reported_and_changes_nothing(ws: Workspace) -> None:
    step = timeline(ws)
    step.rows["detected"].typed.value = "25:99"
    assert ws.status.level == "error"
    assert ws.status.text == "'25:99' is not a clock time. Hint: e.g. 10:15am or 22:15"
    assert load_incident(ws.session.path).milestones == {}
    assert cards(ws)["time_to_detect"] == "28 minutes"


def test_back_to_the_rules(ws: Workspace) -> None:
    step = timeline(ws)
    step.rows["detected"].typed.value = "9:30am"
    assert step.rows["detected"].pick.value == "2024-04-15T13:30:00Z"
    step.rows["detected"].pick.value = RULE
    assert load_incident(ws.session.path).milestones == {}
    assert cards(ws)["time_to_detect"] == "28 minutes"
    step.rows["started"].typed.value = "9:00am"
    step.detected_by.value = "monitoring"
    assert cards(ws)["detected_by"] == "Our monitoring"
    step.reset.click()
    assert load_incident(ws.session.path).milestones == {}
    assert cards(ws)["detected_by"] == "A customer"


def rows(html: str) -> int:
    return len(re.findall(r"<tr class=", html))


def test_filters_and_key_only_toggle(
    tmp_path: Path, open_workspace: OpenWorkspace, samples_dir: Path
) -> None:
    folder = tmp_path / "harbor"
    shutil.copytree(samples_dir / "harbor_payments", folder)
    ws = open_workspace(folder / "incident.yaml")
    for name in ("pagerduty_log_entries.json", "datadog_events.json"):
        ws.step("Import").path.value = name
        ws.step("Import").add.click()
        assert ws.status.level == "ok", ws.status.text
    step = timeline(ws)
    events = ws.session.timeline.events
    key = ws.session.timeline.signal_events
    assert rows(step.table.value) == len(key)
    step.key_only.value = False
    assert rows(step.table.value) == len(events)
    step.source.value = "pagerduty"
    assert rows(step.table.value) == int((events["source"] == "pagerduty").sum())
    step.kind.value = "acknowledged"
    expected = int(((events["source"] == "pagerduty") & (events["kind"] == "acknowledged")).sum())
    assert expected >= 1
    assert rows(step.table.value) == expected
    assert f"{expected} of {len(events)} events" in step.table.value
