"""CloudWatch Logs Insights results: ``aws logs get-query-results`` JSON, or the console's CSV download.

The JSON is ``{"results": [[{"field": "@timestamp", "value": "2024-05-19 06:10:35.743"}, {"field":
"@message", ...}, ...], ...], "statistics": {...}, "status": "Complete"}``: one list of field/value pairs
per log event, values all text. The CSV has the same fields as columns. ``@timestamp`` is UTC written
without a zone (as the API documents it), ``@message`` the event's text, ``@logStream`` and ``@log`` (the
log group) become the labels ``stream`` and ``log_group``. The level comes from a ``level`` field the
query extracted, else from the message's text. A query that had not finished (``Running``,
``Scheduled``) or did not complete is read with a warning that the results may be partial.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from . import ImportOptions, register
from ._csv import sample, sniff_layout
from ._json import describe, document, shape_error
from ._logtable import TableLog, choose, read_table_log, table_log
from ._telemetry import empty_rows, join, text

NAME = "cloudwatch_insights"
TIME, MESSAGE = "@timestamp", "@message"
EXPECTED = "Logs Insights query results: {'results': [[{'field': ..., 'value': ...}, ...], ...]}"
#: ``2024-05-19 06:10:35.743``: UTC, as Logs Insights writes ``@timestamp``.
INSIGHTS_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?$"
_INSIGHTS_TIME = re.compile(INSIGHTS_TIME)
FINISHED = "Complete"


def utc_times(values: pa.Array) -> pa.Array:
    """Insights times marked as the UTC they are (``Z`` added); times with a zone stay as they are."""
    raw = pc.utf8_trim_whitespace(text(values))
    return pc.if_else(pc.match_substring_regex(raw, INSIGHTS_TIME), join(raw, "Z"), raw)


SPEC = TableLog(
    title="CloudWatch Logs Insights result",
    time=(TIME,),
    message=(MESSAGE,),
    level=("level", "@level", "log_level", "severity", "levelname", "log.level"),
    labels={"stream": ("@logStream",), "log_group": ("@log",)},
    status=("status", "statusCode", "status_code"),
    times=utc_times,
    export_hint="run the query with the @timestamp and @message fields (fields @timestamp, @message)",
)


def _rows(doc: Any) -> list[Any] | None:
    return doc.get("results") if isinstance(doc, dict) and isinstance(doc.get("results"), list) else None


def _is_row(row: Any) -> bool:
    return isinstance(row, list) and all(isinstance(f, dict) and "field" in f and "value" in f for f in row)


def sniff(source: Source) -> int:
    """95 for the API's JSON; 90 for a CSV with ``@timestamp`` (as Insights writes it) and ``@message``."""
    results = _rows(source.json)
    if results is not None:
        sampled = results[:20]
        if not sampled:
            return 60 if isinstance(source.json, dict) and "statistics" in source.json else 0
        return 95 if 2 * sum(1 for r in sampled if _is_row(r)) >= len(sampled) else 0
    if source.is_bundle or source.json is not None:
        return 0
    layout = sniff_layout(source.head)
    if layout is None or not layout.header or not {TIME, MESSAGE} <= set(layout.columns):
        return 0
    try:
        values = [v for v in sample(source, layout)[TIME].cast(pa.string()).to_pylist() if v]
    except (InputError, pa.ArrowInvalid):
        return 0
    return 90 if values and sum(1 for v in values if _INSIGHTS_TIME.match(v)) >= 0.8 * len(values) else 0


def read_insights(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """The query's log events, oldest first, in batches."""
    if source.head.lstrip()[:1] not in ("{", "["):
        return read_table_log(source, options, SPEC)
    doc = document(source, format=NAME, expected=EXPECTED)
    results = _rows(doc)
    if results is None:
        raise shape_error(source, found=describe(doc), format=NAME, expected=EXPECTED)
    warnings = _status_warnings(doc)
    if not results:
        return iter([empty_rows()] if not warnings else [_with(empty_rows(), warnings)])
    table = _table(results, source=source)
    chosen = choose(source, SPEC, names=table.column_names)
    lines = np.arange(1, len(results) + 1, dtype=np.int64)
    return table_log(table, lines, chosen, SPEC, source=source, options=options, warnings=warnings)


def _with(batch: LogRows, warnings: list[str]) -> LogRows:
    batch.warnings.extend(warnings)
    return batch


def _status_warnings(doc: dict[str, Any]) -> list[str]:
    status = doc.get("status")
    if status in (None, FINISHED):
        return []
    return [f"the query's status is {status!r}, not 'Complete': the results may be partial"]


def _table(results: list[Any], *, source: Source) -> pa.Table:
    """One text column per field, one row per log event (a field an event lacks is null)."""
    events: list[dict[str, Any]] = []
    for number, row in enumerate(results, start=1):
        if not _is_row(row):
            raise InputError(
                f"result {number} is {describe(row)}, not a list of {{'field', 'value'}} pairs",
                file=source.name,
                line=number,
                hint="pass the output of aws logs get-query-results as it is",
            )
        events.append({str(pair["field"]): pair["value"] for pair in row})
    names = list(dict.fromkeys(name for event in events for name in event))
    return pa.table({n: pa.array(_texts([e.get(n) for e in events]), pa.large_string()) for n in names})


def _texts(values: list[Any]) -> list[str | None]:
    return [None if v is None else str(v) for v in values]


IMPORTER = register(
    log_format(
        NAME,
        "CloudWatch Logs Insights results (get-query-results JSON or the console's CSV)",
        sniff=sniff,
        read=read_insights,
    )
)

__all__ = ["IMPORTER", "SPEC", "read_insights", "sniff", "utc_times"]
