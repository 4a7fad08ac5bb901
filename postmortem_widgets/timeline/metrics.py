"""Durations between milestones: the incident's length, the detection lag and the response figures.

:func:`compute_metrics` measures the true intervals; :func:`shown_metrics` the ones a reader computes from
the clock times a document shows (``2:03pm`` to ``2:07pm`` is 4 minutes, whatever the seconds were), which
is what a customer-facing draft must state next to its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta

import pandas as pd

from .milestones import Milestones


def _between(start: pd.Timestamp | None, end: pd.Timestamp | None) -> timedelta | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).to_pytimedelta()


@dataclass(frozen=True)
class Metrics:
    """Every figure is ``None`` when a milestone is missing or the difference would be negative."""

    duration: timedelta | None = None
    time_to_detect: timedelta | None = None
    time_to_acknowledge: timedelta | None = None
    time_to_identify: timedelta | None = None
    time_to_mitigate: timedelta | None = None
    time_to_resolve: timedelta | None = None
    #: Response-relative figures, as the seed writes them ("alerted within 5 minutes").
    detect_to_acknowledge: timedelta | None = None
    detect_to_identify: timedelta | None = None
    detect_to_mitigate: timedelta | None = None
    detect_to_resolve: timedelta | None = None

    def to_json(self) -> dict[str, float | None]:
        """Seconds, keyed ``<name>_seconds``."""
        return {
            f"{f.name}_seconds": (None if (v := getattr(self, f.name)) is None else v.total_seconds())
            for f in fields(self)
        }


def compute_metrics(m: Milestones) -> Metrics:
    """All metrics from the milestones.

    >>> t = pd.Timestamp("2024-04-15T13:14:00Z")
    >>> compute_metrics(Milestones(started=t, resolved=t + pd.Timedelta(minutes=153))).duration
    datetime.timedelta(seconds=9180)
    """
    return Metrics(
        duration=_between(m.started, m.resolved),
        time_to_detect=_between(m.started, m.detected),
        time_to_acknowledge=_between(m.started, m.acknowledged),
        time_to_identify=_between(m.started, m.identified),
        time_to_mitigate=_between(m.started, m.mitigated),
        time_to_resolve=_between(m.started, m.resolved),
        detect_to_acknowledge=_between(m.detected, m.acknowledged),
        detect_to_identify=_between(m.detected, m.identified),
        detect_to_mitigate=_between(m.detected, m.mitigated),
        detect_to_resolve=_between(m.detected, m.resolved),
    )


def shown_metrics(m: Milestones) -> Metrics:
    """The metrics of the milestones as a document shows them, each cut to its minute.

    A draft shows ``2:03pm`` for 14:03:12 and ``2:07pm`` for 14:07:45; its reader counts 4 minutes, not the
    4 minutes 33 seconds (rounded to 5) between the events. Zone offsets are whole minutes, so the minute
    in UTC is the minute shown.

    >>> t = pd.Timestamp("2025-06-17T13:03:12Z")
    >>> shown_metrics(Milestones(started=t, detected=t + pd.Timedelta(seconds=273))).time_to_detect
    datetime.timedelta(seconds=240)
    """
    cut = {name: ts.floor("min") for name, ts in m.as_dict().items() if ts is not None}
    return compute_metrics(replace(m, **cut))  # type: ignore[arg-type]
