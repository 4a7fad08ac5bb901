"""How a telemetry format joins the importer registry: a reader of rows or series, wrapped into an Importer.

A log format module supplies ``read(source, options) -> Iterator[LogRows]`` (one batch for a small file,
many for a large one, so memory stays bounded); a metric format supplies ``read(source, options) ->
list[Series]``. The wrappers here turn them into the registry's ``parse`` and give the result its role.

    IMPORTER = register(log_format("jsonl", "JSON lines application logs", sniff=sniff, read=read_jsonl))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..events import ImportResult
from ..importers import Importer, ImportOptions
from ..sources import Source
from .model import LOG, METRIC, LogRows, Series

ReadRows = Callable[[Source, ImportOptions], Iterator[LogRows]]
ReadSeries = Callable[[Source, ImportOptions], list[Series]]


def log_format(name: str, description: str, *, sniff: Callable[[Source], int], read: ReadRows) -> Importer:
    """An importer for a machine-log format: its rows become series and a few events."""

    def parse(source: Source, options: ImportOptions) -> ImportResult:
        from .logs import summarise_log

        return summarise_log(read(source, options), file=source.name, format=name, options=options)

    return Importer(name=name, description=description, sniff=sniff, parse=parse, role=LOG)


def metric_format(
    name: str, description: str, *, sniff: Callable[[Source], int], read: ReadSeries
) -> Importer:
    """An importer for a metric export: its series, no events."""

    def parse(source: Source, options: ImportOptions) -> ImportResult:
        from .series import metric_result

        return metric_result(read(source, options), file=source.name, format=name)

    return Importer(name=name, description=description, sniff=sniff, parse=parse, role=METRIC)


__all__ = ["ReadRows", "ReadSeries", "log_format", "metric_format"]
