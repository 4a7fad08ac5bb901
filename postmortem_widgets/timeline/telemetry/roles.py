"""What a generic table is: a hand-written timeline, a machine log, or a metric series.

The rule, decided from the first 64 KiB (the sample) and the file's size, first match wins:

1. **log**: a severity column (``level``, ``severity``, ``loglevel``, ``lvl``, ``priority`` ... holding
   level names or pino / syslog numbers) or an HTTP status column (``status``, ``status_code`` ...
   holding 100-599); or a message column and either more than :data:`MAX_TIMELINE_ROWS` rows (counted, or
   estimated from the file's size) or templated repeats (at least 50 sampled rows whose messages fall
   into fewer than half as many templates, see :mod:`.templates`). A log without a message column is
   read all the same (its series; no events).
2. **metric**: a time column and numeric columns, and no text column that reads as messages (text
   columns are only labels: few distinct values, such as a host or a series name).
3. **timeline** otherwise: tens of rows of prose, as a person writes them, without a severity column.

The user's word wins over the rule: ``--role PATH=ROLE`` on the command line,
``ImportOptions(roles={path: role})`` in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..importers._csv import is_text
from ..importers._datecols import DateParts, date_parts
from ..importers.table import MESSAGE_NAMES, TIME_NAMES, _by_name, _content, _norm
from ..sources import Source
from . import severity as sev
from .model import LOG, METRIC, TIMELINE, UNKNOWN
from .templates import mask

#: A hand-written timeline has tens of rows; a table with more is a log.
MAX_TIMELINE_ROWS = 200
#: Sampled rows from which repeated templates mark a log.
TEMPLATED_FROM = 50
SEVERITY_NAMES: tuple[str, ...] = (
    "level",
    "severity",
    "loglevel",
    "log_level",
    "lvl",
    "levelname",
    "level_name",
    "log.level",
    "priority",
    "syslog_severity",
    "sev",
)
STATUS_NAMES: tuple[str, ...] = (
    "status",
    "status_code",
    "statuscode",
    "http_status",
    "http_status_code",
    "http.status_code",
    "response_code",
    "response_status",
    "sc_status",
    "code",
)
LATENCY_NAMES: tuple[str, ...] = (
    "latency",
    "latency_ms",
    "duration",
    "duration_ms",
    "response_time",
    "response_time_ms",
    "elapsed",
    "elapsed_ms",
    "request_time",
    "upstream_response_time",
    "took",
    "took_ms",
    "time_taken",
    "rt",
)


def per_row_signals(columns: list[str] | tuple[str, ...]) -> bool:
    """Whether a table has a severity or HTTP status column: one row per log line or request, not a metric.

    >>> per_row_signals(["time", "status", "latency_ms"]), per_row_signals(["Time", "p95"])
    (True, False)
    """
    names = {_norm(c) for c in columns}
    return bool(names & {_norm(n) for n in (*SEVERITY_NAMES, *STATUS_NAMES)})


#: A text column with at most this share of distinct values (or this few) is a label, not messages.
LABEL_SHARE = 0.2
LABEL_MAX = 20


@dataclass(frozen=True)
class TableShape:
    """What the sample of a table shows, for the rule above and for reading it as a log or metric."""

    rows: int
    time: str | None
    message: str | None
    severity: str | None = None
    status: str | None = None
    latency: str | None = None
    numeric: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    templated: bool = False
    #: What the latency column's numbers are in seconds: 1.0 for seconds, 0.001 for milliseconds.
    latency_scale: float = 0.001
    #: The time is spread over several columns (``time`` is the clock part), see ``importers._datecols``.
    parts: DateParts | None = None


def table_shape(head: pa.Table, *, rows: int) -> TableShape:
    """The columns that matter in a sampled table, and its (estimated) row count ``rows``."""
    names = list(head.column_names)
    times = [n for n in _by_name(names, TIME_NAMES) if _content(head[n]) == "time"]
    time = times[0] if times else next((n for n in names if _content(head[n]) in ("time", "clock")), None)
    parts = date_parts(head) if time is None or _content(head[time]) == "clock" else None
    time = parts.time if parts is not None else time
    rest = [n for n in names if n != time and (parts is None or n not in parts.columns)]
    severity = next((n for n in _by_name(rest, SEVERITY_NAMES) if _is_severity(head[n])), None)
    status = next((n for n in _by_name(rest, STATUS_NAMES) if _is_status(head[n])), None)
    latency = next((n for n in _by_name(rest, LATENCY_NAMES) if _is_number(head[n])), None)
    used = {time, severity, status, latency}
    numeric = tuple(n for n in rest if n not in used and _is_number(head[n]))
    text = [n for n in rest if n not in used and is_text(head[n]) and _content(head[n]) is None]
    labels = tuple(n for n in text if _is_label(head[n]))
    named = _by_name(text, MESSAGE_NAMES)
    prose = [n for n in text if n not in labels]
    message = named[0] if named else (max(prose, key=lambda n: _mean_length(head[n])) if prose else None)
    templated = message is not None and _templated(head[message])
    return TableShape(
        rows=rows,
        time=time,
        message=message,
        severity=severity,
        status=status,
        latency=latency,
        numeric=numeric,
        labels=labels,
        templated=templated,
        latency_scale=latency_scale(latency, head[latency]) if latency else 0.001,
        parts=parts,
    )


def table_role(shape: TableShape) -> str:
    """The documented rule: ``metric``, ``log`` or ``timeline``."""
    if shape.severity or shape.status:
        return LOG
    if shape.message is not None and (shape.rows > MAX_TIMELINE_ROWS or shape.templated):
        return LOG
    if shape.time is not None and (shape.numeric or shape.latency) and shape.message is None:
        return METRIC
    return TIMELINE


#: Latency columns written in seconds (nginx's ``request_time``); others say so by a ``_s`` suffix.
SECONDS_NAMES: tuple[str, ...] = ("request_time", "upstream_response_time")


def latency_scale(name: str, column: pa.ChunkedArray) -> float:
    """1.0 when a latency column holds seconds, 0.001 when milliseconds.

    A name decides (``*_ms`` milliseconds; ``*_s``, ``*_sec``, ``*_seconds`` and nginx's names seconds);
    otherwise the sample's median: below 10 reads as seconds (``0.186``), above as milliseconds (``186``).
    """
    key = _norm(name)
    if key.endswith(("_ms", "_millis", "_milliseconds")):
        return 0.001
    if key in SECONDS_NAMES or key.endswith(("_s", "_sec", "_secs", "_seconds")):
        return 1.0
    numbers = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    numbers = numbers[np.isfinite(numbers)]
    return 1.0 if len(numbers) and float(np.median(numbers)) < 10 else 0.001


def estimated_rows(source: Source, sampled: int) -> int:
    """Rows in the whole table: the sample's, scaled by the file's size over the sample's."""
    head = len(source.head.encode("utf-8"))
    path = source.path
    size = path.stat().st_size if path is not None else len(source.data)
    if size <= head + 1 or not head:
        return sampled
    return int(sampled * size / head)


def _values(column: pa.ChunkedArray) -> list[str]:
    return [v.strip() for v in column.cast(pa.string()).to_pylist() if v is not None and v.strip()]


def _is_severity(column: pa.ChunkedArray) -> bool:
    """Level names (or pino / syslog numbers) in at least 80% of the sampled values."""
    if pa.types.is_integer(column.type):
        numbers = column.to_numpy()
        return bool(len(numbers)) and bool(
            np.isin(numbers, [10, 20, 30, 40, 50, 60, *range(8)]).mean() >= 0.8
        )
    values = _values(column)
    if not values:
        return False
    codes = sev.from_text(pa.array(values, type=pa.large_string()))
    return bool((codes != UNKNOWN).mean() >= 0.8)


def _is_status(column: pa.ChunkedArray) -> bool:
    """HTTP status codes (100-599) in at least 90% of the sampled values."""
    if not pa.types.is_integer(column.type):
        return False
    numbers = column.to_numpy(zero_copy_only=False)
    return bool(len(numbers)) and bool(((numbers >= 100) & (numbers < 600)).mean() >= 0.9)


def _is_number(column: pa.ChunkedArray) -> bool:
    return bool(pa.types.is_integer(column.type) or pa.types.is_floating(column.type))


def _is_label(column: pa.ChunkedArray) -> bool:
    values = _values(column)
    if not values:
        return True
    distinct = len(set(values))
    return distinct <= max(LABEL_MAX if len(values) >= 2 * LABEL_MAX else 1, LABEL_SHARE * len(values))


def _mean_length(column: pa.ChunkedArray) -> float:
    values = _values(column)
    return float(np.mean([len(v) for v in values])) if values else 0.0


def _templated(column: pa.ChunkedArray) -> bool:
    values = _values(column)
    if len(values) < TEMPLATED_FROM:
        return False
    templates = mask(pa.array(values, type=pa.large_string()))
    return len(pc.unique(templates)) < len(values) / 2


__all__ = [
    "LATENCY_NAMES",
    "MAX_TIMELINE_ROWS",
    "SEVERITY_NAMES",
    "STATUS_NAMES",
    "TableShape",
    "estimated_rows",
    "table_role",
    "table_shape",
]
