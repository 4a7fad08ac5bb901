"""Parquet tables: a log, a metric table or a hand-written timeline, by their columns, read by pyarrow.

A Parquet file is a table, so it takes the generic table's role path (:mod:`..telemetry.roles`): its first
rows are the sample the role rule reads (a severity or status column makes it a log; a time column and
numbers a metric table; prose a timeline), and ``--role PATH=ROLE`` overrides it. Columns keep their
Parquet types: timestamps (with a zone, or naive ones read in ``--tz``), epoch numbers or text times.

A log is read in batches of at most :data:`BATCH_ROWS` rows (pyarrow decodes the row groups a batch
needs, and only the columns a log summary needs): memory is a batch's and a row group's, not the file's,
so a file far larger than memory imports (a log platform's Parquet export, a DuckDB
``COPY ... TO 'window.parquet'``, a data lake's files: how logs are read past one machine's disk). Each
row's ``line`` is its record number in the file (1-based).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...errors import InputError, MissingColumnError
from .. import events as ev
from ..progress import Progress
from ..sources import FileSource, Source
from ..telemetry.model import LOG, METRIC, TIMELINE, UNKNOWN, LogRows, Series
from ..telemetry.roles import TableShape, table_role, table_shape
from ..timeparse import parse_times
from . import Importer, ImportOptions, register
from ._csv import Rows
from ._telemetry import make_series, series_names

NAME = "parquet"
#: Every Parquet file starts (and ends) with these bytes.
MAGIC = b"PAR1"
#: Rows a log batch holds at most.
BATCH_ROWS = 65_536
#: Rows the role rule samples.
SAMPLE_ROWS = 2_000
#: A metric table or a timeline is read whole; a larger one is a log (or must say so with --role).
MAX_WHOLE_ROWS = 2_000_000


def sniff(source: Source) -> int:
    """100 for a file that starts with Parquet's magic bytes, else 0."""
    return 0 if source.is_bundle else 100 * (source.prefix(4) == MAGIC)


def _open(source: Source) -> pq.ParquetFile:
    path = source.path
    try:
        return pq.ParquetFile(str(path) if path is not None else pa.BufferReader(source.data))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"not a readable Parquet file ({exc})", file=source.name, hint="export the table again"
        ) from None


def _plain(table: pa.Table | pa.RecordBatch) -> pa.Table:
    """Dictionary-encoded columns as their values, and every column as one chunk of a table."""
    columns = []
    for column in table.columns:
        kind = column.type
        columns.append(column.cast(kind.value_type) if pa.types.is_dictionary(kind) else column)
    return pa.Table.from_arrays(columns, names=list(table.schema.names))


def _sample(file: pq.ParquetFile) -> pa.Table:
    batch = next(file.iter_batches(batch_size=SAMPLE_ROWS), None)
    return _plain(batch if batch is not None else file.schema_arrow.empty_table())


def parse(source: Source, options: ImportOptions) -> ev.ImportResult:
    """The file read by its role: a log's series and few events, a metric table's series, or events.

    A file whose footer reads but whose pages are damaged fails inside pyarrow while it is read: that is
    the same clear error as a footer that does not read.
    """
    try:
        return _parse(source, options)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"the Parquet file is damaged ({exc})", file=source.name, hint="export the table again"
        ) from None


def _parse(source: Source, options: ImportOptions) -> ev.ImportResult:
    file = _open(source)
    head = _sample(file)
    rows = file.metadata.num_rows
    if not rows:
        raise InputError("the Parquet file has no rows", file=source.name, hint="export the table again")
    shape = table_shape(head, rows=rows)
    role = options.role_of(source.name) or table_role(shape)
    if role == LOG:
        from ..telemetry.logs import summarise_log

        return summarise_log(
            read_log(source, options, file, shape), file=source.name, format=NAME, options=options
        )
    _whole(rows, source, role)
    if role == METRIC:
        from ..telemetry.series import metric_result

        return metric_result(_metric(source, options, file, shape), file=source.name, format=NAME)
    return _timeline(source, options, file, head, role)


