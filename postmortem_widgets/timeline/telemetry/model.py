"""The data telemetry importers hand over: log rows in batches, metric series, and the impact window.

Importers of machine logs produce :class:`LogRows` (one batch, or many for a file too large to hold);
importers of metric exports produce :class:`Series`. Everything here is columns (numpy or Arrow), never a
Python object per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

#: What an input is, which decides how its rows are read (see :mod:`.roles`).
INCIDENT, LOG, METRIC, TIMELINE, CHAT, TICKETS = "incident", "log", "metric", "timeline", "chat", "tickets"
ROLES: tuple[str, ...] = (INCIDENT, LOG, METRIC, TIMELINE, CHAT, TICKETS)

#: Severity codes of a log row, from least to most severe; ``UNKNOWN`` when the row says nothing.
SEVERITIES: tuple[str, ...] = ("debug", "info", "warning", "error", "fatal")
DEBUG, INFO, WARNING, ERROR, FATAL = range(5)
UNKNOWN = -1


@dataclass
class LogRows:
    """A batch of log rows as columns, all the same length.

    ``time`` is UTC nanoseconds (``int64``); rows whose time could not be read are left out by the
    importer (with a warning). ``severity`` holds :data:`SEVERITIES` codes (``int8``, ``UNKNOWN`` = -1).
    ``line`` is the 1-based line (or record) of each row in its file, for traceability. ``status`` (HTTP
    status, ``int16``, 0 when absent) and ``latency`` (seconds, ``float64``, NaN when absent) exist only
    when the format has them. ``labels`` are per-row names (host, service, unit, stream) that help name a
    series or an event; they never reach a customer unless the author keeps them.

    ``count`` (``int64``, only for formats that fold repeats into one row, such as Kubernetes events with
    their ``count``) says how many occurrences a row stands for; ``None`` means one each. ``warnings`` are
    what the reader has to tell the user about the rows it read so far (lines it skipped, and why): a
    reader may yield a last, empty batch only to carry them.
    """

    time: np.ndarray
    severity: np.ndarray
    message: pa.Array | pa.ChunkedArray
    line: np.ndarray
    status: np.ndarray | None = None
    latency: np.ndarray | None = None
    labels: dict[str, pa.Array | pa.ChunkedArray] = field(default_factory=dict)
    count: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.time)


@dataclass(frozen=True)
class Series:
    """One signal over time: ``times`` (UTC ns, ascending, ``int64``) and ``values`` (``float64``).

    ``kind`` says what it measures and so which way is worse: ``error_ratio``, ``error_rate``,
    ``status_ratio`` (5xx share), ``latency`` and ``saturation`` are worse when higher; ``request_rate``
    and a generic ``metric`` may break either way. ``unit`` is shown with values: ``ratio`` (shown as a
    percentage), ``%``, ``ms``, ``s``, ``/min``, ``/s`` or the export's own unit (``""`` when the export
    does not say). ``labels`` are the series' own labels (Prometheus labels, a Datadog scope, a facet);
    ``warnings`` what the reader has to tell the user about this series (null values skipped, partial
    data), or, on a file's first series, about the whole export (more pages follow).
    """

    name: str
    source: str
    unit: str
    times: np.ndarray
    values: np.ndarray
    kind: str = "metric"
    labels: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.times)


@dataclass(frozen=True)
class Impact:
    """Where the clearest signal left its baseline and came back, stated as evidence a person can check.

    ``began``/``ended`` are UTC nanoseconds (``ended`` is ``None`` while the signal never recovered in
    the data). ``baseline`` and ``peak`` are in the signal's unit. ``evidence`` reads like
    ``error ratio 0.1% -> 30% at 14:00 UTC; back under 0.5% at 14:52``.
    """

    signal: str
    source: str
    unit: str
    began: int
    ended: int | None
    baseline: float
    peak: float
    threshold: float
    evidence: str
    #: How clear the change is (robust z-score of the peak against the baseline): signals compete on it.
    score: float = 0.0
    #: The bin (ns) of the grid the window was found on: how exactly ``began`` and ``ended`` are known.
    step: int = 0


__all__ = [
    "CHAT",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INCIDENT",
    "INFO",
    "LOG",
    "METRIC",
    "ROLES",
    "SEVERITIES",
    "TICKETS",
    "TIMELINE",
    "UNKNOWN",
    "WARNING",
    "Impact",
    "LogRows",
    "Series",
]
