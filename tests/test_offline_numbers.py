"""The reader's arithmetic: every duration the offline draft states is counted from the minutes it shows."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from postmortem_widgets.incident.fill import fill_incident
from postmortem_widgets.incident.record import load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.metrics import compute_metrics, shown_metrics
from postmortem_widgets.timeline.milestones import Milestones
from tests.support.paths import SAMPLES

T = pd.Timestamp("2025-06-17T13:03:12.406Z")


def test_shown_metrics_count_the_minutes_a_reader_sees() -> None:
    m = Milestones(
        started=T,  # 2:03pm BST
        detected=pd.Timestamp("2025-06-17T13:07:45Z"),  # 2:07pm
        acknowledged=pd.Timestamp("2025-06-17T13:11:20Z"),  # 2:11pm
        mitigated=pd.Timestamp("2025-06-17T13:38:50Z"),  # 2:38pm
        resolved=pd.Timestamp("2025-06-17T14:05:00.377Z"),  # 3:05pm
    )
    true, shown = compute_metrics(m), shown_metrics(m)
    assert true.time_to_detect == timedelta(seconds=272, microseconds=594000)  # rounds to 5 minutes
    assert shown.time_to_detect == timedelta(minutes=4)  # 2:03pm to 2:07pm
    assert shown.detect_to_acknowledge == timedelta(minutes=4)
    assert shown.duration == timedelta(hours=1, minutes=2)
    assert shown.detect_to_resolve == timedelta(minutes=58)


def test_harbor_duration_is_filled_from_the_shown_minutes() -> None:
    incident = load_incident(SAMPLES / "harbor_payments" / "incident.yaml")
    filled = fill_incident(incident, incident_timeline(incident))
    assert filled.incident_duration == "1 hour 2 minutes (2:03pm - 3:05pm BST)"
    assert filled.detection == (
        "detected at 2:07pm BST by an automated page to our on-call engineer, "
        "4 minutes after the incident began"
    )
