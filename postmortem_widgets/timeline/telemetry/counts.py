"""A log's rows counted as they stream past: per-5-second counts by severity and status class, and latency.

Nothing here keeps a row. Each batch adds, for every 5-second slot it touches, how many rows of each
severity and HTTP status class it holds, and a latency histogram (logarithmic buckets 2% wide, so any
percentile comes back within 1%). The bin size is chosen only at the end, when the span is known; every
nice step (:data:`~.series.NICE_STEPS`) is a whole number of slots, so re-binning is exact.

>>> counts = LogCounts()
>>> t = np.array([0, 1, 6, 7], dtype=np.int64) * SECOND
>>> counts.add(t, np.array([1, 3, 1, 1], dtype=np.int8))
>>> binned = counts.binned(10 * SECOND)
>>> binned.rows.tolist(), binned.severity[3].tolist()  # 3: error
([4], [1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import SEVERITIES, UNKNOWN
from .series import SECOND, bin_edges

#: The counting resolution: every nice step is a multiple of it.
SLOT = 5 * SECOND
#: Severity channels: the codes of :data:`SEVERITIES`, then unknown.
_SEVERITY_CHANNELS = len(SEVERITIES) + 1
#: Status channels: no status, 1xx, 2xx, 3xx, 4xx, 5xx.
_STATUS_CHANNELS = 6
#: Latency buckets: bucket k holds values in (GAMMA**(k-1), GAMMA**k] seconds, k from -_OFFSET.
GAMMA = 1.02
_LOG_GAMMA = float(np.log(GAMMA))
_OFFSET = 700  # GAMMA**-700 is about 1 microsecond
_BUCKETS = 2048
#: Chunks kept before they are folded into one (bounds the memory of a very long, sparse log).
_FOLD_AFTER = 64


@dataclass
class Binned:
    """Counts on the final grid: ``times`` (bin starts, UTC ns), and per bin the channels."""

    times: np.ndarray
    step: int
    rows: np.ndarray
    #: ``severity[code]`` per bin for each code of :data:`SEVERITIES`; ``severity[-1]`` is unknown.
    severity: np.ndarray
    #: ``status[c]`` per bin: c = 0 no status, 1-5 the status class (1xx-5xx).
    status: np.ndarray
    #: Latency percentiles per bin (seconds, NaN where no latency), by percentile.
    latency: dict[int, np.ndarray]


class LogCounts:
    """Counts added batch by batch; :meth:`binned` gives them on a grid of any nice step."""

    def __init__(self) -> None:
        self._slots: list[np.ndarray] = []
        self._severity: list[np.ndarray] = []
        self._status: list[np.ndarray] = []
        self._latency_keys: list[np.ndarray] = []
        self._latency_counts: list[np.ndarray] = []
        self.has_status = False
        self.has_latency = False
        self.first: int | None = None
        self.last: int | None = None

    @property
    def empty(self) -> bool:
        return self.first is None

    def add(
        self,
        times: np.ndarray,
        severity: np.ndarray,
        status: np.ndarray | None = None,
        latency: np.ndarray | None = None,
    ) -> None:
        """Count a batch: ``times`` UTC ns, ``severity`` codes, HTTP ``status`` and ``latency`` (s) if any."""
        if not len(times):
            return
        slot = np.asarray(times, dtype=np.int64) // SLOT
        lo, hi = int(times.min()), int(times.max())
        self.first = lo if self.first is None else min(self.first, lo)
        self.last = hi if self.last is None else max(self.last, hi)
        keys, inverse = _group(slot)
        channel = np.where(severity == UNKNOWN, len(SEVERITIES), severity).astype(np.int64)
        self._slots.append(keys)
        self._severity.append(_table(inverse, channel, len(keys), _SEVERITY_CHANNELS))
        if status is not None and (status > 0).any():
            self.has_status = True
            classes = np.clip(np.asarray(status, dtype=np.int64) // 100, 0, 5)
            classes[np.asarray(status) <= 0] = 0
            self._status.append(_table(inverse, classes, len(keys), _STATUS_CHANNELS))
        else:
            unknown = np.zeros((len(keys), _STATUS_CHANNELS), dtype=np.int32)
            unknown[:, 0] = self._severity[-1].sum(axis=1)  # every row: no status
            self._status.append(unknown)
        if latency is not None:
            self._add_latency(slot, np.asarray(latency, dtype=np.float64))
        if len(self._slots) >= _FOLD_AFTER:
            self._fold()

    def _add_latency(self, slot: np.ndarray, latency: np.ndarray) -> None:
        known = np.isfinite(latency) & (latency >= 0)
        if not known.any():
            return
        self.has_latency = True
        values = latency[known]
        with np.errstate(divide="ignore"):
            bucket = np.ceil(np.log(np.maximum(values, 1e-9)) / _LOG_GAMMA).astype(np.int64) + _OFFSET
        bucket = np.clip(bucket, 0, _BUCKETS - 1)
        keys, counts = np.unique(slot[known] * _BUCKETS + bucket, return_counts=True)
        self._latency_keys.append(keys)
        self._latency_counts.append(counts.astype(np.int64))

    def _fold(self) -> None:
        """Merge the kept chunks into one, summing slots that several batches touched."""
        slots = np.concatenate(self._slots)
        keys, inverse = np.unique(slots, return_inverse=True)
        for name in ("_severity", "_status"):
            stacked = np.concatenate(getattr(self, name))
            folded = np.zeros((len(keys), stacked.shape[1]), dtype=np.int64)
            np.add.at(folded, inverse, stacked)
            setattr(self, name, [folded.astype(np.int32)])
        self._slots = [keys]
        if self._latency_keys:
            lkeys, linverse = np.unique(np.concatenate(self._latency_keys), return_inverse=True)
            self._latency_keys = [lkeys]
            self._latency_counts = [
                np.bincount(linverse, weights=np.concatenate(self._latency_counts)).astype(np.int64)
            ]

    def binned(self, step: int, percentiles: tuple[int, ...] = (50, 95, 99)) -> Binned:
        """Everything counted, on bins of ``step`` ns (a multiple of :data:`SLOT`) from the first one's."""
        if self.first is None or self.last is None:
            raise ValueError("nothing counted")
        origin, count = bin_edges(self.first, self.last, step)
        slots = np.concatenate(self._slots)
        index = (slots * SLOT - origin) // step
        severity = np.zeros((_SEVERITY_CHANNELS, count), dtype=np.int64)
        status = np.zeros((_STATUS_CHANNELS, count), dtype=np.int64)
        for table, target in (
            (np.concatenate(self._severity), severity),
            (np.concatenate(self._status), status),
        ):
            for channel in range(table.shape[1]):
                target[channel] = np.bincount(index, weights=table[:, channel], minlength=count)[:count]
        latency = self._percentiles(origin, step, count, percentiles) if self.has_latency else {}
        times = origin + np.arange(count, dtype=np.int64) * step
        return Binned(
            times=times,
            step=step,
            rows=severity.sum(axis=0),
            severity=severity,
            status=status,
            latency=latency,
        )

    def _percentiles(
        self, origin: int, step: int, count: int, percentiles: tuple[int, ...]
    ) -> dict[int, np.ndarray]:
        keys = np.concatenate(self._latency_keys)
        weights = np.concatenate(self._latency_counts)
        bins = (keys // _BUCKETS * SLOT - origin) // step
        bucket = keys % _BUCKETS
        order = np.lexsort((bucket, bins))
        bins, bucket, weights = bins[order], bucket[order], weights[order]
        cumulative = np.cumsum(weights)
        starts = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]])
        ends = np.r_[starts[1:], len(bins)]
        before = cumulative[starts] - weights[starts]
        total = cumulative[ends - 1] - before
        # A bucket's value: the middle of its range, within 1% of any value in it.
        middle = 2 * GAMMA ** (bucket.astype(np.float64) - _OFFSET) / (1 + GAMMA)
        found: dict[int, np.ndarray] = {}
        for q in percentiles:
            at = np.searchsorted(cumulative, before + np.ceil(total * q / 100), side="left")
            values = np.full(count, np.nan)
            values[bins[starts]] = middle[np.minimum(at, ends - 1)]
            found[q] = values
        return found


def _group(slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct slots and each row's position among them; a sorted batch (the usual log) needs no sort."""
    if len(slot) < 2 or (slot[1:] >= slot[:-1]).all():
        change = np.r_[True, slot[1:] != slot[:-1]]
        return slot[change], np.cumsum(change) - 1
    keys, inverse = np.unique(slot, return_inverse=True)
    return keys, inverse


def _table(inverse: np.ndarray, channel: np.ndarray, slots: int, channels: int) -> np.ndarray:
    """Rows counted per (slot, channel), as a ``slots x channels`` int32 table."""
    flat = np.bincount(inverse * channels + channel, minlength=slots * channels)
    return flat.reshape(slots, channels).astype(np.int32)


__all__ = ["GAMMA", "SLOT", "Binned", "LogCounts"]
