from datetime import timedelta

import pandas as pd
import pytest

from postmortem_widgets.errors import MilestoneError
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.humanize import human_duration
from postmortem_widgets.timeline.merge import build_timeline
from postmortem_widgets.timeline.milestones import parse_override


def result(
    rows: list[tuple[str, str, str]], *, source: str = "x", handwritten: bool = False
) -> ev.ImportResult:
    times = pd.DatetimeIndex([pd.Timestamp(t) for t, _, _ in rows])
    events = ev.make_events(
        times,
        source=source,
        kind=[k for _, k, _ in rows],
        message=[m for _, _, m in rows],
        file=f"{source}.json",
    )
    return ev.ImportResult(file=f"{source}.json", format=source, events=events, handwritten=handwritten)


def test_monitoring_incident_across_sources() -> None:
    alerts = result(
        [
            ("2025-03-03T14:02:00Z", ev.ALERT, "HighErrorRate firing"),
            ("2025-03-03T15:10:00Z", ev.RESOLVED, "HighErrorRate resolved"),
        ],
        source="alertmanager",
    )
    pages = result(
        [
            ("2025-03-03T14:05:00Z", ev.PAGE, "Triggered"),
            ("2025-03-03T14:05:30Z", ev.NOISE, "Notified Alice by SMS"),
            ("2025-03-03T14:09:00Z", ev.ACKNOWLEDGED, "Acknowledged by Alice"),
            ("2025-03-03T15:00:00Z", ev.RESOLVED, "Resolved by Alice"),
        ],
        source="pagerduty",
    )
    tl = build_timeline([alerts, pages])
    m = tl.milestones
    assert m.started == pd.Timestamp("2025-03-03T14:02:00Z")
    assert m.detected == pd.Timestamp("2025-03-03T14:05:00Z")
    assert m.detected_by == "monitoring"
    assert m.acknowledged == pd.Timestamp("2025-03-03T14:09:00Z")
    # The latest resolution signal wins: the alert only recovered at 15:10.
    assert m.resolved == pd.Timestamp("2025-03-03T15:10:00Z")
    assert tl.metrics.duration == timedelta(minutes=68)
    assert tl.metrics.time_to_detect == timedelta(minutes=3)
    assert tl.metrics.detect_to_acknowledge == timedelta(minutes=4)
    assert len(tl.signal_events) == 5


def test_alert_onset_counts_as_detection_only_without_a_human_signal() -> None:
    tl = build_timeline([result([("2025-03-03T14:02:00Z", ev.ALERT, "CPU high")])])
    assert tl.milestones.detected == pd.Timestamp("2025-03-03T14:02:00Z")
    assert tl.milestones.detected_by == "monitoring"
    assert tl.metrics.time_to_detect == timedelta(0)


def test_customer_report_detection_and_first_handwritten_event_as_start() -> None:
    notes = result(
        [
            ("2024-04-15T13:14:00Z", ev.EVENT, "Deploy"),
            ("2024-04-15T13:42:00Z", ev.CUSTOMER, "Support ticket"),
        ],
        source="text",
        handwritten=True,
    )
    tl = build_timeline([notes])
    assert tl.milestones.started == pd.Timestamp("2024-04-15T13:14:00Z")
    assert tl.milestones.detected_by == "customer"
    assert human_duration(tl.metrics.time_to_detect) == "28 minutes"


def test_noise_is_never_a_milestone() -> None:
    tl = build_timeline([result([("2025-03-03T14:00:00Z", ev.NOISE, "resolved the lunch question")])])
    assert tl.milestones.resolved is None and tl.milestones.started is None
    assert tl.metrics.duration is None
    assert tl.milestones.detected_by == "unknown"


def test_missing_milestones_give_null_metrics() -> None:
    tl = build_timeline([result([("2025-03-03T14:00:00Z", ev.ALERT, "down")])])
    data = tl.to_json()
    assert data["milestones"]["resolved"] is None  # type: ignore[index]
    assert data["metrics"]["duration_seconds"] is None  # type: ignore[index]


def test_resolved_before_started_warns_and_never_goes_negative() -> None:
    tl = build_timeline(
        [
            result(
                [
                    ("2025-03-03T14:00:00Z", ev.RESOLVED, "resolved"),
                    ("2025-03-03T15:00:00Z", ev.ALERT, "alert"),
                ]
            )
        ]
    ).with_overrides({"started": pd.Timestamp("2025-03-03T15:00:00Z")})
    assert tl.metrics.duration is None
    assert any("before started" in w for w in tl.warnings)


def test_overrides_win_and_are_explained() -> None:
    tl = build_timeline([result([("2025-03-03T14:02:00Z", ev.ALERT, "CPU high")])])
    name, when = parse_override("detected=2025-03-03T14:09:55Z")
    changed = tl.with_overrides({name: when}, detected_by="customer")
    assert changed.milestones.detected == pd.Timestamp("2025-03-03T14:09:55Z")
    assert changed.milestones.detected_by == "customer"
    assert changed.milestones.reasons["detected"] == "set by the analyst"
    assert changed.metrics.time_to_detect == timedelta(minutes=7, seconds=55)


def test_override_errors_are_specific() -> None:
    with pytest.raises(MilestoneError, match="unknown milestone 'fixed'"):
        parse_override("fixed=2025-03-03T14:00:00Z")
    with pytest.raises(MilestoneError, match="has no zone"):
        parse_override("detected=2025-03-03T14:00:00")
    assert parse_override("detected=2025-03-03 09:00", tz="ET")[1] == pd.Timestamp("2025-03-03T14:00:00Z")
    assert parse_override("resolved=") == ("resolved", None)


def test_duplicates_across_exports_are_merged() -> None:
    rows = [("2025-03-03T14:02:00Z", ev.ALERT, "CPU high"), ("2025-03-03T14:05:00Z", ev.PAGE, "page")]
    tl = build_timeline([result(rows, source="a"), result(rows[:1], source="a")])
    assert len(tl.events) == 2
    assert tl.warnings == ["1 duplicate event(s) across inputs were merged"]
