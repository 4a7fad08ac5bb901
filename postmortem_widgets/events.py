"""The canonical event table that every importer produces.

One row per event, whatever the source:

=========  ==========================================================================
time       ``datetime64[ns, UTC]``: always tz-aware UTC
source     the importer's format name, e.g. ``pagerduty``
kind       one of :data:`KINDS` (see :mod:`postmortem_widgets.classify`)
message    a one-line human-readable description
actor      who did it (a responder, a requester, a monitor), or empty
file       the input it came from (a path or an upload name)
line       where in that input: the 1-based line of a text file, the 1-based record of JSON
raw        the original record (a dict) for JSON sources; ``None`` for tables, whose
           original row is ``file:line``
=========  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS: tuple[str, ...] = ("time", "source", "kind", "message", "actor", "file", "line", "raw")

#: Kinds that feed the milestone rules, from the earliest in an incident to the latest.
ALERT = "alert"  # a monitor started alerting (an alert onset)
IMPACT = "impact_start"  # an explicit "impact began" event
PAGE = "page"  # a human was notified by a paging tool
CUSTOMER = "customer_report"  # a customer told us (support ticket, hand-written mention)
DETECTED = "detected"  # an explicit "detected / alerted" event
ACKNOWLEDGED = "acknowledged"
IDENTIFIED = "identified"
MITIGATED = "mitigated"
RESOLVED = "resolved"  # a resolution or recovery signal
#: Kinds that are kept as key events but set no milestone.
WARNING = "warning"  # a monitor warning that is not an outage signal
UPDATE = "update"  # a status update, a note on the incident
EVENT = "event"  # a hand-written timeline entry without milestone words
#: Routine noise: kept in the table for traceability, never a milestone or a key event.
NOISE = "noise"

KINDS: tuple[str, ...] = (
    ALERT,
    IMPACT,
    PAGE,
    CUSTOMER,
    DETECTED,
    ACKNOWLEDGED,
    IDENTIFIED,
    MITIGATED,
    RESOLVED,
    WARNING,
    UPDATE,
    EVENT,
    NOISE,
)

TIME_DTYPE = "datetime64[ns, UTC]"


@dataclass
class ImportResult:
    """What one input gave: its events, the format that read it and anything worth a warning."""

    file: str
    format: str
    events: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: Sources like a hand-written timeline let their first event count as the start.
    handwritten: bool = False
    #: The importer already dropped repeated events (see :func:`repeated_rows`), so merging this input
    #: alone need not look for them again.
    unique: bool = False

    @property
    def count(self) -> int:
        return len(self.events)


def make_events(
    time: Any,
    *,
    source: str,
    kind: Any,
    message: Any,
    file: Any,
    actor: Any = "",
    line: Any = None,
    raw: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Build a canonical event table from columns (arrays or scalars broadcast to the length of ``time``).

    ``time`` must already be tz-aware; it is converted to UTC.
    """
    times = pd.DatetimeIndex(time)
    if len(times) and times.tz is None:
        raise ValueError("make_events needs tz-aware times; parse them with postmortem_widgets.timeparse")
    times = times.tz_convert("UTC") if len(times) else pd.DatetimeIndex([], tz="UTC")
    n = len(times)

    def column(value: Any, dtype: str = "str") -> Any:
        if isinstance(value, str) or value is None:
            return pd.Series(_repeat(value or "", n), dtype=dtype)
        return pd.Series(value, dtype=dtype).fillna("").reset_index(drop=True)

    lines = np.arange(1, n + 1, dtype="int64") if line is None else np.array(line, dtype="int64")
    # Every column is built fresh above, so the frame can own them as they are (no block copies).
    frame = pd.DataFrame(
        {
            "time": pd.Series(times.as_unit("ns"), dtype=TIME_DTYPE).reset_index(drop=True),
            "source": column(source),
            "kind": column(kind),
            "message": column(message),
            "actor": column(actor),
            "file": column(file),
            "line": pd.Series(lines, dtype="int64"),
            "raw": pd.Series(
                list(raw) if raw is not None else np.full(n, None, dtype=object), dtype="object"
            ),
        },
        copy=False,
    )
    return frame


def repeated_rows(times: np.ndarray, kind: Any, message: Any, actor: Any = None) -> np.ndarray:
    """Positions of rows that repeat an earlier row: the same time, kind, message and actor.

    ``times`` are int64 nanoseconds in ascending order; the other columns are pandas or pyarrow strings
    (``actor`` ``None`` when every actor is empty).
    Only rows sharing a timestamp with a neighbour can repeat one, and only those whose message has the
    same length as another in that run of equal times are compared in full, so a large log costs a pass.
    """
    none = np.zeros(0, dtype=np.int64)
    if len(times) < 2:
        return none
    same = np.zeros(len(times), dtype=bool)
    equal = times[1:] == times[:-1]
    same[1:] |= equal
    same[:-1] |= equal
    candidates = np.flatnonzero(same)
    if not len(candidates):
        return none
    run = np.cumsum(np.r_[True, times[candidates][1:] != times[candidates][:-1]]).astype("int64")
    text = message if isinstance(message, pa.Array | pa.ChunkedArray) else pa.array(message)
    length = np.asarray(pc.fill_null(pc.binary_length(text), 0))[candidates]
    key = run * (1 << 20) + np.minimum(length, (1 << 20) - 1)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    repeats = np.zeros(len(key), dtype=bool)
    repeats[order] = np.r_[ordered[1:] == ordered[:-1], False] | np.r_[False, ordered[1:] == ordered[:-1]]
    candidates = candidates[repeats]
    if not len(candidates):
        return none
    index = pa.array(candidates)

    def taken(column: Any) -> pd.Series:
        values = column if isinstance(column, pa.Array | pa.ChunkedArray) else pa.array(column)
        return pd.Series(pc.take(values, index), dtype="str")

    subset = pd.DataFrame(
        {
            "time": times[candidates],
            "kind": taken(kind),
            "message": taken(message),
            "actor": "" if actor is None else taken(actor),
        }
    )
    return candidates[subset.duplicated(keep="first").to_numpy()]


def _repeat(value: str, n: int) -> pa.Array:
    """``value`` ``n`` times as one Arrow string array (a million-row import makes no Python list)."""
    if not value:
        return pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(np.zeros(n + 1, np.int64)), pa.py_buffer(b"")]
        )
    return pc.take(pa.array([value], type=pa.large_string()), pa.array(np.zeros(n, dtype=np.int8)))


def empty_events() -> pd.DataFrame:
    """An event table with no rows and the canonical columns and types."""
    return make_events(pd.DatetimeIndex([], tz="UTC"), source="", kind="", message="", file="")
