"""Fields the timeline can derive (date, duration, response timeline, detection), filled only where empty.

The author's text always wins: only empty fields are derived, and the incident remembers which were.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from ..timeline import events as ev
from ..timeline.humanize import human_clock, human_date, human_duration, human_time, human_window
from ..timeline.keyevents import select_key_events, signal_channel
from ..timeline.merge import Timeline
from ..timeline.timeparse import resolve_zone
from .record import Incident

#: How many key events a derived ``response_timeline`` lists.
FILL_EVENTS = 15


#: The fields :func:`fill_incident` can derive from the timeline.
FILLABLE: tuple[str, ...] = ("incident_date", "incident_duration", "response_timeline", "detection")


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def derived_response_timeline(incident: Incident, timeline: Timeline, *, limit: int = FILL_EVENTS) -> str:
    """Key events, one ``9:14am: event`` a line in the incident's zone (later days carry their date)."""
    zone = resolve_zone(incident.timezone)
    chosen = select_key_events(timeline, limit=limit)
    if not chosen:
        return ""
    first_day = chosen[0].time.tz_convert(zone).date()
    lines = []
    for event in chosen:
        local = event.time.tz_convert(zone)
        when = human_time(event.time, zone)
        if local.date() != first_day:
            when = f"{local.date().isoformat()} {when}"
        message = _clip(event.message) if event.message else event.describe()
        lines.append(f"{when}: {message}")
    return "\n".join(lines)


#: How the first signal reached us, in the words of a derived ``detection`` field.
CHANNELS: dict[str, str] = {
    "customer_ticket": "a customer support ticket",
    "customer_report": "a customer report",
    "page": "an automated page to our on-call engineer",
    "monitoring": "our monitoring",
}


def first_alert_after_customer(timeline: Timeline) -> pd.Timestamp | None:
    """Our own first alert or page after a customer told us first (``None`` when none fired, or when a
    customer did not tell us first). An acknowledgement is a person answering: it never counts."""
    m = timeline.milestones
    if m.detected is None or m.detected_by != "customer":
        return None
    events = timeline.signal_events
    ours = events["kind"].isin([ev.ALERT, ev.PAGE]).to_numpy() & (events["time"] >= m.detected).to_numpy()
    times = events["time"][ours]
    return pd.Timestamp(times.min()) if len(times) else None


def _alert_later(timeline: Timeline, zone: ZoneInfo) -> str:
    """``; our own alert fired 18 minutes later, at 9:05am CT`` (counted in shown minutes), or ""."""
    alert, detected = first_alert_after_customer(timeline), timeline.milestones.detected
    if alert is None or detected is None:
        return ""
    gap = (alert.floor("min") - detected.floor("min")).to_pytimedelta()
    if gap.total_seconds() < 60:
        return f"; our own alert fired at {human_clock(alert, zone)}"
    return f"; our own alert fired {human_duration(gap)} later, at {human_clock(alert, zone)}"


def derived_detection(incident: Incident, timeline: Timeline) -> str:
    """When and how we learned of it, saying plainly when a customer told us first."""
    m = timeline.milestones
    if m.detected is None:
        return ""
    zone = resolve_zone(incident.timezone)
    when = human_clock(m.detected, zone)
    lag = timeline.shown_metrics.time_to_detect
    after = f", {human_duration(lag)} after the incident began" if lag and lag.total_seconds() >= 60 else ""
    channel = CHANNELS.get(signal_channel(timeline), "our monitoring")
    if m.detected_by == "customer":
        told = "(not our own monitoring: a customer told us first)"
        return f"detected at {when} via {channel}{after} {told}{_alert_later(timeline, zone)}"
    if m.detected_by == "monitoring":
        return f"detected at {when} by {channel}{after}"
    return f"first noticed at {when}{after}"


def fill_incident(incident: Incident, timeline: Timeline) -> Incident:
    """A copy with the fields the timeline can derive filled in where empty. The author's text always wins."""
    m = timeline.milestones
    zone = resolve_zone(incident.timezone)
    empty = {name for name in FILLABLE if not getattr(incident, name).strip()}
    derived: dict[str, str] = {}
    if "incident_date" in empty:
        first = m.started or m.detected
        if first is None and len(timeline.signal_events):
            first = timeline.signal_events["time"].iloc[0]
        if first is not None:
            derived["incident_date"] = human_date(first, zone)
    # As a reader computes it from the window's clock times (9:14am - 11:47am: 2 hours 33 minutes).
    duration = timeline.shown_metrics.duration
    if "incident_duration" in empty and duration is not None:
        derived["incident_duration"] = (
            f"{human_duration(duration)} ({human_window(m.started, m.resolved, zone)})"
        )
    # Ranking key events costs milliseconds on a large import: only when the author left the field empty.
    if "response_timeline" in empty:
        derived["response_timeline"] = derived_response_timeline(incident, timeline)
    if "detection" in empty:
        derived["detection"] = derived_detection(incident, timeline)
    changes: dict[str, Any] = {k: v for k, v in derived.items() if v}
    return dataclasses.replace(incident, **changes, filled=incident.filled | frozenset(changes))


__all__ = [
    "CHANNELS",
    "FILLABLE",
    "FILL_EVENTS",
    "derived_detection",
    "derived_response_timeline",
    "fill_incident",
    "first_alert_after_customer",
]
