"""Splunk search results exported as CSV (Export, CSV): ``_time``, ``_raw`` and the fields, newest first.

``_time`` is ISO 8601 with the offset of the exporting user's zone (``2026-09-14T23:59:59.000+0200``),
so it is exact. ``_raw`` is the event's text; ``host``, ``source`` and ``sourcetype`` become labels. The
level comes from a ``log_level``, ``level`` or ``severity`` field when the search extracted one, else
from a level word near the start of ``_raw``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from . import ImportOptions, register
from ._logtable import TableLog, header_has, read_table_log

NAME = "splunk_csv"

SPEC = TableLog(
    title="Splunk CSV export",
    time=("_time",),
    message=("_raw", "message", "msg", "event"),
    level=("log_level", "level", "severity", "loglevel", "log.level", "levelname"),
    labels={"host": ("host",), "source": ("source",), "sourcetype": ("sourcetype",)},
    status=("status", "status_code", "http_status"),
    export_hint="export the search results as CSV with the _time field (and _raw)",
)


def sniff(source: Source) -> int:
    """90 for a CSV with ``_time`` and ``_raw``, or ``_time`` with ``host``, ``source`` and ``sourcetype``."""
    if header_has(source, "_time", "_raw") or header_has(source, "_time", "host", "source", "sourcetype"):
        return 90
    return 0


def read_splunk(source: Source, options: ImportOptions) -> Iterator[LogRows]:
    """The export's events, oldest first, in batches."""
    return read_table_log(source, options, SPEC)


IMPORTER = register(log_format(NAME, "Splunk search results exported as CSV", sniff=sniff, read=read_splunk))

__all__ = ["IMPORTER", "SPEC", "read_splunk", "sniff"]
