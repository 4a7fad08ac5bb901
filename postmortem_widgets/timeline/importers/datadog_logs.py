"""Datadog Log Explorer exported as CSV: ``Date``, ``Host``, ``Service``, ``Status``, ``Message``.

``Date`` is ISO 8601 in UTC (``2024-05-19T06:10:35.743Z``); ``Status`` is the log's status (``error``,
``warn``, ``info``, ``debug``, ``critical``, ``emergency`` ...), the severity. ``Host`` and ``Service``
become labels. Facet columns the user added are read when they are the standard attributes
``@http.status_code`` (the HTTP status) and ``@duration`` (nanoseconds).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from . import ImportOptions, register
from ._logtable import TableLog, header_has, read_table_log
from ._telemetry import header_lookup

NAME = "datadog_logs_csv"

SPEC = TableLog(
    title="Datadog Log Explorer CSV export",
    time=("Date", "timestamp"),
    message=("Message", "content"),
    level=("Status",),
    labels={"host": ("Host",), "service": ("Service",)},
    status=("@http.status_code", "http.status_code"),
    latency={"@duration": 1e-9, "duration": 1e-9},
    export_hint="export the Log Explorer list as CSV (with the Date and Message columns)",
)
_MARKERS = ("host", "service", "status")


def sniff(source: Source) -> int:
    """85 for a CSV with ``Date`` and ``Message`` and two of ``Host``, ``Service``, ``Status``."""
    columns = header_has(source, "Date", "Message")
    if columns is None:
        return 0
    lookup = header_lookup(columns)
    return 85 if sum(m in lookup for m in _MARKERS) >= 2 else 0


def read_datadog_logs(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """The export's logs, oldest first, in batches."""
    return read_table_log(source, options, SPEC)


IMPORTER = register(log_format(NAME, "Datadog Log Explorer CSV export", sniff=sniff, read=read_datadog_logs))

__all__ = ["IMPORTER", "SPEC", "read_datadog_logs", "sniff"]
