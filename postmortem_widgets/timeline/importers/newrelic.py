"""New Relic NRQL ``TIMESERIES`` results, as NerdGraph returns them (or the ``newrelic nrql query`` CLI).

NerdGraph: ``{"data": {"actor": {"account": {"nrql": {"results": [...]}}}}}`` (a cross-account query:
``data.actor.nrql``); the CLI prints the ``results`` list alone. Each result is one time bucket:
``{"beginTimeSeconds": 1716099000, "endTimeSeconds": 1716099060, "average.duration": 0.41, "count": 812,
"percentile.duration": {"95": 1.83, "99": 3.02}}``; with ``FACET`` each bucket also has ``facet`` (the
value, or a list for several attributes) and the faceted attributes themselves. Every aggregate (each
percentile apart) of every facet is a series, stamped at its bucket's start.

NRQL results carry no unit. Following New Relic's event attributes, ``duration`` is in seconds (a name
with ``.ms`` in milliseconds) and ``percentage(...)`` in percent; other aggregates have no unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import metric_format
from ..telemetry.model import Series
from ..timeparse import epoch_to_utc
from . import ImportOptions, register
from ._json import describe, dig, document, shape_error
from ._telemetry import float_values, make_series, nanos

NAME = "newrelic_nrql"
EXPECTED = "New Relic NRQL TIMESERIES results: {'data': {'actor': {'account': {'nrql': {'results': [...]}}}}}"
PATHS = ("data.actor.account.nrql.results", "data.actor.nrql.results")
BUCKET = ("beginTimeSeconds", "endTimeSeconds")
FACET = "facet"


def _results(doc: Any) -> list[Any] | None:
    for path in PATHS:
        found = dig(doc, path)
        if isinstance(found, list):
            return found
    if isinstance(doc, list) and doc and all(isinstance(r, dict) and BUCKET[0] in r for r in doc[:20]):
        return doc
    return None


def sniff(source: Source) -> int:
    """95 for NerdGraph TIMESERIES results; 85 for the results list alone; 40 for other NRQL results."""
    doc = source.json
    results = _results(doc)
    if results is None:
        return 0
    timeseries = bool(results) and all(isinstance(r, dict) and BUCKET[0] in r for r in results[:20])
    if isinstance(doc, list):
        return 85
    return 95 if timeseries else 40


def read_nrql(source: Source, options: ImportOptions) -> list[Series]:
    """Every aggregate of every facet as a series."""
    doc = document(source, format=NAME, expected=EXPECTED)
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if isinstance(errors, list) and errors:
        first = errors[0].get("message") if isinstance(errors[0], dict) else errors[0]
        raise InputError(
            f"NerdGraph answered with an error: {first}",
            file=source.name,
            hint="fix the NRQL query and export its result again",
        )
    results = _results(doc)
    if results is None:
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    for number, bucket in enumerate(results, start=1):
        if not isinstance(bucket, dict) or BUCKET[0] not in bucket:
            raise InputError(
                f"result {number} has no beginTimeSeconds: not a TIMESERIES result",
                file=source.name,
                line=number,
                hint="add TIMESERIES to the NRQL query (SELECT ... TIMESERIES 1 minute) and export it again",
            )
    columns = _columns(results)
    faceted = any(FACET in b for b in results)
    out = []
    for (aggregate, facet), points in columns.items():
        name = f"{aggregate}{{facet={facet}}}" if faceted else aggregate
        seconds, _ = float_values([t for t, _ in points])
        times, _ = epoch_to_utc(np.round(seconds).astype(np.int64))
        values, _ = float_values([v for _, v in points])
        out.append(
            make_series(
                name=name,
                source=source,
                unit=unit_of(aggregate),
                times=nanos(times),
                values=values,
                labels={FACET: facet} if faceted else {},
            )
        )
    return out


def _columns(results: list[dict[str, Any]]) -> dict[tuple[str, str], list[tuple[Any, Any]]]:
    """(aggregate, facet) -> [(bucket start, value)], in the order first seen."""
    columns: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
    for bucket in results:
        facet = _facet(bucket.get(FACET))
        for aggregate, value in _aggregates(bucket):
            columns.setdefault((aggregate, facet), []).append((bucket[BUCKET[0]], value))
    return columns


def _facet(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _aggregates(bucket: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    """The bucket's aggregates, percentiles one by one (``percentile.duration p95``)."""
    for key, value in bucket.items():
        if key in BUCKET or key == FACET or isinstance(value, str | bool):
            continue  # the bucket, the facet and the faceted attributes' values
        if isinstance(value, dict):
            for inner, number in value.items():
                label = f"p{inner}" if key.startswith("percentile") else inner
                yield f"{key} {label}", number
        else:
            yield key, value


def unit_of(aggregate: str) -> str:
    """The unit New Relic's attributes are in, as far as the aggregate's name says."""
    lowered = aggregate.lower()
    if re.search(r"[._]ms\b|\bms\b", lowered):
        return "ms"
    if "duration" in lowered:
        return "s"
    return "%" if lowered.startswith("percentage") or "%" in lowered else ""


IMPORTER = register(
    metric_format(
        NAME, "New Relic NRQL TIMESERIES results (NerdGraph or the CLI)", sniff=sniff, read=read_nrql
    )
)

__all__ = ["IMPORTER", "read_nrql", "sniff", "unit_of"]
