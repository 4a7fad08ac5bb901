"""Shared steps of the telemetry importers: log rows and series built from columns.

Every log format ends the same way: times parsed to UTC nanoseconds, rows without a time left out (and
said so, once per file, naming their lines), severities read from level names, numbers or the text
itself, and the rows handed over in batches. Every metric format ends with series that carry a name
telling them apart, a unit and what they measure. Those steps live here, so a format module only states
its shape and its meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..sources import Source
from ..telemetry.model import UNKNOWN, LogRows, Series
from ..telemetry.naming import guess
from ..telemetry.severity import from_pino, from_text
from ..timeparse import MAX_TIME, MIN_TIME, parse_times
from ._csv import Layout, layout_of, read_text_table

#: What a series measures (see :class:`~postmortem_widgets.timeline.telemetry.model.Series`).
#: The int64 the times of rows without a time hold until they are left out.
NO_TIME = np.iinfo(np.int64).min
#: Rows a batch holds when a whole table is handed over in slices.
BATCH_ROWS = 250_000

#: Terminal escape sequences (colours) some programs write into their logs.
ANSI = r"\x1b\[[0-9;?]*[ -/]*[@-~]"

Column: TypeAlias = "pa.Array | pa.ChunkedArray"


# ----------------------------------------------------------------------------------------------- times


def nanos(times: pd.Series) -> np.ndarray:
    """UTC times as int64 nanoseconds (``NaT`` as :data:`NO_TIME`)."""
    values = pd.Series(times).astype("datetime64[ns, UTC]")
    return np.asarray(values.to_numpy(dtype="datetime64[ns]").view("int64"))


def parse_nanos(
    values: Any,
    *,
    tz: str | None,
    file: str,
    column: str,
    lines: np.ndarray,
    present: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """:func:`~postmortem_widgets.timeline.timeparse.parse_times` on present values, as nanoseconds.

    Missing values (null or blank, or where ``present`` is false) are :data:`NO_TIME`, left for
    :func:`rows` to leave out; errors name the file's lines, not positions in a batch.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    series = series.reset_index(drop=True)
    given = np.array(series.notna(), dtype=bool)
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        given &= (series.astype("str").str.strip() != "").to_numpy()
    present = given if present is None else given & present
    out = np.full(len(series), NO_TIME, dtype=np.int64)
    if not present.any():
        return out, []
    parsed = parse_times(series[present], tz=tz, file=file, column=column, rows=np.asarray(lines)[present])
    out[present] = nanos(parsed.times)
    return out, parsed.warnings


class Skipped:
    """Lines left out of a file (no time, not a log line), gathered over its batches for one warning."""

    def __init__(self, what: str, plural: str | None = None) -> None:
        self.what = what
        self.plural = plural or what
        self.count = 0
        self.first: list[int] = []

    def add(self, lines: np.ndarray) -> None:
        self.count += len(lines)
        self.first.extend(int(n) for n in lines[: max(0, 8 - len(self.first))])

    def warning(self) -> str | None:
        if not self.count:
            return None
        more = f" and {self.count - len(self.first)} more" if self.count > len(self.first) else ""
        shown = ", ".join(map(str, self.first))
        if self.count == 1:
            return f"1 line {self.what} was left out (line {shown})"
        return f"{self.count} lines {self.plural} were left out (lines {shown}{more})"


# ----------------------------------------------------------------------------------------------- rows


def text(values: Column | Sequence[Any], *, one_line: bool = False) -> pa.Array:
    """A column as Arrow text: nulls as ``""``; with ``one_line``, newlines and tabs as single spaces and
    terminal colour codes (``\\x1b[31m``) removed.

    >>> text(pa.array(["\\x1b[31mERROR\\x1b[0m db\\n  down", None]), one_line=True).to_pylist()
    ['ERROR db down', '']
    """
    array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pc.cast(array, pa.large_string())
    array = pc.fill_null(array.cast(pa.large_string()), "")
    if one_line:
        array = pc.replace_substring_regex(array, ANSI, "")
        array = pc.utf8_trim_whitespace(pc.replace_substring_regex(array, r"\s*[\r\n\t]+\s*", " "))
    return array


def join(*parts: Column | str, sep: str = "") -> pa.Array:
    """Text columns (or constants) joined row by row; a null part makes a null row.

    >>> join(pa.array(["a", None]), "b", sep="-").to_pylist()
    ['a-b', None]
    """
    columns = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else _large(p) for p in parts]
    return pc.binary_join_element_wise(*columns, pa.scalar(sep, pa.large_string()))


