"""Milestones of an incident, found by documented rules and overridable by the analyst.

* **started**: the earliest of alert onsets, an explicit "impact began" event, the first event of a
  hand-written timeline, and the detection time itself.
* **detected**: the earliest human notification: a page, a customer report or an explicit
  "detected / alerted" event. Only when none exists does the earliest alert onset count.
  ``detected_by`` says ``customer``, ``monitoring`` or ``unknown``.
* **acknowledged**, **identified**, **mitigated**: the earliest event of that kind.
* **resolved**: the *latest* resolution signal from any source, so a postmortem never understates an
  outage that one source still reported.

Noise (PagerDuty notify, Datadog renotify, CloudWatch configuration updates, chat chatter) never counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import events as ev
from .errors import MilestoneError
from .timeparse import resolve_zone

NAMES: tuple[str, ...] = ("started", "detected", "acknowledged", "identified", "mitigated", "resolved")
DETECTED_BY: tuple[str, ...] = ("customer", "monitoring", "unknown")


@dataclass(frozen=True)
class Milestones:
    """The six milestones (UTC timestamps or ``None``), who detected it, and why each was chosen."""

    started: pd.Timestamp | None = None
    detected: pd.Timestamp | None = None
    acknowledged: pd.Timestamp | None = None
    identified: pd.Timestamp | None = None
    mitigated: pd.Timestamp | None = None
    resolved: pd.Timestamp | None = None
    detected_by: str = "unknown"
    #: For each milestone, the message of the event it came from (or "set by the analyst").
    reasons: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, pd.Timestamp | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in NAMES}

    def to_json(self) -> dict[str, str | None]:
        return {name: iso_utc(value) for name, value in self.as_dict().items()}


def iso_utc(ts: pd.Timestamp | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``: ``2024-04-15T13:14:00Z``."""
    if ts is None:
        return None
    text = ts.tz_convert("UTC").isoformat()
    return text.replace("+00:00", "Z")


