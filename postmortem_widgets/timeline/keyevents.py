"""The few events a prompt, a draft or a pasted timeline can hold: the milestones, then the most relevant.

A million-line import may have thousands of key events; a customer-facing document has room for a few
dozen. The events that set a milestone always come first. The rest are ranked by kind (a customer report
or a root-cause note tells more than a warning) with diminishing returns for repeats of a kind, and
near-identical messages (the same alert re-firing) count once. The cost is one factorisation of the kind
column plus work on a bounded sample, whatever the import size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import events as ev
from .merge import Timeline
from .milestones import NAMES

#: How much one event of a kind is worth; the n-th distinct event of a kind is worth weight / n.
WEIGHTS: dict[str, float] = {
    ev.CUSTOMER: 12,
    ev.IMPACT: 10,
    ev.IDENTIFIED: 9,
    ev.EVENT: 9,
    ev.UPDATE: 8,
    ev.MITIGATED: 8,
    ev.RESOLVED: 8,
    ev.ALERT: 7,
    ev.PAGE: 7,
    ev.DETECTED: 7,
    ev.ACKNOWLEDGED: 6,
    ev.CHANGE: 8,
    ev.WARNING: 3,
}
#: Events people wrote by hand were written for a reason: they rank above machine events of the same kind.
HANDWRITTEN_BONUS = 4.0
#: The kinds that can mark each milestone, to pick the right row among events at the same instant.
MILESTONE_KINDS: dict[str, tuple[str, ...]] = {
    "started": (ev.IMPACT, ev.ALERT, ev.EVENT, ev.WARNING),
    "detected": (ev.CUSTOMER, ev.PAGE, ev.DETECTED, ev.ALERT),
    "acknowledged": (ev.ACKNOWLEDGED,),
    "identified": (ev.IDENTIFIED,),
    "mitigated": (ev.MITIGATED,),
    "resolved": (ev.RESOLVED,),
}
_DIGITS = re.compile(r"\d+")
_SAME_INSTANT_CAP = 10_000


@dataclass(frozen=True)
class KeyEvent:
    """One event chosen for a document, with the milestones it marks."""

    time: pd.Timestamp
    kind: str
    source: str
    message: str
    actor: str = ""
    file: str = ""
    milestones: tuple[str, ...] = ()
    handwritten: bool = False
    #: Where in its file the event is (its line or record); 0 for a milestone set with no event behind it.
    line: int = 0

    def describe(self) -> str:
        """The message, or for a milestone the analyst set with no event behind it, what it marks."""
        if self.message:
            return self.message
        return f"{' and '.join(self.milestones) or 'event'} (set by the analyst)"


def _times(frame: pd.DataFrame) -> np.ndarray:
    return frame["time"].to_numpy(dtype="datetime64[ns]").view("int64")


def _same_instant(times: np.ndarray, ts: pd.Timestamp) -> tuple[int, int]:
    """Rows ``lo:hi`` of the sorted ``times`` at the instant ``ts`` (at most :data:`_SAME_INSTANT_CAP`)."""
    value = ts.tz_convert("UTC").value
    lo = int(np.searchsorted(times, value, side="left"))
    return lo, min(int(np.searchsorted(times, value, side="right")), lo + _SAME_INSTANT_CAP)


def _event(row: pd.Series, *, milestones: tuple[str, ...], handwritten: frozenset[str]) -> KeyEvent:
    return KeyEvent(
        time=row["time"],
        kind=str(row["kind"]),
        source=str(row["source"]),
        message=str(row["message"]),
        actor=str(row["actor"]),
        file=str(row["file"]),
        milestones=milestones,
        handwritten=str(row["file"]) in handwritten,
        line=int(row["line"]),
    )


def _handwritten(timeline: Timeline) -> frozenset[str]:
    return frozenset(f for r in timeline.imports if r.handwritten for f in r.file_names)


def _milestone_rows(timeline: Timeline, times: np.ndarray) -> tuple[dict[int, list[str]], list[KeyEvent]]:
    """Row of the key-event table behind each milestone; milestones with no event become synthetic events."""
    key = timeline.signal_events
    m = timeline.milestones
    rows: dict[int, list[str]] = {}
    synthetic: dict[pd.Timestamp, list[str]] = {}
    for name in NAMES:
        ts = getattr(m, name)
        if ts is None:
            continue
        lo, hi = _same_instant(times, ts)
        if hi <= lo:
            synthetic.setdefault(ts, []).append(name)
            continue
        window = key.iloc[lo:hi]
        labels = (window["source"].astype(str) + ": " + window["message"]).to_numpy(dtype=object)
        hits = np.flatnonzero(labels == m.reasons.get(name, ""))
        if not len(hits):
            hits = np.flatnonzero(window["kind"].isin(MILESTONE_KINDS[name]).to_numpy())
        pick = lo + (int(hits[0]) if len(hits) else 0)
        rows.setdefault(pick, []).append(name)
    made = [
        KeyEvent(time=ts, kind="milestone", source="analyst", message="", milestones=tuple(names))
        for ts, names in synthetic.items()
    ]
    return rows, made


def _normalise(message: str) -> str:
    return _DIGITS.sub("#", " ".join(message.lower().split()))


def select_key_events(timeline: Timeline, *, limit: int = 40) -> list[KeyEvent]:
    """At most ``limit`` events, in time order: every milestone's event, then the most relevant key events."""
    key = timeline.signal_events
    handwritten = _handwritten(timeline)
    times = _times(key)
    rows, chosen = _milestone_rows(timeline, times)
    chosen += [
        _event(key.iloc[i], milestones=tuple(names), handwritten=handwritten) for i, names in rows.items()
    ]
    room = limit - len(chosen)
    if room > 0 and len(key) > len(rows):
        for i in _ranked_rows(key, handwritten, exclude=set(rows), room=room):
            chosen.append(_event(key.iloc[i], milestones=(), handwritten=handwritten))
    chosen.sort(key=lambda e: (e.time, -len(e.milestones)))
    return chosen[:limit] if len(chosen) > limit else chosen


