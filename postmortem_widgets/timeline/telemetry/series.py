"""Series helpers: the bin size a span calls for, re-binning, points for JSON, values as people read them.

A log's bins adapt to its span: the smallest of the nice steps (10 s, 15 s, 30 s, 1, 2, 5, 10, 15, 30 min,
1 h, ...) that keeps the span within :data:`MAX_BINS` bins, so a three-hour log gets 30 s bins (360 of
them) and a week 30 min bins. Metric exports keep their own points; the impact finder re-bins every
series onto the same kind of grid (:func:`regular`).

>>> nice_step(3 * 3600 * SECOND) // SECOND, nice_step(3600 * SECOND) // SECOND
(30, 10)
>>> format_value(0.001, "ratio"), format_value(0.3, "ratio"), format_value(186.4, "ms")
('0.1%', '30%', '186 ms')
>>> format_value(1234, "/min"), format_value(1.94, "s")
('1,234/min', '1.9 s')
"""

from __future__ import annotations

import math

import numpy as np

from ..events import ImportResult, empty_events
from .model import METRIC, Series

SECOND = 1_000_000_000
#: Bin sizes to choose from (seconds), smallest first.
NICE_STEPS: tuple[int, ...] = (
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    2 * 3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
)
#: A span gets the smallest nice step that keeps it within this many bins (so 150-400 for most spans).
MAX_BINS = 400
#: Points per series in the JSON contract; longer series are averaged down to this.
MAX_POINTS = 500


def nice_step(span_ns: int) -> int:
    """The bin size (ns) for a span: the smallest nice step giving at most :data:`MAX_BINS` bins."""
    for step in NICE_STEPS:
        if span_ns <= step * SECOND * MAX_BINS:
            return step * SECOND
    return NICE_STEPS[-1] * SECOND * math.ceil(span_ns / (NICE_STEPS[-1] * SECOND * MAX_BINS))


def _nice_at_least(spacing_ns: int) -> int:
    """The smallest nice step not below ``spacing_ns``."""
    for step in NICE_STEPS:
        if step * SECOND >= spacing_ns:
            return step * SECOND
    return NICE_STEPS[-1] * SECOND


def bin_edges(first_ns: int, last_ns: int, step_ns: int) -> tuple[int, int]:
    """The first bin's start (``first_ns`` floored to the step) and how many bins reach ``last_ns``."""
    origin = first_ns - first_ns % step_ns
    return origin, int((last_ns - origin) // step_ns) + 1


def regular(series: Series, step_ns: int | None = None) -> Series:
    """The series on a regular grid of ``step_ns``, each bin the mean of its points; empty bins are NaN.

    The default step is the span's nice step, or the series' own spacing (its median, rounded up to a nice
    step) when that is coarser: a one-minute metric is not cut into half-empty 30 s bins. A series
    already on that grid comes back unchanged.
    """
    if len(series) < 2:
        return series
    times = np.asarray(series.times, dtype=np.int64)
    step = step_ns or max(
        nice_step(int(times[-1] - times[0])), _nice_at_least(int(np.median(np.diff(times))))
    )
    origin, count = bin_edges(int(times[0]), int(times[-1]), step)
    index = (times - origin) // step
    if len(index) == count and (index == np.arange(count)).all() and (times % step == 0).all():
        return series
    values = np.asarray(series.values, dtype=np.float64)
    finite = np.isfinite(values)
    sums = np.bincount(index[finite], weights=values[finite], minlength=count)
    counts = np.bincount(index[finite], minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    grid = origin + np.arange(count, dtype=np.int64) * step
    return Series(series.name, series.source, series.unit, grid, means, series.kind)


def downsample(series: Series, max_points: int = MAX_POINTS) -> Series:
    """At most ``max_points`` points: runs of neighbours averaged (NaN-aware), each at its first time."""
    n = len(series)
    if n <= max_points:
        return series
    group = -(-n // max_points)
    starts = np.arange(0, n, group)
    values = np.asarray(series.values, dtype=np.float64)
    finite = np.isfinite(values)
    sums = np.add.reduceat(np.where(finite, values, 0.0), starts)
    counts = np.add.reduceat(finite.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return Series(series.name, series.source, series.unit, series.times[starts], means, series.kind)


def points(series: Series, max_points: int = MAX_POINTS) -> list[list[object]]:
    """``[[iso_utc, value or None], ...]`` for JSON, at most ``max_points`` of them."""
    small = downsample(series, max_points)
    stamps = np.datetime_as_string(np.asarray(small.times, dtype=np.int64).astype("datetime64[ns]"), unit="s")
    return [
        [f"{stamp}Z", round(float(value), 6) if math.isfinite(value) else None]
        for stamp, value in zip(
            stamps.tolist(), np.asarray(small.values, dtype=np.float64).tolist(), strict=True
        )
    ]


def summary(series: Series) -> tuple[float, float, float] | None:
    """Minimum, median and maximum of the finite values; ``None`` when there are none."""
    values = np.asarray(series.values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    return float(values.min()), float(np.median(values)), float(values.max())


def _significant(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant figures, without a trailing ``.0`` and with thousands commas."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(value, decimals)
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float, unit: str) -> str:
    """A value as evidence shows it: ``0.1%`` for a ratio, ``186 ms``, ``1.9 s``, ``1,234/min``, ``42 %``."""
    if unit == "ratio":
        return f"{_significant(value * 100)}%"
    if unit == "%":
        return f"{_significant(value)}%"
    if unit in ("ms", "s"):
        if unit == "ms" and abs(value) >= 10_000:
            return f"{_significant(value / 1000)} s"
        return f"{_significant(value, 3) if abs(value) >= 100 else _significant(value)} {unit}"
    number = f"{value:,.0f}" if abs(value) >= 100 else _significant(value)
    if unit.startswith("/"):
        return f"{number}{unit}"
    return f"{number} {unit}".rstrip()


def metric_result(series: list[Series], *, file: str, format: str) -> ImportResult:
    """The import result of a metric export: its series and no events."""
    kept = [s for s in series if len(s)]
    warnings = [] if kept else ["no data points in the export"]
    return ImportResult(
        file=file,
        format=format,
        events=empty_events(),
        warnings=warnings,
        role=METRIC,
        series=kept,
        rows=sum(len(s) for s in kept),
    )


__all__ = [
    "MAX_BINS",
    "MAX_POINTS",
    "NICE_STEPS",
    "SECOND",
    "bin_edges",
    "downsample",
    "format_value",
    "metric_result",
    "nice_step",
    "points",
    "regular",
    "summary",
]