def _arrow_text(column: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow strings, without a copy when pandas already holds it so."""
    array = pa.array(column)
    return (
        array
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
        else array.cast(pa.string())
    )


class _Table:
    """The columns the rules read, as arrays: a million-event log is scanned a few times, never copied."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = events
        times = events["time"].to_numpy(dtype="datetime64[ns]")
        missing = np.isnat(times)
        self.valid = ~missing if missing.any() else None
        self.ns = times.view("int64")
        kinds = _arrow_text(events["kind"])
        index = pc.index_in(kinds, value_set=pa.array(ev.KINDS, type=kinds.type))
        self.codes = index.to_numpy(zero_copy_only=False)
        self.codes = np.where(np.isnan(self.codes.astype("float64")), -1, self.codes).astype(np.int8)

    def kind(self, *kinds: str) -> np.ndarray:
        mask = self.codes == ev.KINDS.index(kinds[0])
        for other in kinds[1:]:
            mask |= self.codes == ev.KINDS.index(other)
        return mask

    def pick(self, mask: np.ndarray, *, latest: bool = False) -> tuple[int | None, pd.Timestamp | None, str]:
        """The earliest (or latest) event of ``mask`` (the first in table order on a tie) and why."""
        positions = np.flatnonzero(mask if self.valid is None else mask & self.valid)
        if not len(positions):
            return None, None, ""
        times = self.ns[positions]
        row = int(positions[times.argmax() if latest else times.argmin()])
        source, message = self.events["source"].iloc[row], self.events["message"].iloc[row]
        return row, self.events["time"].iloc[row], f"{source!s}: {message!s}"


def find_milestones(
    events: pd.DataFrame,
    *,
    handwritten_files: frozenset[str] = frozenset(),
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
) -> tuple[Milestones, list[str]]:
    """Apply the rules to a canonical event table. Returns the milestones and warnings."""
    table = _Table(events)
    reasons: dict[str, str] = {}
    warnings: list[str] = []

    human = table.kind(ev.PAGE, ev.CUSTOMER, ev.DETECTED)
    row, detected, reasons["detected"] = table.pick(human)
    if row is not None:
        first = table.codes[human & (table.ns == table.ns[row])]
        by = "customer" if ev.KINDS.index(ev.CUSTOMER) in first else "monitoring"
    else:
        _, detected, reasons["detected"] = table.pick(table.kind(ev.ALERT))
        by = "monitoring" if detected is not None else "unknown"

    onset = table.kind(ev.ALERT, ev.IMPACT)
    if handwritten_files:
        not_noise = table.codes != ev.KINDS.index(ev.NOISE)
        files = _arrow_text(events["file"])
        for name in handwritten_files:
            same = pc.fill_null(pc.equal(files, name), False).to_numpy(zero_copy_only=False)
            mine, _, _ = table.pick(not_noise & same)
            if mine is not None:
                onset[mine] = True
    _, started, reasons["started"] = table.pick(onset)
    if detected is not None and (started is None or detected < started):
        started, reasons["started"] = detected, reasons["detected"]

    _, acknowledged, reasons["acknowledged"] = table.pick(table.kind(ev.ACKNOWLEDGED))
    _, identified, reasons["identified"] = table.pick(table.kind(ev.IDENTIFIED))
    _, mitigated, reasons["mitigated"] = table.pick(table.kind(ev.MITIGATED))
    _, resolved, reasons["resolved"] = table.pick(table.kind(ev.RESOLVED), latest=True)

    found = Milestones(
        started=started,
        detected=detected,
        acknowledged=acknowledged,
        identified=identified,
        mitigated=mitigated,
        resolved=resolved,
        detected_by=by,
        reasons={k: v for k, v in reasons.items() if v},
    )
    found = apply_overrides(found, overrides or {}, detected_by=detected_by)
    if found.started is not None and found.resolved is not None and found.resolved < found.started:
        warnings.append(
            f"resolved ({iso_utc(found.resolved)}) is before started ({iso_utc(found.started)}); "
            "durations that would be negative are left empty. Check the inputs or set the milestones."
        )
    return found, warnings


def apply_overrides(
    milestones: Milestones, overrides: Mapping[str, pd.Timestamp | None], *, detected_by: str | None = None
) -> Milestones:
    """Replace milestones the analyst set by hand (``None`` clears one)."""
    changes: dict[str, object] = {}
    reasons = dict(milestones.reasons)
    for name, value in overrides.items():
        if name not in NAMES:
            raise MilestoneError(f"unknown milestone {name!r}", hint=f"choose one of: {', '.join(NAMES)}")
        changes[name] = value
        reasons[name] = "set by the analyst"
    if detected_by is not None:
        if detected_by not in DETECTED_BY:
            raise MilestoneError(f"detected_by must be one of {', '.join(DETECTED_BY)}, not {detected_by!r}")
        changes["detected_by"] = detected_by
    return replace(milestones, reasons=reasons, **changes)  # type: ignore[arg-type]


def parse_override(text: str, *, tz: str | None = None) -> tuple[str, pd.Timestamp | None]:
    """Parse ``NAME=TIME`` from ``--set``; naive times need ``tz``; ``NAME=`` clears the milestone.

    >>> parse_override("detected=2025-03-03T14:09:55Z")
    ('detected', Timestamp('2025-03-03 14:09:55+0000', tz='UTC'))
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep:
        raise MilestoneError(
            f"expected NAME=TIME, got {text!r}", hint="e.g. --set detected=2025-03-03T14:09:55Z"
        )
    if name not in NAMES and name != "detected_by":
        raise MilestoneError(f"unknown milestone {name!r}", hint=f"choose one of: {', '.join(NAMES)}")
    value = value.strip()
    if not value:
        return name, None
    try:
        ts = pd.Timestamp(value)
    except ValueError:
        raise MilestoneError(
            f"cannot read {value!r} as a time for {name}", hint="use ISO 8601, e.g. 2025-03-03T14:09:55Z"
        ) from None
    if ts.tzinfo is None:
        if not tz:
            raise MilestoneError(
                f"the time for {name} has no zone", hint="add Z or an offset, or pass --tz ZONE"
            )
        ts = ts.tz_localize(resolve_zone(tz))
    return name, ts.tz_convert("UTC")