def _large(values: Column) -> Column:
    return values if pa.types.is_large_string(values.type) else pc.cast(values, pa.large_string())


def rows(
    *,
    time: np.ndarray,
    severity: np.ndarray,
    message: Column,
    line: np.ndarray,
    status: np.ndarray | None = None,
    latency: np.ndarray | None = None,
    labels: Mapping[str, Column] | None = None,
    count: np.ndarray | None = None,
    skipped: Skipped | None = None,
) -> LogRows:
    """A batch of the rows whose time is known; the others go to ``skipped``."""
    time = np.asarray(time, dtype=np.int64)
    line = np.asarray(line, dtype=np.int64)
    keep = time != NO_TIME
    all_kept = bool(keep.all())
    if not all_kept and skipped is not None:
        skipped.add(line[~keep])
    mask = None if all_kept else pa.array(keep)

    def pick(values: np.ndarray | None, dtype: Any) -> np.ndarray | None:
        if values is None:
            return None
        array = np.asarray(values, dtype=dtype)
        return array if all_kept else array[keep]

    def arrow(values: Column) -> pa.Array:
        array = text(values)
        return array if mask is None else array.filter(mask)

    return LogRows(
        time=time if all_kept else time[keep],
        severity=pick(severity, np.int8),  # type: ignore[arg-type]
        message=arrow(message),
        line=line if all_kept else line[keep],
        status=pick(status, np.int16),
        latency=pick(latency, np.float64),
        labels={name: arrow(values) for name, values in (labels or {}).items()},
        count=pick(count, np.int64),
    )


def empty_rows(*, labels: Iterable[str] = ()) -> LogRows:
    """A batch with no rows (to carry warnings, or for a valid export with nothing in it)."""
    nothing = pa.array([], pa.large_string())
    return LogRows(
        time=np.zeros(0, dtype=np.int64),
        severity=np.zeros(0, dtype=np.int8),
        message=nothing,
        line=np.zeros(0, dtype=np.int64),
        labels={name: nothing for name in labels},
    )


def sort_by_time(batch: LogRows) -> LogRows:
    """The rows in time order (file order on ties): exports written newest first come out oldest first."""
    if len(batch) < 2 or bool(np.all(np.diff(batch.time) >= 0)):
        return batch
    order = np.lexsort((batch.line, batch.time))
    take = pa.array(order)

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[order]

    return replace(
        batch,
        time=batch.time[order],
        severity=batch.severity[order],
        message=batch.message.take(take),
        line=batch.line[order],
        status=pick(batch.status),
        latency=pick(batch.latency),
        labels={k: v.take(take) for k, v in batch.labels.items()},
        count=pick(batch.count),
    )


def slices(batch: LogRows, size: int = BATCH_ROWS) -> Iterator[LogRows]:
    """One table handed over in batches of ``size`` rows."""
    if len(batch) <= size:
        yield batch
        return
    for start in range(0, len(batch), size):
        stop = start + size

        def cut(values: np.ndarray | None, start: int = start, stop: int = stop) -> np.ndarray | None:
            return None if values is None else values[start:stop]

        yield replace(
            batch,
            time=batch.time[start:stop],
            severity=batch.severity[start:stop],
            message=batch.message.slice(start, size),
            line=batch.line[start:stop],
            status=cut(batch.status),
            latency=cut(batch.latency),
            labels={k: v.slice(start, size) for k, v in batch.labels.items()},
            count=cut(batch.count),
            warnings=list(batch.warnings) if start == 0 else [],
        )


def with_notes(batches: Iterable[LogRows], notes: Callable[[], list[str]]) -> Iterator[LogRows]:
    """``batches``, with the file's warnings (known only at its end) added to the last one.

    Batches go out one behind, so the last can still take the warnings; a file without rows gives one
    empty batch that carries them.
    """
    held: LogRows | None = None
    for batch in batches:
        if held is not None:
            yield held
        held = batch
    last = held if held is not None else empty_rows()
    found = [n for n in notes() if n]
    yield replace(last, warnings=[*last.warnings, *found]) if found else last


# ----------------------------------------------------------------------------------------------- levels

