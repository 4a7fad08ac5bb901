"""Prometheus HTTP API query results: ``query_range`` (a matrix) and ``query`` (a vector or a scalar).

``{"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {"__name__": "up", "job":
"api"}, "values": [[1716099000, "1"], [1716099015.5, "0"]]}]}}``; an instant ``query`` gives ``"vector"``
with one ``"value"`` pair per series (``"scalar"``: one pair). Times are Unix seconds with millisecond
precision (read to the millisecond); values are strings, ``"NaN"`` and ``"+Inf"`` included (infinite
values are left out, and said so). Loki's metric queries answer in the same shape.

Each series is named by its ``__name__`` (or the file's name for an expression that dropped it) and the
labels that tell it apart from the others: ``http_requests_total{code=500}``. The unit comes from the
metric name's suffix (``_seconds``, ``_bytes``, ``_ratio``, ``_percent``); what it measures from its name.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import numpy as np

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import metric_format
from ..telemetry.model import Series
from ..timeparse import epoch_to_utc
from . import ImportOptions, register
from ._json import describe, dig, document, shape_error
from ._telemetry import float_values, make_series, nanos, series_names

NAME = "prometheus"
EXPECTED = "Prometheus query results: {'data': {'resultType': 'matrix' or 'vector', 'result': [...]}}"
KINDS = ("matrix", "vector", "scalar")
#: Metric-name suffixes and the unit they mean (Prometheus naming conventions).
UNITS: tuple[tuple[str, str], ...] = (
    ("_milliseconds", "ms"),
    ("_ms", "ms"),
    ("_seconds", "s"),
    ("_bytes", "bytes"),
    ("_ratio", "ratio"),
    ("_percent", "%"),
)


def _data(doc: Any) -> tuple[str, Any] | None:
    kind = dig(doc, "data.resultType")
    return (kind, doc["data"].get("result")) if kind in KINDS else None


def sniff(source: Source) -> int:
    """95 for a query result of a matrix, a vector or a scalar."""
    doc = source.json
    found = _data(doc)
    if found is None:  # a failed query's answer: claimed, so that reading it says why it failed
        return 50 if isinstance(doc, dict) and doc.get("status") == "error" and "errorType" in doc else 0
    kind, result = found
    if kind == "scalar":
        return 90 if isinstance(result, list) and len(result) == 2 else 0
    return (
        95
        if isinstance(result, list) and all(isinstance(r, dict) and "metric" in r for r in result[:20])
        else 0
    )


def unit_of(name: str) -> str:
    """The unit a metric name says (``request_duration_seconds`` is in seconds), ``""`` when it does not."""
    base = name.removesuffix("_total").removesuffix("_sum").removesuffix("_count").removesuffix("_bucket")
    return next((unit for suffix, unit in UNITS if base.endswith(suffix)), "")


def read_prometheus(source: Source, options: ImportOptions) -> list[Series]:
    """The result's series."""
    doc = document(source, format=NAME, expected=EXPECTED)
    if isinstance(doc, dict) and doc.get("status") == "error":
        raise InputError(
            f"the query failed: {doc.get('errorType', 'error')}: {doc.get('error', '')}".rstrip(": "),
            file=source.name,
            hint="run the query again and export a successful response",
        )
    found = _data(doc)
    if found is None:
        kind = dig(doc, "data.resultType")
        shown = f"a {kind!r} result (Loki streams: use --format loki)" if kind == "streams" else describe(doc)
        raise shape_error(source, found=shown, format=NAME, expected=EXPECTED)
    kind, result = found
    items = [{"metric": {}, "value": result}] if kind == "scalar" else result
    if not isinstance(items, list):
        raise shape_error(source, found=describe(result), format=NAME, expected=EXPECTED)
    labels = [_labels(item, number, source=source) for number, item in enumerate(items, start=1)]
    names = series_names(
        [lab.get("__name__", "") for lab in labels],
        [{k: v for k, v in lab.items() if k != "__name__"} for lab in labels],
        fallback=PurePath(source.name).stem,
    )
    out = []
    for number, (item, name, own) in enumerate(zip(items, names, labels, strict=True), start=1):
        samples = item.get("values") if kind == "matrix" else [item.get("value")]
        out.append(_series(samples, name=name, labels=own, number=number, source=source))
    return out


def _labels(item: Any, number: int, *, source: Source) -> dict[str, str]:
    metric = item.get("metric") if isinstance(item, dict) else None
    if not isinstance(metric, dict):
        raise InputError(
            f"series {number} is {describe(item)}, not an object with 'metric' labels",
            file=source.name,
            line=number,
            hint="pass the output of /api/v1/query_range or /api/v1/query as it is",
        )
    return {str(k): str(v) for k, v in metric.items()}


def _series(samples: Any, *, name: str, labels: dict[str, str], number: int, source: Source) -> Series:
    if not isinstance(samples, list) or not all(isinstance(s, list) and len(s) == 2 for s in samples):
        raise InputError(
            f"series {number} ({name}) has samples that are not [time, value] pairs",
            file=source.name,
            line=number,
            hint="pass the output of /api/v1/query_range or /api/v1/query as it is",
        )
    seconds, _ = float_values([s[0] for s in samples])
    if np.isnan(seconds).any():
        bad = int(np.flatnonzero(np.isnan(seconds))[0])
        raise InputError(
            f"series {number} ({name}) has a sample time that is not a number: {samples[bad][0]!r}",
            file=source.name,
            line=number,
        )
    times, _ = epoch_to_utc(np.round(seconds * 1000).astype(np.int64))
    values, infinite = float_values([s[1] for s in samples])
    warnings = [f"{name}: {infinite} infinite value(s) left out"] if infinite else []
    metric = labels.get("__name__", "")
    return make_series(
        name=name,
        source=source,
        unit=unit_of(metric),
        times=nanos(times),
        values=values,
        labels=labels,
        warnings=warnings,
    )


IMPORTER = register(
    metric_format(
        NAME,
        "Prometheus HTTP API query_range / query result (matrix, vector)",
        sniff=sniff,
        read=read_prometheus,
    )
)

__all__ = ["IMPORTER", "read_prometheus", "sniff", "unit_of"]
