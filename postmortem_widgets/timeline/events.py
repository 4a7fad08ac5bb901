"""The canonical event table that every importer produces.

One row per event, whatever the source:

=========  ==========================================================================
time       ``datetime64[ns, UTC]``: always tz-aware UTC
source     ``category``: the importer's format name, e.g. ``pagerduty``
kind       ``category`` with the fixed categories :data:`KINDS`, in that order
           (:data:`KIND_DTYPE`; see :mod:`postmortem_widgets.timeline.classify`)
message    ``str``: a one-line human-readable description
actor      ``str``: who did it (a responder, a requester, a monitor), or empty
file       ``category``: the input it came from (a path or an upload name)
line       ``int64``: where in that input: the 1-based line of a text file, the 1-based record of JSON
raw        ``object``: the original record (a dict) for JSON sources; ``None`` for tables, whose
           original row is ``file:line``
=========  ==========================================================================

The label columns (``source``, ``kind``, ``file``) are categorical because a million-row log holds a
handful of distinct values: a byte of code per row instead of a string, and comparisons on integers.
They read as plain strings (``==``, ``isin``, iteration, ``tolist()``, JSON), but joining them to text
needs ``astype(str)`` first, and ``value_counts()`` lists unused categories with a zero.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from .scoping import IncidentRef
    from .telemetry.model import Series

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
CHANGE = "change"  # a deploy, config change or feature-flag change in a machine log (a rollback is mitigated)
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
    CHANGE,
    NOISE,
)

TIME_DTYPE = "datetime64[ns, UTC]"
#: The dtype of the ``kind`` column: its codes index :data:`KINDS`.
KIND_DTYPE = pd.CategoricalDtype(list(KINDS))
#: The categorical columns other than ``kind``, whose categories are the values present.
LABELS: tuple[str, ...] = ("source", "file")


@dataclass
class ImportResult:
    """What one input gave: its events, the format that read it and anything worth a warning."""

    file: str
    format: str
    events: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: Sources like a hand-written timeline let their first event count as the start.
    handwritten: bool = False
    #: What the input is: incident, log, metric, timeline, chat or tickets (see ``telemetry.model``).
    role: str = ""
    #: Signals over time (telemetry): a log's per-bin series, a metric export's series.
    series: list[Series] = field(default_factory=list)
    #: Rows read, when the input has more rows than events (a log keeps a few events of many rows).
    rows: int | None = None
    #: The incident kept when the input held several (see :mod:`.scoping`), and all of them, newest first.
    incident: IncidentRef | None = None
    incidents: list[IncidentRef] = field(default_factory=list)
    #: The files of a batch read as one table (see :mod:`.batches`), whose pattern is ``file``; empty
    #: for a single input.
    files: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.events)

    @property
    def file_names(self) -> tuple[str, ...]:
        """Every name the events' ``file`` column may hold: the batch's files, or ``file``."""
        return self.files or (self.file,)


def make_events(
    time: Any,
    *,
    source: Any,
    kind: Any,
    message: Any,
    file: Any,
    actor: Any = "",
    line: Any = None,
    raw: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Build a canonical event table from columns (arrays or scalars broadcast to the length of ``time``).

    ``time`` must already be tz-aware; it is converted to UTC. ``kind`` is a kind name, names, or a
    categorical of :data:`KIND_DTYPE` (see :func:`kinds_from_codes`); an unknown name is a bug in the caller
    and raises ``ValueError``. Scalars cost no string per row: labels are one category, text one buffer.
    Arrays are taken as they are, not copied (a million-row import allocates each column once): the
    caller hands them over and must not change a ``time`` or ``int64`` ``line`` array afterwards.
    """
    times = pd.DatetimeIndex(time)
    if len(times) and times.tz is None:
        raise ValueError(
            "make_events needs tz-aware times; parse them with postmortem_widgets.timeline.timeparse"
        )
    times = times.tz_convert("UTC") if len(times) else pd.DatetimeIndex([], tz="UTC")
    times = times if times.unit == "ns" else times.as_unit("ns")  # as_unit copies even to its own unit
    n = len(times)
    lines = np.arange(1, n + 1, dtype=np.int64) if line is None else np.asarray(line, dtype=np.int64)
    # Handed-over arrays, immutable Arrow text and columns built here: the frame takes them without a copy.
    # Arrays, not Series: nothing to align, and a small table (a folder of one-row files) builds fast.
    columns = {
        "time": times.array,
        "source": _labels(source, n),
        "kind": pd.Categorical.from_codes(kind_codes(kind, n), dtype=KIND_DTYPE, validate=False),
        "message": _text(message, n).array,
        "actor": _text(actor, n).array,
        "file": _labels(file, n),
        "line": lines,
        "raw": pd.Series(list(raw), dtype=object).to_numpy()
        if raw is not None
        else np.empty(n, dtype=object),  # numpy fills it with None
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)


