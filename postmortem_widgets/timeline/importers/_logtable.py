"""CSV log exports (Kibana, Splunk, Datadog, CloudWatch Logs Insights) read by one reader and a column spec.

Each export names its columns its own way and writes its times its own way; the rest is the same: the
columns read by pyarrow from the file (every core, never decoded to ``str``), the times parsed to UTC, a
level column or else the level written in the message, rows without a time left out (said once), the
rows put oldest first (exports list the newest first) and handed over in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ...errors import InputError, NaiveTimeError
from ..sources import Source
from ..telemetry.model import LogRows
from ..telemetry.severity import from_http_status
from . import ImportOptions
from ._csv import sniff_layout
from ._telemetry import (
    Column,
    Skipped,
    either,
    header_lookup,
    http_status,
    level_in_text,
    numbers,
    parse_nanos,
    pick_column,
    read_log_table,
    rows,
    severity_of,
    slices,
    sort_by_time,
    text,
    with_notes,
)


def _same(values: pa.Array) -> pa.Array:
    return values


@dataclass(frozen=True)
class TableLog:
    """Which columns of a CSV log export hold what (names in any case; the first present wins)."""

    #: The export's name in messages (``Kibana CSV report``).
    title: str
    time: tuple[str, ...]
    message: tuple[str, ...]
    level: tuple[str, ...] = ()
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    status: tuple[str, ...] = ()
    #: Latency columns and the seconds one unit of each is worth.
    latency: Mapping[str, float] = field(default_factory=dict)
    #: The time column's text made readable by ``parse_times`` (``Sep 20, 2015 @ ...`` to ISO 8601).
    times: Callable[[pa.Array], pa.Array] = _same
    #: Text columns cleaned (Kibana's formula quotes).
    clean: Callable[[pa.Array], pa.Array] = _same
    #: The hint for naive times: where the export's zone is set.
    zone_hint: str | None = None
    #: How to export it properly, for the error about a missing column.
    export_hint: str = "export the results as CSV again, or pass another --format"


@dataclass(frozen=True)
class Chosen:
    """The columns a file has for each role."""

    time: str
    message: str | None
    level: str | None
    labels: dict[str, str]
    status: str | None
    latency: str | None


def choose(source: Source, spec: TableLog, names: Sequence[str] | None = None) -> Chosen:
    """The columns of this file, from its header (or ``names``); an error naming them without a time."""
    if names is None:
        layout = sniff_layout(source.head)
        names = layout.columns if layout is not None and layout.header else ()
    lookup = header_lookup(names)
    time = pick_column(lookup, *spec.time)
    if time is None:
        found = ", ".join(repr(c) for c in lookup.values()) or "none"
        raise InputError(
            f"not a {spec.title}: no {spec.time[0]!r} column (columns found: {found})",
            file=source.name,
            column=spec.time[0],
            hint=spec.export_hint,
        )
    labels = {name: c for name, options in spec.labels.items() if (c := pick_column(lookup, *options))}
    return Chosen(
        time=time,
        message=pick_column(lookup, *spec.message),
        level=pick_column(lookup, *spec.level),
        labels=labels,
        status=pick_column(lookup, *spec.status),
        latency=pick_column(lookup, *spec.latency),
    )


def read_table_log(source: Source, options: ImportOptions, spec: TableLog) -> Iterator[LogRows]:
    """The export's rows, oldest first, in batches (the table is read when this is called)."""
    chosen = choose(source, spec)
    wanted = [
        chosen.time,
        chosen.message,
        chosen.level,
        chosen.status,
        chosen.latency,
        *chosen.labels.values(),
    ]
    table, lines, warnings, _ = read_log_table(source, format=spec.title, wanted=wanted)
    return table_log(table, lines, chosen, spec, source=source, options=options, warnings=warnings)


def table_log(
    table: pa.Table,
    lines: np.ndarray,
    chosen: Chosen,
    spec: TableLog,
    *,
    source: Source,
    options: ImportOptions,
    warnings: Sequence[str] = (),
) -> Iterator[LogRows]:
    """Rows from a table of text columns (``lines``: each row's line or record), oldest first, in batches."""
    try:
        time, time_warnings = parse_nanos(
            spec.times(text(table[chosen.time])).to_pandas(),
            tz=options.tz,
            file=source.name,
            column=chosen.time,
            lines=lines,
        )
    except NaiveTimeError as exc:
        if spec.zone_hint is None:
            raise
        raise NaiveTimeError(exc.message, file=source.name, column=chosen.time, hint=spec.zone_hint) from None
    count = len(lines)

    def column(name: str | None) -> Column | None:
        return None if name is None else table[name]

    message = text(spec.clean(text(table[chosen.message])) if chosen.message else [""] * count, one_line=True)
    level = column(chosen.level)
    severity = level_in_text(message) if level is None else either(severity_of(level), level_in_text(message))
    status = http_status(column(chosen.status), count)
    if status is not None:
        severity = np.maximum(severity, from_http_status(status))  # the worse of the two
    latency = None
    if chosen.latency is not None:
        latency = numbers(table[chosen.latency], count) * spec.latency[_key(spec.latency, chosen.latency)]
    skipped = Skipped("without a time")
    batch = rows(
        time=time,
        severity=severity,
        message=message,
        line=lines,
        status=status,
        latency=latency,
        labels={name: spec.clean(text(table[c])) for name, c in chosen.labels.items()},
        skipped=skipped,
    )
    notes = [*warnings, *time_warnings]
    return with_notes(slices(sort_by_time(batch)), lambda: [*notes, skipped.warning() or ""])


def _key(names: Mapping[str, float], column: str) -> str:
    return next(k for k in names if k.lower() == column.lower())


def header_has(source: Source, *names: str) -> tuple[str, ...] | None:
    """The header's columns when it has every one of ``names`` (any case); ``None`` otherwise."""
    if source.is_bundle or source.json is not None:
        return None
    layout = sniff_layout(source.head)
    if layout is None or not layout.header:
        return None
    lookup = header_lookup(layout.columns)
    return layout.columns if all(n.lower() in lookup for n in names) else None


__all__ = ["Chosen", "TableLog", "choose", "header_has", "read_table_log", "table_log"]