#: A level named as a field (``level=error``, ``"level":"warn"``, ``severity: ERROR``), in any case.
_KEYED_LEVEL = (
    r'(?i)(?:^|[^a-z_.])(?:level|lvl|severity|loglevel|log_level|log\.level|levelname)"?\s*[=:]\s*"?'
    r"(?P<keyed>[a-z]+|\d{1,2})\b"
)
#: A level word in brackets (``[error]``, ``<warn>``), in any case.
_BRACKETED = (
    r"(?i)[\[<(](?P<bracketed>trace|debug|info|notice|warn|warning|error|err|crit|critical|fatal|alert|emerg"
    r"|panic|severe)[\]>)]"
)
#: A level word written in capitals on its own (``ERROR``, `` WARN ``).
_CAPITAL = (
    r"(?:^|[^A-Za-z])(?P<capital>TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|CRIT|FATAL|PANIC"
    r"|SEVERE|ALERT|EMERG|EMERGENCY)(?:[^A-Za-z]|$)"
)
#: A klog / glog line: ``E0519 06:10:35.743 ...`` (Kubernetes components).
_KLOG = r"^(?P<klog>[IWEF])\d{4} \d{2}:\d{2}:\d{2}"
#: How far into a line a level word counts: the level comes first; "error" later is what happened.
LEVEL_REACH = 120


def level_in_text(messages: Column) -> np.ndarray:
    """Severity codes from the text of raw log lines, where the level is written near the start.

    >>> lines = ["2024-05-19 ERROR db down", "x level=warn y", "[info] ok", "I0519 06:10:35", "no"]
    >>> level_in_text(pa.array(lines))
    array([ 3,  2,  1,  1, -1], dtype=int8)
    """
    head = pc.utf8_slice_codeunits(text(messages), 0, LEVEL_REACH)
    codes = np.full(len(head), UNKNOWN, dtype=np.int8)
    for pattern, group in (
        (_KLOG, "klog"),
        (_CAPITAL, "capital"),
        (_BRACKETED, "bracketed"),
        (_KEYED_LEVEL, "keyed"),
    ):
        found = pc.struct_field(pc.extract_regex(head, pattern), [group])
        words = pc.fill_null(found, "")
        if group == "klog":
            words = pc.replace_substring_regex(words, r"^I$", "info")
        found_codes = severity_of(words)
        codes = np.where(found_codes != UNKNOWN, found_codes, codes).astype(np.int8)
    return codes


def severity_of(values: Column) -> np.ndarray:
    """Codes for a level column: numbers as pino / bunyan levels, text as level names (``"50"`` too)."""
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        numbers = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        return from_pino(np.asarray(numbers, dtype=np.float64))
    words = text(values)
    codes = from_text(words)
    digits = pc.match_substring_regex(words, r"^\s*\d{1,2}\s*$").to_numpy(zero_copy_only=False)
    if digits.any():
        numbers = pc.cast(
            pc.if_else(pa.array(digits), words, pa.scalar("nan", pa.large_string())), pa.float64()
        )
        codes = np.where(digits, from_pino(numbers.to_numpy(zero_copy_only=False)), codes).astype(np.int8)
    return codes


def epoch_column(values: Column) -> tuple[pd.Series, np.ndarray]:
    """A time column for :func:`parse_nanos`, and where it has a value.

    Epoch seconds written as JSON floats (zap's ``1716098835.743152``) are read to the microsecond, all a
    float64 holds: the float's last bits are noise, not nanoseconds.
    """
    if pa.types.is_floating(values.type):
        seconds = np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        finite = np.isfinite(seconds)
        if finite.any() and float(np.abs(seconds[finite]).max()) < 1e11:
            micros = np.where(finite, np.round(np.where(finite, seconds, 0.0) * 1e6), 0).astype(np.int64)
            return pd.Series(micros), finite
    return values.to_pandas(), np.ones(len(values), dtype=bool)


def either(first: np.ndarray, then: np.ndarray) -> np.ndarray:
    """``first``'s codes where known, else ``then``'s."""
    return np.where(first != UNKNOWN, first, then).astype(np.int8)


