"""Grafana panel data downloaded as CSV (Inspect, Data, Download CSV).

A ``Time`` column and one column per series: ``"Time","checkout p95","error ratio"``. ``Time`` is epoch
milliseconds, or, with *Formatted data* on, the dashboard's zone written without an offset
(``2024-05-19 08:10:00``: needs ``--tz``). Values are numbers, or with *Formatted data* the panel's unit:
``186.5 ms``, ``1.05 s``, ``12.3%``, ``1.2 K``, ``3.4 MB/s`` (Grafana picks the prefix per value, so one
column may hold ``950 ms`` and ``1.05 s``: they are brought to the unit most of the column uses).
*Download for Excel* adds a first line ``sep=,``. A panel in table format adds text columns of labels
(``instance``, ``job``): each combination of them is a series of its own; Grafana's old export, one
``Series;Time;Value`` row per point, is read the same way.

A hand-written timeline is a table too, but its text column is sentences; this importer claims a table
only when every column but the time holds numbers or labels without spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError, NaiveTimeError
from ..sources import Source
from ..telemetry.formats import metric_format
from ..telemetry.model import Series
from ..telemetry.roles import per_row_signals
from . import ImportOptions, register
from ._csv import Layout, layout_of, read_text_table, sample, sniff_layout
from ._telemetry import header_lookup, make_series, numbers, parse_nanos, series_names, text

NAME = "grafana_csv"
TIME_NAMES: tuple[str, ...] = ("time", "timestamp", "date", "datetime")
#: A value as Grafana writes it: a number and, with *Formatted data*, a unit (``1.05 s``, ``3.4 MB/s``).
VALUE = r"^\s*(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[^\d\s.,:;][^\d]*?)?\s*$"
EMPTY = r"^\s*(?:|-|NaN|null|undefined|No data)\s*$"
_VALUE, _EMPTY = re.compile(VALUE), re.compile(EMPTY)
_EXCEL = re.compile(r"^\ufeff?sep=.\s*$")
#: Grafana's "short" and SI scale words and the factor each stands for.
SCALES: dict[str, float] = {
    "K": 1e3,
    "k": 1e3,
    "Mil": 1e6,
    "M": 1e6,
    "Bil": 1e9,
    "B": 1e9,
    "G": 1e9,
    "Tri": 1e12,
}
#: Time units in seconds.
TIMES: dict[str, float] = {
    "ns": 1e-9,
    "µs": 1e-6,
    "us": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "min": 60.0,
    "mins": 60.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "h": 3600.0,
    "day": 86400.0,
    "days": 86400.0,
    "week": 604800.0,
}
_BYTES = re.compile(r"^(?P<prefix>|k|K|M|G|T|P|Ki|Mi|Gi|Ti|Pi)(?P<kind>B|b)(?P<rate>/s|ps)?$")
_POWERS = {"": 0, "k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5}
ZONE_HINT = (
    "Grafana wrote the times in the dashboard's time zone without saying which; pass --tz with that zone, "
    "or download the CSV again with 'Formatted data' off (epoch milliseconds)"
)


@dataclass(frozen=True)
class Unit:
    """What a value's unit text means: a family (values of one family can be compared), a factor to the
    family's base, and how it is shown."""

    family: str
    factor: float
    shown: str


def unit_of(written: str) -> Unit:
    """The meaning of the unit Grafana wrote after a value.

    >>> [unit_of(u).shown for u in ["ms", "%", "K", "MB/s", "req/s", ""]]
    ['ms', '%', '', 'MB/s', 'req/s', '']
    """
    written = written.strip()
    if not written:
        return Unit("", 1.0, "")
    head, _, rest = written.partition(" ")
    if head in SCALES and (rest or head in ("K", "k", "Mil", "Bil", "Tri")):
        inner = unit_of(rest)
        return Unit(inner.family, SCALES[head] * inner.factor, inner.shown)
    if written in TIMES:
        return Unit("time", TIMES[written], written)
    if written == "%":
        return Unit("%", 1.0, "%")
    found = _BYTES.match(written)
    if found is not None:
        prefix = found["prefix"]
        base = 1024.0 if prefix.endswith("i") else 1000.0
        factor = base ** _POWERS[prefix.rstrip("i")] * (0.125 if found["kind"] == "b" else 1.0)
        return Unit("bytes/s" if found["rate"] else "bytes", factor, written)
    return Unit(written, 1.0, written)


