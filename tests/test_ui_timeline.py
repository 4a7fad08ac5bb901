"""The Timeline step: metrics cards, chart, editable milestones and the filtered events table."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from postmortem_widgets.incident.record import Signal, load_incident
from postmortem_widgets.ui.timeline_step import RULE, TimelineStep
from postmortem_widgets.ui.workspace import Workspace
from tests.support import telemetry
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


# -- the impact window: the lane, the signal, accepting and moving it ------------------------------------


@pytest.fixture
def checkout(tmp_path: Path, open_workspace: OpenWorkspace) -> Workspace:
    """The synthetic incident of issue 11 (its log and its alert, zone UTC) on the Timeline step."""
    return open_workspace(telemetry.write_incident(tmp_path / "checkout", "app.csv", "alerts.json"))


def window_rect(ws: Workspace) -> tuple[str | None, str | None]:
    found = re.search(
        r'class="pm-impact-window" data-began="([^"]*)" data-ended="([^"]*)"', timeline(ws).chart.value
    )
    return (found[1], found[2] or None) if found else (None, None)


def test_the_chart_draws_the_impact_lane_and_the_controls_show_the_window(checkout: Workspace) -> None:
    ws = checkout
    step = timeline(ws)
    assert ws.tabs.selected_index == 1
    chart = step.chart.value
    assert 'class="pm-lane-line"' in chart
    assert window_rect(ws) == ("2025-03-03T14:00:00Z", "2025-03-03T14:51:30Z")
    caption = re.search(r'class="caption">([^<]*)<', chart)
    assert caption and caption[1] == (
        "error ratio 0.13% -&gt; 29% at 14:00 UTC; back under 0.86% at 14:51:30 UTC"
    )
    impact = step.impact
    assert impact.widget.layout.display == "flex"
    assert list(impact.signal.options) == [
        ("error ratio · app.csv · score 99.6", ("error ratio", "app.csv")),
        ("error rate · app.csv · score 99.6", ("error rate", "app.csv")),
        ("none: no impact window", ("none", "")),
    ]
    assert impact.signal.value == ("error ratio", "app.csv")
    assert (impact.began.value, impact.ended.value) == ("2:00pm", "2:51:30pm")
    assert impact.note.value == "From the signal: 2:00pm to 2:51:30pm (52 minutes)."
    assert impact.slider.value == ("2025-03-03T14:00:00Z", "2025-03-03T14:51:30Z")
    assert len(impact.slider.options) == 360 and impact.slider.options[0][0] == "1:00pm"
    assert cards(ws)["duration"] == "52 minutes"
    assert cards(ws)["time_to_detect"] == "6 minutes"


def test_move_the_windows_beginning_by_typing_and_its_end_with_the_slider(checkout: Workspace) -> None:
    ws = checkout
    impact = timeline(ws).impact
    impact.began.value = "1:55pm"
    assert (ws.status.level, ws.status.text) == ("ok", "Window moved: started set to 1:55pm.")
    assert load_incident(ws.session.path).milestones == {"started": "2025-03-03T13:55:00Z"}
    assert cards(ws)["duration"] == "56 minutes" and cards(ws)["time_to_detect"] == "11 minutes"
    assert window_rect(ws) == ("2025-03-03T13:55:00Z", "2025-03-03T14:51:30Z")
    assert impact.note.value == "Beginning moved by you: 1:55pm to 2:51:30pm (56 minutes)."
    assert timeline(ws).rows["started"].why.value.endswith("<b>1:55pm</b> — you set it</span>")

    low, high = impact.slider.index
    impact.slider.index = (low, high + 17)
    assert ws.status.text == "Window moved: resolved set to 3:00pm."
    assert load_incident(ws.session.path).milestones == {
        "started": "2025-03-03T13:55:00Z",
        "resolved": "2025-03-03T15:00:00Z",
    }
    assert cards(ws)["duration"] == "1 hour 5 minutes"
    assert impact.ended.value == "3:00pm"

    impact.began.value = "25:99"  # checked as a typed milestone is
    assert ws.status.level == "error"
    assert ws.status.text == "'25:99' is not a clock time. Hint: e.g. 10:15am or 22:15"
    assert load_incident(ws.session.path).milestones["started"] == "2025-03-03T13:55:00Z"

    impact.began.value = ""
    assert ws.status.text == "Started is set by the rules again."
    assert window_rect(ws)[0] == "2025-03-03T14:00:00Z"


def test_accept_the_window_and_switch_the_signal(checkout: Workspace) -> None:
    ws = checkout
    impact = timeline(ws).impact
    impact.accept.click()
    assert ws.status.text == "Accepted the impact window: started 2:00pm and resolved 2:51:30pm set by you."
    assert load_incident(ws.session.path).milestones == {
        "started": "2025-03-03T14:00:00Z",
        "resolved": "2025-03-03T14:51:30Z",
    }
    assert impact.note.value == "Set by you: 2:00pm to 2:51:30pm (52 minutes)."
    timeline(ws).reset.click()

    impact.signal.value = ("error rate", "app.csv")
    assert ws.status.text == (
        "Impact window from error rate (app.csv): "
        "error rate 0.15/min -> 30/min at 14:00 UTC; back under 0.9/min at 14:51:30 UTC."
    )
    assert load_incident(ws.session.path).signal == Signal("error rate", "app.csv")
    assert "error rate 0.15/min -&gt; 30/min" in timeline(ws).chart.value

    impact.signal.value = ("none", "")
    assert ws.status.text == "Impact window set aside: started and resolved come from the other events."
    assert load_incident(ws.session.path).signal == Signal("none")
    assert 'class="pm-lane-line"' not in timeline(ws).chart.value
    assert impact.accept.disabled and impact.slider.layout.display == "none"
    assert cards(ws)["duration"] == "45 minutes"  # the alert's own span, 2:06pm to 2:51pm
    assert impact.note.value == "No impact window: the series show no clear change, or it is set aside."


def test_no_series_no_impact_controls(ws: Workspace) -> None:
    step = timeline(ws)
    assert step.impact.widget.layout.display == "none"
    assert 'class="pm-lane-line"' not in step.chart.value