def numbers(values: Column | None, length: int) -> np.ndarray:
    """A column as float64 (text read as numbers, anything else NaN); all NaN when there is none."""
    if values is None:
        return np.full(length, np.nan)
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
        words = pc.utf8_trim_whitespace(text(values))
        valid = pc.match_substring_regex(words, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
        values = pc.if_else(valid, words, pa.scalar(None, pa.large_string()))
    cast = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(cast, dtype=np.float64)


def http_status(values: Column | None, length: int) -> np.ndarray | None:
    """HTTP status codes (``int16``, 0 where absent or not a status); ``None`` when there is no column."""
    if values is None:
        return None
    found = numbers(values, length)
    valid = np.isfinite(found) & (found >= 100) & (found <= 599) & (found == np.round(found))
    return np.where(valid, found, 0).astype(np.int16)


# ----------------------------------------------------------------------------------------------- tables


def header_lookup(columns: Sequence[str]) -> dict[str, str]:
    """Column names by their lower-case form (exports differ in case)."""
    return {name.strip().lower(): name for name in columns}


def pick_column(lookup: Mapping[str, str], *names: str) -> str | None:
    """The first of ``names`` (any case) the header has."""
    return next((lookup[n.lower()] for n in names if n.lower() in lookup), None)


def read_log_table(
    source: Source, *, format: str, wanted: Iterable[str | None]
) -> tuple[pa.Table, np.ndarray, list[str], Layout]:
    """A CSV log export's ``wanted`` columns (as text), each row's file line, and the reader's warnings."""
    layout = layout_of(
        source,
        problem=f"not a {format} export: no comma, tab or semicolon splits its lines into columns",
        hint="export the results as CSV again, or pass another --format",
    )
    columns = list(dict.fromkeys(c for c in wanted if c))
    found, warnings = read_text_table(source, layout, columns, empty="the export has a header but no rows")
    return found.table, found.lines, warnings, layout


# ----------------------------------------------------------------------------------------------- series

_MIN_NS, _MAX_NS = MIN_TIME.value, MAX_TIME.value


def distinguishing(labels: Sequence[Mapping[str, str]]) -> list[str]:
    """The label names whose values differ between series (in the order first seen)."""
    keys = list(dict.fromkeys(k for item in labels for k in item))
    return [k for k in keys if len({item.get(k) for item in labels}) > 1]


def series_names(bases: Sequence[str], labels: Sequence[Mapping[str, str]], *, fallback: str) -> list[str]:
    """Names that tell series apart: ``base{label=value, ...}`` with only the labels that differ.

    >>> series_names(["up", "up"], [{"job": "api", "i": "a"}, {"job": "api", "i": "b"}], fallback="f")
    ['up{i=a}', 'up{i=b}']
    """
    keys = distinguishing(labels)
    names = []
    for base, item in zip(bases, labels, strict=True):
        shown = ", ".join(f"{k}={item[k]}" for k in keys if k in item)
        names.append(f"{base or fallback}{{{shown}}}" if shown else base or fallback)
    return names


def make_series(
    *,
    name: str,
    source: Source,
    unit: str,
    times: np.ndarray,
    values: np.ndarray,
    kind: str | None = None,
    labels: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
) -> Series:
    """A series in time order (values of a repeated time: the last one written), NaN for missing values."""
    times = np.asarray(times, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    keep = times != NO_TIME
    far = keep & ((times < _MIN_NS) | (times > _MAX_NS))
    if far.any():
        warnings = [*warnings, f"{name}: {int(far.sum())} point(s) outside 1990-2100 left out"]
    keep &= ~far
    times, values = times[keep], values[keep]
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    if len(times) > 1 and not bool(np.all(np.diff(times) > 0)):
        last = np.append(np.diff(times) > 0, True)
        times, values = times[last], values[last]
    guessed, unit = guess(name, values, unit=unit)
    return Series(
        name=name,
        source=source.name,
        unit=unit,
        times=times,
        values=values,
        kind=kind or guessed,
        labels=dict(labels or {}),
        warnings=tuple(warnings),
    )


def float_values(raw: Sequence[Any]) -> tuple[np.ndarray, int]:
    """Sample values (numbers, numeric strings, ``"NaN"``, ``"+Inf"``, null) as float64.

    Infinite values become NaN (a ratio divided by zero says nothing about the signal); the count of them
    comes back so the importer can say so.
    """
    out = np.full(len(raw), np.nan)
    for i, value in enumerate(raw):
        if isinstance(value, bool) or value is None:
            continue
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            continue
    infinite = np.isinf(out)
    out[infinite] = np.nan
    return out, int(infinite.sum())


__all__ = [
    "BATCH_ROWS",
    "NO_TIME",
    "Skipped",
    "distinguishing",
    "either",
    "empty_rows",
    "epoch_column",
    "float_values",
    "header_lookup",
    "http_status",
    "join",
    "level_in_text",
    "make_series",
    "nanos",
    "numbers",
    "parse_nanos",
    "pick_column",
    "read_log_table",
    "rows",
    "series_names",
    "severity_of",
    "slices",
    "sort_by_time",
    "text",
    "with_notes",
]