def _whole(rows: int, source: Source, role: str) -> None:
    if rows > MAX_WHOLE_ROWS:
        raise InputError(
            f"{rows:,} rows is too many for a {role} table read whole",
            file=source.name,
            hint=f"a table this large is a log: pass --role {source.name}=log",
        )


def _time_column(shape: TableShape, source: Source, head: pa.Table, role: str) -> str:
    if shape.time is None:
        names = list(head.column_names)
        raise MissingColumnError(
            f"no time column among the columns found: {', '.join(map(repr, names))}",
            columns=names,
            file=source.name,
            hint=f"a {role} needs a time column (a timestamp, or time, timestamp, @timestamp, ...)",
        )
    return shape.time


def _nanos(
    column: pa.Array, *, options: ImportOptions, file: str, name: str, lines: np.ndarray, warnings: list[str]
) -> np.ndarray:
    """UTC nanoseconds (``NaT``'s value where a row has no time): pyarrow for zoned timestamps and ISO
    text with a zone, :func:`~..timeparse.parse_times` for naive times (``--tz``) and epoch numbers."""
    missing = np.iinfo(np.int64).min
    zoned = pa.types.is_timestamp(column.type) and column.type.tz
    if zoned or pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        try:
            values = pc.cast(column, pa.timestamp("ns", "UTC")).cast(pa.int64())
            return np.asarray(pc.fill_null(values, missing).to_numpy(zero_copy_only=False))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    parsed = parse_times(pd.Series(column.to_pandas()), tz=options.tz, file=file, column=name, rows=lines)
    warnings.extend(w for w in parsed.warnings if w not in warnings and "empty time" not in w)
    return np.asarray(parsed.times.to_numpy(dtype="datetime64[ns]").view(np.int64))


def read_log(
    source: Source, options: ImportOptions, file: pq.ParquetFile, shape: TableShape
) -> Iterator[LogRows]:
    """The log's rows in batches of at most :data:`BATCH_ROWS`, only the columns a log summary needs."""
    from ..telemetry.csvlog import _blank, _numbers, _severity

    time = _time_column(shape, source, file.schema_arrow.empty_table(), LOG)
    wanted = [c for c in (time, shape.message, shape.severity, shape.status, shape.latency) if c]
    warnings: list[str] = []
    done = without_time = 0
    for raw in file.iter_batches(batch_size=BATCH_ROWS, columns=wanted):
        batch = _plain(raw)
        lines = np.arange(done + 1, done + 1 + batch.num_rows, dtype=np.int64)
        done += batch.num_rows
        times = _nanos(
            batch[time].combine_chunks(), options=options, file=source.name, name=time, lines=lines,
            warnings=warnings,
        )  # fmt: skip
        keep = times != np.iinfo(np.int64).min
        message = (
            pc.fill_null(batch[shape.message].combine_chunks().cast(pa.large_string()), "")
            if shape.message
            else pa.array([""] * batch.num_rows, type=pa.large_string())
        )
        without_time += int((~keep & ~_blank(message)).sum()) if shape.message else int((~keep).sum())
        severity = (
            _severity(batch[shape.severity].combine_chunks())
            if shape.severity
            else np.full(batch.num_rows, UNKNOWN, np.int8)
        )
        status = _numbers(batch[shape.status].combine_chunks()).astype(np.int16) if shape.status else None
        latency = (
            _numbers(batch[shape.latency].combine_chunks(), missing=np.nan) * shape.latency_scale
            if shape.latency
            else None
        )
        if status is not None and not shape.severity:
            from ..telemetry import severity as sev

            severity = sev.from_http_status(status)
        if options.progress is not None:
            options.progress(Progress(file=source.name, done=done, total=file.metadata.num_rows, unit="rows"))
        if not keep.any():
            continue
        yield LogRows(
            time=times[keep],
            severity=severity[keep],
            message=message.filter(pa.array(keep)),
            line=lines[keep],
            status=status[keep] if status is not None else None,
            latency=latency[keep] if latency is not None else None,
        )
    if without_time:
        warnings.append(f"{without_time} row(s) without a time skipped")
    yield LogRows(
        time=np.zeros(0, np.int64),
        severity=np.zeros(0, np.int8),
        message=pa.array([], type=pa.large_string()),
        line=np.zeros(0, np.int64),
        warnings=warnings,
    )