def kinds_from_codes(codes: np.ndarray) -> pd.Categorical:
    """A ``kind`` column from int8 positions in :data:`KINDS` (what the classifier returns)."""
    return pd.Categorical.from_codes(codes, dtype=KIND_DTYPE)


def kind_codes(kind: Any, n: int | None = None) -> np.ndarray:
    """Positions in :data:`KINDS` (int8) of a kind name broadcast to ``n`` rows, or of a column of kinds.

    Raises ``ValueError`` naming values that are not kinds.
    """
    if isinstance(kind, str):
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}; kinds are {', '.join(KINDS)}")
        return np.full(n or 0, KINDS.index(kind), dtype=np.int8)
    if isinstance(kind, pd.Series) and kind.dtype == KIND_DTYPE:
        return np.asarray(kind.cat.codes, dtype=np.int8)
    if isinstance(kind, pd.Categorical | pd.CategoricalIndex) and kind.dtype == KIND_DTYPE:
        return np.asarray(kind.codes, dtype=np.int8)
    if isinstance(kind, pa.Array | pa.ChunkedArray):
        found = pc.index_in(kind, value_set=pa.array(KINDS, type=kind.type))
        codes = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int8)
    else:
        codes = KIND_DTYPE.categories.get_indexer(pd.Index(kind, dtype="str")).astype(np.int8)
    if (codes < 0).any():
        text = pd.Series(kind if not isinstance(kind, pa.ChunkedArray) else kind.to_pylist(), dtype="str")
        unknown = sorted(set(text[codes < 0].fillna("<missing>")))
        raise ValueError(
            f"unknown event kind(s) {', '.join(map(repr, unknown[:5]))}; kinds are {', '.join(KINDS)}"
        )
    return codes


