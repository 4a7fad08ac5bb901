"""The Harbor Payments sample incident: five vendor exports merge into the milestones its README states."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.humanize import human_duration
from postmortem_widgets.timeline.merge import Timeline, load_timeline
from tests.support.paths import SAMPLES

SAMPLE = SAMPLES / "harbor_payments"

MILESTONES = {
    "started": "2025-06-17T13:03:12.406Z",
    "detected": "2025-06-17T13:07:45Z",
    "acknowledged": "2025-06-17T13:11:20Z",
    "identified": "2025-06-17T13:29:40Z",
    "mitigated": "2025-06-17T13:38:50Z",
    "resolved": "2025-06-17T14:05:00.377Z",
}


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return load_timeline([SAMPLE])


def test_each_export_is_read_by_its_vendor_importer(timeline: Timeline) -> None:
    found = {Path(r.file).name: (r.format, r.count) for r in timeline.imports}
    assert found == {
        "alertmanager_webhook.json": ("alertmanager", 4),
        "cloudwatch_alarm_history.json": ("cloudwatch", 5),
        "datadog_events.json": ("datadog", 7),
        "pagerduty_log_entries.json": ("pagerduty", 8),
        "statuspage_incident.json": ("statuspage", 4),
    }
    assert timeline.warnings == []


def test_milestones_are_exact(timeline: Timeline) -> None:
    assert timeline.milestones.as_dict() == {k: pd.Timestamp(v) for k, v in MILESTONES.items()}
    assert timeline.milestones.detected_by == "monitoring"


def test_milestones_come_from_the_right_sources(timeline: Timeline) -> None:
    reasons = timeline.milestones.reasons
    assert reasons["started"].startswith("alertmanager: CheckoutHigh5xxRate firing (critical)")
    assert reasons["detected"].startswith("pagerduty: Triggered through the API: [#40217]")
    assert reasons["acknowledged"] == "pagerduty: Acknowledged by Priya Natarajan (Checkout API)"
    assert reasons["identified"].startswith("statuspage: Status page identified:")
    assert reasons["mitigated"].startswith("datadog: Rolled back gateway-routing config")
    assert reasons["resolved"].startswith("statuspage: Status page resolved:")


def test_duration_and_detection_lag(timeline: Timeline) -> None:
    metrics = timeline.metrics
    assert metrics.duration == timedelta(hours=1, minutes=1, seconds=47, milliseconds=971)
    assert metrics.time_to_detect == timedelta(minutes=4, seconds=32, milliseconds=594)
    assert metrics.detect_to_acknowledge == timedelta(minutes=3, seconds=35)
    assert metrics.time_to_mitigate == timedelta(minutes=35, seconds=37, milliseconds=594)
    assert human_duration(metrics.duration) == "1 hour 2 minutes"
    assert human_duration(metrics.time_to_detect) == "5 minutes"


def test_noise_is_kept_but_never_a_key_event(timeline: Timeline) -> None:
    noise = timeline.events[timeline.events["kind"] == ev.NOISE]
    assert len(timeline.events) == 28
    assert len(noise) == 10
    assert sorted(Counter(noise["source"]).items()) == [
        ("alertmanager", 1),
        ("cloudwatch", 3),
        ("datadog", 3),
        ("pagerduty", 3),
    ]
    assert any(m.startswith("[Re-Triggered]") for m in noise["message"])
    assert ev.NOISE not in set(timeline.signal_events["kind"])
    assert len(timeline.signal_events) == 18


def test_readme_states_the_same_milestones() -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    for name, value in MILESTONES.items():
        assert f"| {name} | {value} |" in readme
    assert "1:01:47.971" in readme
    assert "0:04:32.594" in readme