def _table_text(source: Source) -> tuple[str, int]:
    """The head without Excel's ``sep=`` line, and how many lines that took off."""
    head = source.head
    first, _, rest = head.partition("\n")
    return (rest, 1) if _EXCEL.match(first.strip("\r")) else (head, 0)


def _time_column(columns: Sequence[str]) -> str | None:
    lookup = header_lookup(columns)
    return next((lookup[n] for n in TIME_NAMES if n in lookup), None)


def _is_value(values: Sequence[str]) -> bool:
    """Whether a column's values are numbers (with or without a unit), the empty ones aside."""
    given = [v for v in values if not _EMPTY.match(v)]
    return bool(given) and sum(1 for v in given if _VALUE.match(v)) >= 0.9 * len(given)


def _is_label(values: Sequence[str]) -> bool:
    """Whether a column holds labels (short words without spaces), not sentences."""
    given = [v for v in values if v.strip()]
    return bool(given) and all(len(v) <= 80 and not re.search(r"\s", v.strip()) for v in given)


def sniff(source: Source) -> int:
    """80 for a time column and number columns only; 70 with label columns too; else 0."""
    if source.is_bundle or source.json is not None:
        return 0
    head, _ = _table_text(source)
    layout = sniff_layout(head)
    if layout is None or not layout.header:
        return 0
    time = _time_column(layout.columns)
    if time is None or per_row_signals(layout.columns):
        return 0
    try:
        table = sample(Source(name=source.name, data=head.encode("utf-8")), layout)
    except (InputError, pa.ArrowInvalid):
        return 0
    columns = {
        c: [v for v in table[c].cast(pa.string()).to_pylist() if v is not None] for c in layout.columns
    }
    if not _looks_like_times(columns[time]):
        return 0
    others = [c for c in layout.columns if c != time]
    values = [c for c in others if _is_value(columns[c])]
    labels = [c for c in others if c not in values]
    if not values:
        return 0
    if not labels:
        return 80
    return 70 if all(_is_label(columns[c]) for c in labels) else 0


def _looks_like_times(values: Sequence[str]) -> bool:
    given = [v for v in values if v.strip()]
    epoch = r"^\s*\d{12,13}(?:\.\d+)?\s*$"
    written = r"^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
    hits = sum(1 for v in given if re.match(epoch, v) or re.match(written, v))
    return bool(given) and hits >= 0.8 * len(given)


def read_grafana_csv(source: Source, options: ImportOptions) -> list[Series]:
    """The panel's series, one per value column (and per combination of label columns)."""
    return read_metric_table(source, options)


def read_metric_table(source: Source, options: ImportOptions, *, time: str | None = None) -> list[Series]:
    """Any table of a time column and value columns as series: a Grafana panel CSV, or a generic table
    whose role is ``metric`` (``time`` names its time column when it is not one Grafana writes)."""
    table_source, offset = _without_excel_line(source)
    layout = layout_of(
        table_source,
        problem="not a Grafana panel CSV: no comma, tab or semicolon splits its lines into columns",
        hint="download the panel's data again (Inspect, Data, Download CSV)",
    )
    time = time or (_time_column(layout.columns) if layout.header else None)
    if time is None:
        found = ", ".join(repr(c) for c in layout.columns)
        raise InputError(
            f"not a Grafana panel CSV: no 'Time' column among the columns found: {found}",
            file=source.name,
            column="Time",
            hint="download the panel's data again (Inspect, Data, Download CSV)",
        )
    table, lines, warnings = _read(table_source, layout, offset)
    times = _times(table[time], lines, source=source, options=options, column=time)
    others = [c for c in layout.columns if c != time]
    cells = {c: text(table[c]).to_pylist() for c in others}
    values = [c for c in others if _is_value(cells[c])]
    labels = [c for c in others if c not in values]
    if not values:
        raise InputError(
            "no column of numbers besides the time",
            file=source.name,
            hint="this importer reads a panel's series; a timeline of events is read by the table importer",
        )
    return _series(table, times, values, labels, source=source, notes=warnings)


def _without_excel_line(source: Source) -> tuple[Source, int]:
    _, offset = _table_text(source)
    if not offset:
        return source, 0
    data = source.data
    return Source(name=source.name, data=data[data.index(b"\n") + 1 :]), 1


def _read(source: Source, layout: Layout, offset: int) -> tuple[pa.Table, np.ndarray, list[str]]:
    columns = list(layout.columns)
    found, warnings = read_text_table(
        source, layout, columns, empty="the panel's CSV has a header but no rows"
    )
    return found.table, found.lines + offset, warnings


