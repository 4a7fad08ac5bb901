"""The impact window: where a signal left its baseline and where it came back, as evidence a person can check.

For each series, on a regular grid (:func:`~.series.regular`):

1. **The change**: the stretch of bins that differs most from the rest, by ranks (the "epidemic" change:
   one window that is up, or down, against everything around it). Ranks make it robust to outliers and
   to the scale of the signal. Signals that are worse when higher (error ratios and rates, 5xx share,
   latency, saturation) are searched upwards only; a request rate or a generic metric either way (a
   request rate that collapses is an outage too).
2. **The baseline**: median and MAD of the period *before* the change; when the change begins within a
   few bins of the start of the data (the incident was already on), the period after it. Either needs
   :data:`MIN_BASELINE` bins.
3. **Thresholds**: a breach is more than ``max(4 noise, 25% of the shift)`` from the baseline, a return
   within ``max(3 noise, 3% of the shift)`` of it, where noise is the baseline's MAD (scaled to a standard
   deviation; its mean absolute deviation when most bins are equal, as a rare error count is).
4. **The window** begins at the first bin of the sustained breach (``SUSTAIN`` bins in a row, at least a
   minute) that holds the change, and ends at the first bin of the sustained return after it (``None``
   when the signal never comes back in the data).
5. **A real change** only: the shift is at least 6 noise and 20% of the baseline, and the window's bins
   are separated from the baseline's (rank separation of at least 0.8, 1.0 meaning every bin in the
   window is beyond every baseline bin).

Signals compete on ``score = min(shift / noise, 100) x separation``, in tens: past 90 (a shift of 90
noise, cleanly separated) every change is plain to see, so ties go to the signal that says most about
customers (:data:`PRIORITY`: error ratio first), then to the first input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..timeparse import resolve_zone, zone_label
from .model import Impact, Series
from .series import SECOND, format_value, regular

#: Series kinds that are worse when higher: searched upwards only.
UPWARD: frozenset[str] = frozenset({"error_ratio", "error_rate", "status_ratio", "latency", "saturation"})
#: Which signal wins a tie of scores, first best.
PRIORITY: tuple[str, ...] = (
    "error_ratio",
    "status_ratio",
    "latency",
    "error_rate",
    "saturation",
    "request_rate",
    "metric",
)
#: Bins in a row that make a breach or a return sustained (at least a minute's worth of bins).
SUSTAIN = 3
SUSTAIN_NS = 60 * SECOND
#: What counts as a real change.
MIN_Z = 6.0
MIN_RELATIVE = 0.2
MIN_SEPARATION = 0.8
Z_CAP = 100.0
#: Series with fewer usable bins than this are not searched; a baseline needs this many bins.
MIN_BINS = 12
MIN_BASELINE = 6


@dataclass(frozen=True)
class _Change:
    """The window the ranks point at (bin positions, end exclusive) and its direction (+1 up, -1 down)."""

    start: int
    stop: int
    sign: int


def find_impact(series: Series, *, tz: str | None = None) -> Impact | None:
    """The impact window of one series, or ``None`` when it shows no clear change."""
    grid = regular(series)
    values = np.asarray(grid.values, dtype=np.float64)
    times = np.asarray(grid.times, dtype=np.int64)
    if np.isfinite(values).sum() < MIN_BINS or len(values) < MIN_BINS:
        return None
    step = int(times[1] - times[0])
    sustain = max(SUSTAIN, math.ceil(SUSTAIN_NS / step))
    change = _window(values, series.kind, sustain)
    if change is None:
        return None
    return _measure(grid, values, times, change, sustain, tz)


def _window(values: np.ndarray, kind: str, sustain: int) -> _Change | None:
    """The window whose ranks stand out most from the rest (at least ``sustain`` bins in and out)."""
    finite = np.flatnonzero(np.isfinite(values))
    ranks = pd.Series(values[finite]).rank(method="average").to_numpy()
    n = len(ranks)
    prefix = np.concatenate(([0.0], np.cumsum(ranks - ranks.mean())))
    lengths = np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None]  # stop - start
    usable = (lengths >= sustain) & (n - lengths >= sustain)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = (prefix[None, :] - prefix[:, None]) / np.sqrt(lengths * (n - lengths) / n)
    stat = np.where(usable, stat, 0.0)
    if kind in UPWARD:
        stat = np.maximum(stat, 0.0)
    flat = int(np.abs(stat).argmax())
    start, stop = divmod(flat, n + 1)
    if stat[start, stop] == 0:
        return None
    sign = 1 if stat[start, stop] > 0 else -1
    return _Change(start=int(finite[start]), stop=int(finite[stop - 1]) + 1, sign=sign)


def _baseline(values: np.ndarray, change: _Change, sustain: int) -> tuple[np.ndarray, bool] | None:
    """The baseline bins (finite) and whether they come from after the change (it began with the data).

    ``None`` when neither side has :data:`MIN_BASELINE` bins: a few bins say nothing about the noise.
    """
    need = max(sustain, MIN_BASELINE)
    before = values[: change.start]
    before = before[np.isfinite(before)]
    if len(before) >= need:
        return before, False
    after = values[change.stop :]
    after = after[np.isfinite(after)]
    if len(after) >= need:
        return after, True
    return None


def _noise(base: np.ndarray, median: float) -> tuple[float, float]:
    """The baseline's noise (a standard deviation's worth) and its typical value, as evidence states it.

    Both are the MAD and the median, unless most bins are equal (a rare error count: the median bin has
    none): then the mean absolute deviation and the mean, so a 0.1% baseline reads 0.1%, not 0%.
    """
    deviation = np.abs(base - median)
    mad = float(np.median(deviation)) * 1.4826
    if mad > 0:
        return mad, median
    return max(float(deviation.mean()) * 1.2533, abs(median) * 1e-6, 1e-12), float(base.mean())


def _separation(window: np.ndarray, base: np.ndarray, sign: int) -> float:
    """How cleanly the window's bins lie beyond the baseline's: 2 x AUC - 1 (1.0: every one of them)."""
    ranks = pd.Series(np.concatenate([window, base])).rank(method="average").to_numpy()
    u = ranks[: len(window)].sum() - len(window) * (len(window) + 1) / 2
    auc = u / (len(window) * len(base))
    return float(sign * (2 * auc - 1))


def _sustained(mask: np.ndarray, start: int, sustain: int) -> int | None:
    """The first position at or after ``start`` where ``mask`` holds for ``sustain`` positions in a row."""
    if len(mask) - start < sustain:
        return None
    runs = np.lib.stride_tricks.sliding_window_view(mask[start:], sustain).all(axis=1)
    hit = np.flatnonzero(runs)
    return start + int(hit[0]) if len(hit) else None


def _measure(
    grid: Series, values: np.ndarray, times: np.ndarray, change: _Change, sustain: int, tz: str | None
) -> Impact | None:
    baseline = _baseline(values, change, sustain)
    if baseline is None:
        return None
    base, after = baseline
    median = float(np.median(base))
    noise, typical = _noise(base, median)
    window = values[change.start : change.stop]
    window = window[np.isfinite(window)]
    shift = float(np.median(window)) - median
    sign = change.sign
    relative = abs(shift) / abs(median) if median else math.inf
    if shift * sign <= 0 or abs(shift) / noise < MIN_Z or relative < MIN_RELATIVE:
        return None
    separation = _separation(window, base, sign)
    if separation < MIN_SEPARATION:
        return None
    breach_at = median + sign * max(4 * noise, 0.25 * abs(shift))
    return_at = median + sign * max(3 * noise, 0.03 * abs(shift))
    filled = pd.Series(values).ffill().fillna(median).to_numpy()
    breach = sign * (filled - breach_at) > 0
    began = change.start
    while began > 0 and breach[began - 1]:
        began -= 1
    if not breach[began : began + sustain].all():
        found = _sustained(breach, began, sustain)
        if found is None or found >= change.stop:
            return None
        began = found
    ended = _sustained(sign * (filled - return_at) <= 0, began + 1, sustain)
    inside = values[began : ended if ended is not None else len(values)]
    peak = float(np.nanmax(inside) if sign > 0 else np.nanmin(inside))
    level = median + shift
    began_ns = int(times[began])
    ended_ns = int(times[ended]) if ended is not None else None
    evidence = _evidence(
        grid, typical, level, return_at, began_ns, ended_ns, int(times[-1]), sign, at_start=after, tz=tz
    )
    return Impact(
        signal=grid.name,
        source=grid.source,
        unit=grid.unit,
        began=began_ns,
        ended=ended_ns,
        baseline=typical,
        peak=peak,
        threshold=return_at,
        evidence=evidence,
        score=min(abs(shift) / noise, Z_CAP) * separation,
        step=int(times[1] - times[0]),
    )


def clock(ns: int, tz: str | None = None) -> str:
    """``14:00 UTC`` (``14:00:30`` when the seconds matter), in ``tz`` when given (``09:00 ET``)."""
    ts = pd.Timestamp(ns, tz="UTC")
    label = "UTC"
    if tz:
        zone = resolve_zone(tz)
        ts, label = ts.tz_convert(zone), zone_label(zone, ts)
    shown = ts.strftime("%H:%M:%S" if ts.second else "%H:%M")
    return f"{shown} {label}"


def _evidence(
    series: Series,
    baseline: float,
    level: float,
    threshold: float,
    began: int,
    ended: int | None,
    last: int,
    sign: int,
    *,
    at_start: bool,
    tz: str | None,
) -> str:
    """``error ratio 0.1% -> 30% at 14:00 UTC; back under 0.53% at 14:52 UTC``."""
    unit = series.unit

    def show(value: float) -> str:
        return format_value(value, unit)

    if at_start:
        first = (
            f"{series.name} already {show(level)} at {clock(began, tz)}, the start of the data "
            f"(baseline {show(baseline)} after)"
        )
    else:
        first = f"{series.name} {show(baseline)} -> {show(level)} at {clock(began, tz)}"
    way = "under" if sign > 0 else "above"
    if ended is None:
        return f"{first}; not back {way} {show(threshold)} by {clock(last, tz)}, the end of the data"
    return f"{first}; back {way} {show(threshold)} at {clock(ended, tz)}"


def find_impacts(series: list[Series], *, tz: str | None = None) -> list[Impact]:
    """Every series' impact window, the clearest first (ties by :data:`PRIORITY`, then input order)."""
    found: list[tuple[int, int, int, Impact]] = []
    for order, one in enumerate(series):
        impact = find_impact(one, tz=tz)
        if impact is not None:
            rank = PRIORITY.index(one.kind) if one.kind in PRIORITY else len(PRIORITY)
            found.append((-min(int(impact.score // 10), 9), rank, order, impact))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found]


__all__ = ["MIN_BINS", "PRIORITY", "SUSTAIN", "UPWARD", "clock", "find_impact", "find_impacts"]
