"""Grafana Loki ``query_range`` (and ``query``) results for a log query: streams of lines.

``{"status": "success", "data": {"resultType": "streams", "result": [{"stream": {"app": "checkout",
"level": "error"}, "values": [["1716099035743210987", "the line"], ...]}, ...]}}``. Each value is an
epoch time in nanoseconds written as a string (read exactly) and the line; newer Loki adds a third item
(structured metadata), which is ignored. Values come newest first; the rows come out oldest first.

The stream's labels become the rows' labels. The severity is the ``level`` (or ``detected_level``,
``severity``, ``lvl``) label when the stream has one, else a level written near the start of the line.
A metric query's result (``matrix``, ``vector``) is a Prometheus-shaped series: read it with the
``prometheus`` importer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from . import ImportOptions, register
from ._json import describe, dig, document, shape_error
from ._telemetry import (
    Skipped,
    either,
    empty_rows,
    level_in_text,
    parse_nanos,
    rows,
    severity_of,
    slices,
    sort_by_time,
    text,
    with_notes,
)

NAME = "loki"
EXPECTED = "Loki query results: {'data': {'resultType': 'streams', 'result': [{'stream', 'values'}]}}"
LEVEL_LABELS: tuple[str, ...] = ("level", "detected_level", "severity", "lvl", "log_level")


def _streams(doc: Any) -> list[Any] | None:
    if dig(doc, "data.resultType") != "streams" or not isinstance(dig(doc, "data.result"), list):
        return None
    result: list[Any] = doc["data"]["result"]
    return result


def sniff(source: Source) -> int:
    """95 for a Loki result of ``streams``."""
    streams = _streams(source.json)
    if streams is None:
        return 0
    return 95 if all(isinstance(s, dict) and "values" in s for s in streams[:20]) else 0


def read_loki(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """The streams' lines, oldest first, in batches."""
    doc = document(source, format=NAME, expected=EXPECTED)
    streams = _streams(doc)
    if streams is None:
        kind = dig(doc, "data.resultType")
        found = (
            f"a {kind!r} result: a metric query; read it with --format prometheus" if kind else describe(doc)
        )
        raise shape_error(source, found=found, format=NAME, expected=EXPECTED)
    stamps, lines, labels = _values(streams, source=source)
    if not lines:
        empty = empty_rows()
        empty.warnings.append("the result holds no log lines")
        return iter([empty])
    numbers = np.arange(1, len(lines) + 1, dtype=np.int64)
    time, warnings = parse_nanos(
        pd.Series(stamps, dtype="int64"), tz=None, file=source.name, column="values", lines=numbers
    )
    message = text(lines, one_line=True)
    level = next((name for name in LEVEL_LABELS if name in labels), None)
    severity = level_in_text(message)
    if level is not None:
        severity = either(severity_of(pa.array(labels[level], pa.large_string())), severity)
    skipped = Skipped("without a time")
    batch = rows(
        time=time,
        severity=severity,
        message=message,
        line=numbers,
        labels={name: pa.array(values, pa.large_string()) for name, values in labels.items()},
        skipped=skipped,
    )
    return with_notes(slices(sort_by_time(batch)), lambda: [*warnings, skipped.warning() or ""])


def _values(streams: list[Any], *, source: Source) -> tuple[list[int], list[str], dict[str, list[str]]]:
    """Every value's time (ns) and line, and each row's labels, in file order."""
    stamps: list[int] = []
    lines: list[str] = []
    per_row: list[dict[str, Any]] = []
    for index, stream in enumerate(streams, start=1):
        values = stream.get("values") if isinstance(stream, dict) else None
        if not isinstance(values, list):
            raise InputError(
                f"stream {index} has no list of values (found {describe(stream)})",
                file=source.name,
                hint="pass the output of /loki/api/v1/query_range as it is",
            )
        own = stream.get("stream") if isinstance(stream.get("stream"), dict) else {}
        for value in values:
            stamps.append(_stamp(value, len(stamps) + 1, source=source))
            lines.append(str(value[1]) if value[1] is not None else "")
            per_row.append(own)
    names = list(dict.fromkeys(k for labels in per_row for k in labels))
    return stamps, lines, {n: [str(labels.get(n, "")) for labels in per_row] for n in names}


def _stamp(value: Any, number: int, *, source: Source) -> int:
    """A value's epoch nanoseconds, exactly."""
    if isinstance(value, list) and len(value) >= 2:
        try:
            return int(str(value[0]))
        except ValueError:
            raise InputError(
                f"value {number} has the time {value[0]!r}, not epoch nanoseconds",
                file=source.name,
                line=number,
                hint="pass the output of /loki/api/v1/query_range as it is",
            ) from None
    raise InputError(
        f'value {number} is {describe(value)}, not ["<epoch nanoseconds>", "<line>"]',
        file=source.name,
        line=number,
        hint="pass the output of /loki/api/v1/query_range as it is",
    )


IMPORTER = register(
    log_format(NAME, "Grafana Loki query_range result (log streams)", sniff=sniff, read=read_loki)
)

__all__ = ["IMPORTER", "read_loki", "sniff"]
