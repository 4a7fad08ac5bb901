"""A generic table imported by its role: a log becomes series and a few events, a metric table series.

:func:`import_table` is what the table importer asks first; it answers ``None`` for a hand-written
timeline (or a role the table importer reads row by row), which the table importer then reads as today.
"""

from __future__ import annotations

import pyarrow as pa

from ...errors import MissingColumnError
from ..events import ImportResult
from ..importers import ImportOptions
from ..importers._csv import Layout
from ..sources import Source
from .csvlog import LogRead, read_log
from .logs import summarise_log
from .model import LOG, METRIC
from .roles import TableShape, estimated_rows, table_role, table_shape
from .series import metric_result


def role_of_table(source: Source, head: pa.Table, options: ImportOptions) -> tuple[str, TableShape]:
    """The table's role (the user's, or the documented rule's) and what its sample shows."""
    shape = table_shape(head, rows=estimated_rows(source, head.num_rows))
    return options.role_of(source.name) or table_role(shape), shape


def import_table(
    source: Source, layout: Layout, head: pa.Table, options: ImportOptions, *, format: str
) -> ImportResult | None:
    """The table read as a log or a metric export; ``None`` when it is to be read row by row."""
    role, shape = role_of_table(source, head, options)
    if role == LOG:
        return _log(source, layout, head, shape, options, format=format)
    if role == METRIC:
        return _metric(source, layout, head, shape, options, format=format)
    return None


def _need_time(shape: TableShape, source: Source, head: pa.Table, role: str) -> str:
    if shape.time is None:
        names = list(head.column_names)
        raise MissingColumnError(
            f"no time column among the columns found: {', '.join(map(repr, names))}",
            columns=names,
            file=source.name,
            hint=f"a {role} needs a time column (time, timestamp, @timestamp, ...)",
        )
    return shape.time


def _log(
    source: Source, layout: Layout, head: pa.Table, shape: TableShape, options: ImportOptions, *, format: str
) -> ImportResult:
    _need_time(shape, source, head, LOG)
    read = LogRead(source=source, layout=layout, shape=shape, options=options)
    batches = read_log(source, layout, head, shape, options, read)
    result = summarise_log(batches, file=source.name, format=format, options=options)
    result.warnings = read.warnings + result.warnings
    return result


def _metric(
    source: Source, layout: Layout, head: pa.Table, shape: TableShape, options: ImportOptions, *, format: str
) -> ImportResult:
    time = _need_time(shape, source, head, METRIC)
    from ..importers.grafana_csv import read_metric_table  # one reader for every time-and-values table

    return metric_result(read_metric_table(source, options, time=time), file=source.name, format=format)


__all__ = ["import_table", "role_of_table"]
