"""A timeline as the JSON contract of ``postmortem timeline --json``: small whatever the input size.

Keys: ``milestones`` (ISO 8601 UTC or null), ``detected_by``, ``metrics``, ``event_count``,
``key_events`` (at most 200, :func:`~.keyevents.select_key_events`: every milestone's event first, then
the most relevant), ``inputs`` (one per file: ``file`` and ``path`` (the same; a pattern such as
``logs/check-*.csv`` for many small files read as one, see :mod:`.batches`), ``files`` (how many),
``format``, ``role``,
``events``, ``series``, ``rows``, ``incident``: the one kept of a file holding several, or null,
``incidents``: all of them, newest first, each ``id``, ``title``, ``start``), ``impact`` (``began``,
``ended``, ``signal``, ``source``, ``unit``, ``baseline``, ``peak``, ``threshold``, ``evidence``,
``score``; every value null without telemetry),
``series`` (``name``, ``source``, ``unit``, ``kind``, ``points``: at most 500 ``[time, value]`` pairs
each) and ``warnings``.
"""

from __future__ import annotations

import math

import pandas as pd

from .keyevents import select_key_events
from .merge import KEY_EVENT_LIMIT, Timeline
from .milestones import iso_utc
from .telemetry.model import Impact
from .telemetry.series import points

IMPACT_KEYS: tuple[str, ...] = (
    "began",
    "ended",
    "signal",
    "source",
    "unit",
    "baseline",
    "peak",
    "threshold",
    "evidence",
    "score",
)


def _iso_ns(ns: int | None) -> str | None:
    return None if ns is None else iso_utc(pd.Timestamp(ns, tz="UTC"))


def _number(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


def impact_json(impact: Impact | None) -> dict[str, object]:
    """The impact window's JSON, every value null when there is none."""
    if impact is None:
        return dict.fromkeys(IMPACT_KEYS)
    return {
        "began": _iso_ns(impact.began),
        "ended": _iso_ns(impact.ended),
        "signal": impact.signal,
        "source": impact.source,
        "unit": impact.unit,
        "baseline": _number(impact.baseline),
        "peak": _number(impact.peak),
        "threshold": _number(impact.threshold),
        "evidence": impact.evidence,
        "score": _number(impact.score),
    }


def timeline_json(timeline: Timeline, *, key_event_limit: int = KEY_EVENT_LIMIT) -> dict[str, object]:
    """The whole contract (see the module docstring)."""
    key = select_key_events(timeline, limit=key_event_limit)
    return {
        "milestones": timeline.milestones.to_json(),
        "detected_by": timeline.milestones.detected_by,
        "metrics": timeline.metrics.to_json(),
        "event_count": len(timeline.events),
        "key_events": [
            {
                "time": iso_utc(e.time),
                "source": e.source,
                "kind": e.kind,
                "message": e.message,
                "actor": e.actor,
                "file": e.file,
                "line": e.line,
                "milestones": list(e.milestones),
            }
            for e in key
        ],
        "inputs": [
            {
                "file": r.file,
                "path": r.file,
                "files": len(r.file_names),
                "format": r.format,
                "role": r.role,
                "events": r.count,
                "series": len(r.series),
                "rows": r.rows if r.rows is not None else r.count,
                "incident": r.incident.to_json() if r.incident is not None else None,
                "incidents": [i.to_json() for i in r.incidents],
            }
            for r in timeline.imports
        ],
        "impact": impact_json(timeline.impact),
        "series": [
            {"name": s.name, "source": s.source, "unit": s.unit, "kind": s.kind, "points": points(s)}
            for s in timeline.series
        ],
        "warnings": timeline.warnings,
    }


__all__ = ["IMPACT_KEYS", "impact_json", "timeline_json"]
