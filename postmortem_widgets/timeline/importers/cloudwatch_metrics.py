"""CloudWatch ``aws cloudwatch get-metric-data`` results: ``{"MetricDataResults": [...], "Messages": []}``.

Each result has the query's ``Id``, a ``Label`` (the series' name), ``Timestamps`` (ISO 8601, newest first
by default) and ``Values`` in the same order, and a ``StatusCode``: ``Complete``, or ``PartialData`` when
more points follow with the ``NextToken`` (said as a warning), or ``InternalError`` / ``Forbidden``. The
response carries no unit (the query chose one), so the unit is left empty; what a series measures comes
from its label (``5XXError``, ``TargetResponseTime``, ``CPUUtilization`` ...).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import metric_format
from ..telemetry.model import Series
from . import ImportOptions, register
from ._json import describe, document, shape_error
from ._telemetry import float_values, make_series, parse_nanos

NAME = "cloudwatch_metrics"
EXPECTED = "CloudWatch get-metric-data results: {'MetricDataResults': [{'Label', 'Timestamps', 'Values'}]}"


def _results(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("MetricDataResults"), list):
        results: list[Any] = doc["MetricDataResults"]
        return results
    return None


def sniff(source: Source) -> int:
    """95 for a ``get-metric-data`` response."""
    results = _results(source.json)
    if results is None:
        return 0
    return 95 if all(isinstance(r, dict) and "Timestamps" in r for r in results[:20]) else 0


def read_metric_data(source: Source, options: ImportOptions) -> list[Series]:
    """The response's series, each in time order."""
    doc = document(source, format=NAME, expected=EXPECTED)
    results = _results(doc)
    if results is None:
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    file_notes = _file_warnings(doc)
    out = []
    for number, result in enumerate(results, start=1):
        series = _one(result, number, source=source, notes=file_notes if number == 1 else [])
        out.append(series)
    return out


def _file_warnings(doc: dict[str, Any]) -> list[str]:
    notes = []
    if doc.get("NextToken"):
        notes.append("the response has a NextToken: later data points are missing")
    for message in doc.get("Messages") or []:
        if isinstance(message, dict):
            notes.append(f"CloudWatch says {message.get('Code')}: {message.get('Value')}")
    return notes


def _one(result: Any, number: int, *, source: Source, notes: list[str]) -> Series:
    stamps = result.get("Timestamps") if isinstance(result, dict) else None
    values = result.get("Values") if isinstance(result, dict) else None
    if not isinstance(stamps, list) or not isinstance(values, list) or len(stamps) != len(values):
        raise InputError(
            f"result {number} has no Timestamps and Values of the same length (found {describe(result)})",
            file=source.name,
            line=number,
            hint="pass the output of aws cloudwatch get-metric-data as it is",
        )
    name = str(result.get("Label") or result.get("Id") or f"result {number}")
    lines = np.full(len(stamps), number, dtype=np.int64)
    times, warnings = parse_nanos(stamps, tz=None, file=source.name, column="Timestamps", lines=lines)
    numbers, _ = float_values(values)
    status = result.get("StatusCode")
    if status not in (None, "Complete"):
        warnings.append(f"{name}: StatusCode is {status!r}, so the data may be incomplete")
    for message in result.get("Messages") or []:
        if isinstance(message, dict):
            warnings.append(f"{name}: CloudWatch says {message.get('Code')}: {message.get('Value')}")
    return make_series(
        name=name,
        source=source,
        unit="",
        times=times,
        values=numbers,
        labels={"id": str(result.get("Id", ""))},
        warnings=[*notes, *warnings],
    )


IMPORTER = register(
    metric_format(NAME, "AWS CloudWatch get-metric-data results", sniff=sniff, read=read_metric_data)
)

__all__ = ["IMPORTER", "read_metric_data", "sniff"]