def _sample(positions: np.ndarray, room: int) -> np.ndarray:
    """The first few positions of a kind plus an even spread over the rest, so late events get a chance."""
    head = max(room * 4, 50)
    if len(positions) <= head * 5:
        return positions
    spread = positions[np.linspace(head, len(positions) - 1, head * 4).astype(np.int64)]
    return np.unique(np.concatenate([positions[:head], spread]))


def _ranked_rows(
    key: pd.DataFrame, handwritten: frozenset[str], *, exclude: set[int], room: int
) -> list[int]:
    """Rows ranked by (weight + bonus) / n for the n-th distinct message of a kind.

    Then repeats, spread evenly over the incident to show how long a signal went on, rank after every
    distinct message of their kind.
    """
    codes, kinds = pd.factorize(key["kind"])
    scored: list[tuple[float, int]] = []
    for code, kind in enumerate(kinds):
        weight = WEIGHTS.get(str(kind), 1.0)
        every = np.flatnonzero(codes == code)
        positions = _sample(every, room)
        sample = key.iloc[positions]
        seen: set[str] = set()
        taken: set[int] = set()
        bonus = 0.0
        rows = zip(positions.tolist(), sample["message"].tolist(), sample["file"].tolist(), strict=True)
        for position, message, file in rows:
            norm = _normalise(message)
            if position in exclude or norm in seen:
                continue
            seen.add(norm)
            taken.add(position)
            bonus = HANDWRITTEN_BONUS if file in handwritten else 0.0
            scored.append(((weight + bonus) / len(seen), position))
            if len(seen) >= room:
                break
        wanted = room - len(seen)
        if wanted > 0 and len(every) > len(taken):
            spread = every[np.unique(np.linspace(0, len(every) - 1, wanted + 2).astype(np.int64))[1:-1]]
            fresh = [int(p) for p in spread if int(p) not in taken and int(p) not in exclude]
            for rank, position in enumerate(fresh, start=len(seen) + 1):
                scored.append(((weight + bonus) / (2 * rank), position))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [position for _, position in scored[:room]]


def signal_channel(timeline: Timeline) -> str:
    """How the first signal reached us: customer_ticket, customer_report, page, monitoring or empty."""
    m = timeline.milestones
    if m.detected is None:
        return ""
    key = timeline.signal_events
    lo, hi = _same_instant(_times(key), m.detected)
    at = key.iloc[lo:hi]
    if m.detected_by == "customer":
        ticket = "zendesk" in set(at["source"]) or "ticket" in " ".join(at["message"]).lower()
        return "customer_ticket" if ticket else "customer_report"
    if ev.PAGE in set(at["kind"]):
        return "page"
    return "monitoring" if m.detected_by == "monitoring" else ""


__all__ = ["KeyEvent", "select_key_events", "signal_channel"]