def _times(
    values: pa.Array, lines: np.ndarray, *, source: Source, options: ImportOptions, column: str
) -> np.ndarray:
    try:
        times, _ = parse_nanos(
            text(values).to_pandas(), tz=options.tz, file=source.name, column=column, lines=lines
        )
    except NaiveTimeError as exc:
        raise NaiveTimeError(exc.message, file=source.name, column=column, hint=ZONE_HINT) from None
    return times


def parse_values(values: pa.Array, *, name: str) -> tuple[np.ndarray, str, list[str]]:
    """A column's values in one unit (the one most of them use), that unit, and what was left out.

    >>> amounts, unit, _ = parse_values(pa.array(["950 ms", "1.05 s", "", "1.2 s"]), name="p95")
    >>> amounts.tolist(), unit
    ([0.95, 1.05, nan, 1.2], 's')
    """
    parts = pc.extract_regex(text(values), VALUE)
    amount = numbers(pc.struct_field(parts, ["number"]), len(values))
    written = pc.fill_null(pc.struct_field(parts, ["unit"]), "").to_numpy(zero_copy_only=False).astype(str)
    kinds, index = np.unique(written, return_inverse=True)
    units = [unit_of(str(k)) for k in kinds]
    given = np.isfinite(amount)
    if not given.any():
        return amount, "", []
    family = _most([units[i].family for i in index[given]])
    in_family = given & np.array([units[i].family == family for i in index], dtype=bool)
    shown = _most([units[i].shown for i in index[in_family]])
    target = next(u for u in units if u.family == family and u.shown == shown)
    out = np.full(len(amount), np.nan)
    for number, unit in enumerate(units):
        if unit.family == family:
            mine = index == number
            out[mine] = scaled(amount[mine], unit.factor / target.factor)
    other = int((given & ~in_family).sum())
    notes = [f"{name}: {other} value(s) in another unit than {target.shown or 'plain numbers'} left out"]
    return out, target.shown, notes if other else []


def scaled(values: np.ndarray, ratio: float) -> np.ndarray:
    """``values * ratio``, by a whole number where the ratio is one (950 ms is 0.95 s, not 0.9500...1)."""
    if ratio <= 0:
        return values * ratio
    if ratio >= 1:
        whole = round(ratio)
        return values * whole if abs(ratio - whole) <= 1e-9 * ratio else values * ratio
    inverse = 1.0 / ratio
    whole = round(inverse)
    return values / whole if abs(inverse - whole) <= 1e-9 * inverse else values * ratio


def _most(items: list[str]) -> str:
    """The most frequent item (the first in sorted order on a tie)."""
    found, counts = np.unique(np.asarray(items, dtype=str), return_counts=True)
    return str(found[int(np.argmax(counts))])


def _series(
    table: pa.Table,
    times: np.ndarray,
    values: list[str],
    labels: list[str],
    *,
    source: Source,
    notes: list[str],
) -> list[Series]:
    frame = pd.DataFrame({c: text(table[c]).to_pandas() for c in labels})
    groups = (
        list(frame.groupby(labels, sort=False).indices.items()) if labels else [((), np.arange(len(times)))]
    )
    named = [
        (c, dict(zip(labels, key if isinstance(key, tuple) else (key,), strict=True)), rows)
        for c in values
        for key, rows in groups
    ]
    series_label = next((c for c in labels if c.lower() == "series"), None)
    bases = [own[series_label] if series_label else column for column, own, _ in named]
    shown = [{k: v for k, v in own.items() if k != series_label} for _, own, _ in named]
    names = series_names(bases, shown, fallback="value")
    parsed = {c: parse_values(table[c], name=c) for c in values}
    out = []
    for number, ((column, own, rows), name) in enumerate(zip(named, names, strict=True)):
        amounts, unit, warnings = parsed[column]
        out.append(
            make_series(
                name=name,
                source=source,
                unit=unit,
                times=times[rows],
                values=amounts[rows],
                labels=own,
                warnings=[*(notes if number == 0 else []), *warnings],
            )
        )
    return out


IMPORTER = register(
    metric_format(
        NAME, "Grafana panel data, Download CSV (time and series columns)", sniff=sniff, read=read_grafana_csv
    )
)

__all__ = ["IMPORTER", "parse_values", "read_grafana_csv", "read_metric_table", "sniff", "unit_of"]