def _metric(source: Source, options: ImportOptions, file: pq.ParquetFile, shape: TableShape) -> list[Series]:
    """One series per numeric column and combination of label columns (hosts, services...)."""
    time = _time_column(shape, source, file.schema_arrow.empty_table(), METRIC)
    values = [c for c in (*shape.numeric, shape.latency) if c]
    table = _plain(file.read(columns=[time, *values, *shape.labels]))
    lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    warnings: list[str] = []
    times = _nanos(
        table[time].combine_chunks(), options=options, file=source.name, name=time, lines=lines,
        warnings=warnings,
    )  # fmt: skip
    labels = list(shape.labels)
    frame = pd.DataFrame({c: table[c].to_pandas().astype(str) for c in labels})
    groups = list(frame.groupby(labels, sort=False).indices.items()) if labels else [((), lines - 1)]
    named = [
        (column, dict(zip(labels, key if isinstance(key, tuple) else (key,), strict=True)), rows)
        for column in values
        for key, rows in groups
    ]
    names = series_names([c for c, _, _ in named], [own for _, own, _ in named], fallback="value")
    numbers = {c: np.asarray(table[c].cast(pa.float64()).to_numpy(zero_copy_only=False)) for c in values}
    return [
        make_series(
            name=name,
            source=source,
            unit="",
            times=times[rows],
            values=numbers[column][rows],
            labels=own,
            warnings=warnings if number == 0 else (),
        )
        for number, ((column, own, rows), name) in enumerate(zip(named, names, strict=True))
    ]


def _timeline(
    source: Source, options: ImportOptions, file: pq.ParquetFile, head: pa.Table, role: str
) -> ev.ImportResult:
    """A small table of prose read as events, one a row, as the table importer reads a CSV timeline."""
    from .table import _columns, find_columns

    columns = find_columns(head, file=source.name, date=options.date)
    wanted = [c for c in (columns.time, columns.message, columns.actor, columns.kind, columns.date) if c]
    table = _plain(file.read(columns=wanted))
    text = {c: table[c].cast(pa.large_string()) for c in wanted if c != columns.time}
    if columns.date is not None or columns.needs_date:
        text[columns.time] = table[columns.time].cast(pa.large_string())
    table = pa.table({c: text.get(c, table[c]) for c in wanted})
    warnings: list[str] = []
    rows = Rows(table=table, lines=np.arange(1, table.num_rows + 1, dtype=np.int64))
    found = _columns(rows, columns, table, source.name, options, warnings)
    events = ev.make_events(
        found.times,
        source=NAME,
        kind=ev.kinds_from_codes(found.kinds),
        message=found.messages,
        actor=found.actors if found.actors is not None else "",
        file=source.name,
        line=found.lines,
    )
    return ev.ImportResult(
        file=source.name,
        format=NAME,
        events=events,
        warnings=warnings,
        handwritten=role == TIMELINE,
        role=role,
    )


def load_parquet(path: str | Path, *, tz: str | None = None) -> ev.ImportResult:
    """A Parquet file as an import result (read by its role)."""
    return parse(FileSource(Path(path)), ImportOptions(tz=tz))


IMPORTER = register(
    Importer(
        name=NAME,
        description="Parquet tables (a log, a metric table or a timeline, by their columns)",
        sniff=sniff,
        parse=parse,
        role=TIMELINE,
        binary=True,
    )
)

__all__ = ["BATCH_ROWS", "IMPORTER", "MAGIC", "load_parquet", "read_log", "sniff"]