def concat_events(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Event tables one after another, the label columns staying categorical over all their values.

    Built column by column (codes remapped, text joined as one Arrow array), each table's columns taken
    once: 5,000 one-row imports cost a pass over their columns, not a DataFrame concatenation.
    """
    frames = list(frames)
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    if not frames:
        return empty_events()
    tables = [dict(frame.items()) for frame in frames]
    if not all(_canonical(table) for table in tables):
        return _concat_frames(frames)
    columns = {name: [table[name] for table in tables] for name in COLUMNS}
    times = np.concatenate([c.to_numpy(dtype="datetime64[ns]") for c in columns["time"]])
    joined: dict[str, Any] = {
        "time": pd.DatetimeIndex(times).tz_localize("UTC").array,
        "source": _concat_labels(columns["source"]),
        "kind": pd.Categorical.from_codes(
            np.concatenate([kind_codes(c) for c in columns["kind"]]), dtype=KIND_DTYPE, validate=False
        ),
        "message": _concat_text(columns["message"]),
        "actor": _concat_text(columns["actor"]),
        "file": _concat_labels(columns["file"]),
        "line": np.concatenate([c.to_numpy(dtype=np.int64) for c in columns["line"]]),
        "raw": np.concatenate([c.to_numpy(dtype=object) for c in columns["raw"]]),
    }
    return pd.DataFrame(joined, index=pd.RangeIndex(len(times)), copy=False)


def _canonical(table: dict[Any, pd.Series]) -> bool:
    """The columns and text types :func:`make_events` gives (what the column-wise join assumes)."""
    return tuple(table) == COLUMNS and all(
        isinstance(table[name].dtype, pd.StringDtype) for name in ("message", "actor")
    )


def _concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The general case (tables with other columns): pandas, with the labels over all their values."""
    labels: dict[str, list[pd.Series]] = {}
    for name in LABELS:
        columns = [f[name].astype("category") for f in frames]
        present = np.concatenate([c.cat.categories.to_numpy(dtype=object) for c in columns])
        dtype = pd.CategoricalDtype(pd.Index(pd.unique(present), dtype="str"))
        labels[name] = [c.astype(dtype) for c in columns]
    same = [f.assign(**{name: labels[name][i] for name in LABELS}) for i, f in enumerate(frames)]
    return pd.concat(same, ignore_index=True)


def _concat_labels(columns: list[pd.Series]) -> pd.Categorical:
    """Categorical columns joined: categories in order of first appearance, codes remapped to them."""
    positions: dict[str, int] = {}
    codes: list[np.ndarray] = []
    for column in columns:
        labels = column.array if isinstance(column.dtype, pd.CategoricalDtype) else pd.Categorical(column)
        mapping = [positions.setdefault(str(v), len(positions)) for v in labels.categories.tolist()]
        # A missing value's code, -1, indexes the -1 appended: it stays missing.
        codes.append(np.array([*mapping, -1], dtype=np.int64)[labels.codes])
    dtype = pd.CategoricalDtype(pd.Index(list(positions), dtype="str"))
    return pd.Categorical.from_codes(np.concatenate(codes), dtype=dtype, validate=False)


def _concat_text(columns: list[pd.Series]) -> pd.Series:
    """Text columns joined as one Arrow array."""
    chunks: list[pa.Array] = []
    for column in columns:
        array = pa.array(column.array, from_pandas=True)  # an Arrow-backed column gives its chunks
        chunks.extend(array.chunks if isinstance(array, pa.ChunkedArray) else [array])
    if len({a.type for a in chunks}) > 1:
        chunks = [a.cast(pa.large_string()) for a in chunks]
    return pd.Series(pa.chunked_array(chunks, type=chunks[0].type) if chunks else [], dtype="str")


@functools.lru_cache(maxsize=256)
def _label_dtype(value: str) -> pd.CategoricalDtype:
    """The dtype of a label column of one value (a string index costs more than the rest of the column)."""
    return pd.CategoricalDtype(pd.Index([value], dtype="str"))


def _labels(value: Any, n: int) -> pd.Categorical:
    if isinstance(value, str) or value is None:
        return pd.Categorical.from_codes(
            np.zeros(n, dtype=np.int8), dtype=_label_dtype(value or ""), validate=False
        )
    if isinstance(value, pd.Series) and isinstance(value.dtype, pd.CategoricalDtype):
        used: pd.Categorical = value.cat.remove_unused_categories().array
        return used
    return pd.Categorical(pd.Series(value, dtype="str").fillna("").to_numpy())


def _text(value: Any, n: int) -> pd.Series:
    if isinstance(value, str) or value is None:
        return pd.Series(_repeat(value or "", n), dtype="str")
    return pd.Series(value, dtype="str").fillna("").reset_index(drop=True)


def _repeat(value: str, n: int) -> pa.Array:
    """``value`` ``n`` times as one Arrow string array, its buffers built by numpy (no Python list)."""
    encoded = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(encoded) if encoded else np.zeros(n + 1, np.int64)
    return pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(encoded * n)]
    )


def empty_events() -> pd.DataFrame:
    """An event table with no rows and the canonical columns and types."""
    return make_events(pd.DatetimeIndex([], tz="UTC"), source="", kind=EVENT, message="", file="")
