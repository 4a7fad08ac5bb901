"""Datadog metric queries, ``GET /api/v1/query``: ``{"status": "ok", "series": [...], "from_date", ...}``.

Each series has a ``pointlist`` of ``[epoch milliseconds, value]`` pairs (the value may be null: no data
in that interval), the ``metric``, its ``scope`` (``service:checkout,env:prod``, or ``*``), the
``expression`` and a ``unit``: a list of a unit and a per-unit (``[{"short_name": "req"}, {"short_name":
"s"}]`` is ``req/s``), either of which may be null, or null altogether. A series is named by its metric
and, when the series differ in scope, the scope: ``trace.http.request.errors{service:checkout}``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import metric_format
from ..telemetry.model import Series
from ..timeparse import epoch_to_utc
from . import ImportOptions, register
from ._json import describe, document, shape_error
from ._telemetry import float_values, make_series, nanos

NAME = "datadog_metrics"
EXPECTED = "Datadog metric query results (/api/v1/query): {'series': [{'pointlist': ...}], ...}"
#: Datadog unit names shown the way the other exports show them.
UNIT_NAMES: dict[str, str] = {"percent": "%", "millisecond": "ms", "second": "s", "microsecond": "µs"}


def _series(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("series"), list):
        series: list[Any] = doc["series"]
        return series
    return None


def sniff(source: Source) -> int:
    """95 for a query response whose series have a ``pointlist``."""
    series = _series(source.json)
    if series is None:
        return 0
    doc = source.json
    if not series:
        return 60 if "from_date" in doc or doc.get("res_type") == "time_series" else 0
    return 95 if all(isinstance(s, dict) and "pointlist" in s for s in series[:20]) else 0


def unit_of(unit: Any) -> str:
    """``[{"short_name": "req"}, {"short_name": "s"}]`` as ``req/s``; ``""`` when there is none.

    >>> unit_of([{"name": "percent", "short_name": "%"}, None]), unit_of(None)
    ('%', '')
    """
    if not isinstance(unit, list) or not unit:
        return ""
    names = [_unit_name(u) for u in unit[:2]]
    if not names[0]:
        return f"/{names[1]}" if len(names) > 1 and names[1] else ""
    return f"{names[0]}/{names[1]}" if len(names) > 1 and names[1] else names[0]


def _unit_name(unit: Any) -> str:
    if not isinstance(unit, dict):
        return ""
    name = str(unit.get("name") or "")
    return UNIT_NAMES.get(name) or str(unit.get("short_name") or name)


def read_datadog_metrics(source: Source, options: ImportOptions) -> list[Series]:
    """The query's series."""
    doc = document(source, format=NAME, expected=EXPECTED)
    series = _series(doc)
    if series is None:
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    if doc.get("status") not in (None, "ok"):
        raise InputError(
            f"the query failed: {doc.get('error') or doc.get('status')}",
            file=source.name,
            hint="run the query again and export a successful response",
        )
    scopes = {str(s.get("scope", "")) for s in series if isinstance(s, dict)}
    out = [_one(s, number, source=source, scoped=len(scopes) > 1) for number, s in enumerate(series, start=1)]
    return out


def _one(item: Any, number: int, *, source: Source, scoped: bool) -> Series:
    points = item.get("pointlist") if isinstance(item, dict) else None
    if not isinstance(points, list) or not all(isinstance(p, list) and len(p) == 2 for p in points):
        raise InputError(
            f"series {number} has no pointlist of [time, value] pairs (found {describe(item)})",
            file=source.name,
            line=number,
            hint="pass the output of /api/v1/query as it is",
        )
    metric = str(
        item.get("metric") or item.get("display_name") or item.get("expression") or f"series {number}"
    )
    scope = str(item.get("scope") or "")
    name = f"{metric}{{{scope}}}" if scoped and scope and scope != "*" else metric
    millis, _ = float_values([p[0] for p in points])
    keep = ~np.isnan(millis)
    times, _ = epoch_to_utc(np.round(millis[keep]).astype(np.int64))
    values, infinite = float_values([p[1] for p in points])
    values = values[keep]
    missing = int(np.isnan(values).sum()) - infinite
    warnings = [f"{name}: {missing} interval(s) without data"] if missing else []
    labels = dict(pair.split(":", 1) for pair in scope.split(",") if ":" in pair)
    return make_series(
        name=name,
        source=source,
        unit=unit_of(item.get("unit")),
        times=nanos(times),
        values=values,
        labels=labels,
        warnings=warnings,
    )


IMPORTER = register(
    metric_format(
        NAME, "Datadog metric query results (/api/v1/query)", sniff=sniff, read=read_datadog_metrics
    )
)

__all__ = ["IMPORTER", "read_datadog_metrics", "sniff", "unit_of"]
