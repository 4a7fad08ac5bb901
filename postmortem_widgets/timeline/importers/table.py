"""Generic tables: a hand-written timeline or a log exported as CSV, TSV, semicolon or pipe separated text.

Encodings: UTF-8 (with or without BOM), Excel's UTF-16 "Unicode text" and cp1252. Columns are found by
name first, then by content:

* **time**: ``time``, ``timestamp``, ``@timestamp``, ``ts``, ``date``, ``datetime``, ``created_at``,
  ``event_time``, ... or else the first column whose values read as times. ISO 8601 with any offset,
  naive times (which need ``--tz``) or epoch numbers (s/ms/us/ns by magnitude). A column of clock times
  (``9:14am``) takes its day from a ``date`` column or from ``--date``.
* **message**: ``message``, ``msg``, ``event``, ``description``, ``summary``, ``text``, ``title``, ...
  or else the text column with the longest values.
* **actor** (optional): ``actor``, ``user``, ``author``, ``who``, ``by``, ...
* **kind** (optional): a ``kind``, ``type`` or ``milestone`` column whose values name a milestone
  (``detected``, ``resolved``, ``customer_report``, ...) sets those rows' kind; other rows are classified
  from their message by :mod:`postmortem_widgets.classify`, ``event`` when no rule matches.

A generic table is a hand-written timeline, so its first event may count as the incident's start. Each
event's ``line`` is its line in the file (the header is line 1). Rows with a field too many or too few
are skipped with a warning naming their lines; blank lines are ignored. A row that repeats an earlier one
(same time, text and actor) is kept: a log that says "payment failed" twice in the same millisecond
recorded two failures. Only the same event in two inputs is a duplicate (see
:func:`postmortem_widgets.timeline.merge.merge_events`).

Large logs are read by pyarrow on every core straight from the file (in blocks, never decoded to ``str``),
with an ISO 8601 time column parsed by pyarrow itself, the messages classified without a Python object per
row (kinds are int8 codes, see :func:`~postmortem_widgets.timeline.classify.classify_codes`) and the times
parsed
while they are classified.
"""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError, MissingColumnError
from .. import events as ev
from ..classify import classify_codes
from ..clock import CLOCK_RE
from ..sources import FileSource, Source
from ..telemetry.model import TIMELINE
from ..timeparse import MAX_TIME, MIN_TIME, epoch_to_utc, parse_times
from . import Importer, ImportOptions, register
from ._csv import Rows, is_text, layout_of, read_table, sample, sniff_layout, too_wide
from ._datecols import DateParts, combine, date_parts, year_of

NAME = "table"

TIME_NAMES: tuple[str, ...] = (
    "time",
    "timestamp",
    "@timestamp",
    "ts",
    "datetime",
    "date_time",
    "event_time",
    "eventtime",
    "created_at",
    "created",
    "occurred_at",
    "logged_at",
    "time_utc",
    "timestamp_utc",
    "start_time",
    "when",
    "_time",
    "date",
)
MESSAGE_NAMES: tuple[str, ...] = (
    "message",
    "msg",
    "event",
    "description",
    "summary",
    "text",
    "title",
    "details",
    "detail",
    "note",
    "notes",
    "body",
    "log",
    "content",
    "what",
    "entry",
    "_raw",
)
ACTOR_NAMES: tuple[str, ...] = (
    "actor",
    "user",
    "username",
    "user_name",
    "author",
    "who",
    "by",
    "owner",
    "responder",
    "person",
    "agent",
    "assignee",
    "reporter",
)
KIND_NAMES: tuple[str, ...] = ("kind", "milestone", "type", "event_type")
DATE_NAMES: tuple[str, ...] = ("date", "day")

#: Values of a kind column and the kind they set (written lower case, spaces as underscores).
KIND_VALUES: dict[str, str] = {
    **{kind: kind for kind in ev.KINDS},
    "start": ev.IMPACT,
    "started": ev.IMPACT,
    "impact": ev.IMPACT,
    "impact_began": ev.IMPACT,
    "detection": ev.DETECTED,
    "paged": ev.PAGE,
    "customer": ev.CUSTOMER,
    "customer_reported": ev.CUSTOMER,
    "ack": ev.ACKNOWLEDGED,
    "acknowledge": ev.ACKNOWLEDGED,
    "identify": ev.IDENTIFIED,
    "root_cause": ev.IDENTIFIED,
    "mitigation": ev.MITIGATED,
    "mitigate": ev.MITIGATED,
    "resolution": ev.RESOLVED,
    "resolve": ev.RESOLVED,
    "recovered": ev.RESOLVED,
}

#: Tables from this many rows parse their times in a thread while their messages are classified.
_OVERLAP_FROM = 50_000
_DIGIT_RE = re.compile(r"\d")
_HOUR_MINUTE_RE = re.compile(r"\d{1,2}:\d{2}")
_DATE_RE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


@dataclass(frozen=True)
class Columns:
    """The columns a table's events come from (``date`` only when ``time`` holds clock times)."""

    time: str
    message: str
    actor: str | None = None
    kind: str | None = None
    date: str | None = None
    #: The clock times need a day from ``--date``.
    needs_date: bool = False
    #: The time is spread over several columns (month, day and time; ``yymmdd`` and ``hhmmss``).
    parts: DateParts | None = None


def _by_name(
    columns: list[str], names: tuple[str, ...], exclude: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    normal = {c: _norm(c) for c in columns if c not in exclude}
    return [c for name in names for c, n in normal.items() if n == name]


def _text(column: pa.ChunkedArray) -> list[str]:
    values = column.cast(pa.string()).to_pylist()
    return [v.strip() for v in values if v is not None and v.strip()]


def _content(column: pa.ChunkedArray) -> str | None:
    """What a sampled column holds: ``time``, ``clock``, ``date`` or ``None``."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        return "time"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        numbers = column.to_numpy()
        numbers = numbers[~np.isnan(numbers.astype("float64"))]
        if not len(numbers):
            return None
        times, _ = epoch_to_utc(numbers)
        inside = (times >= MIN_TIME) & (times <= MAX_TIME)
        return "time" if inside.mean() >= 0.8 else None
    values = _text(column) if pa.types.is_string(kind) or pa.types.is_large_string(kind) else []
    # A handful of sampled values each: plain regexes, not a pandas string call per column (a table of
    # 10,000 columns is looked at column by column).
    if not any(_DIGIT_RE.search(v) for v in values):
        return None
    if sum(1 for v in values if CLOCK_RE.match(v)) >= 0.8 * len(values):
        return "clock"
    dated = [v for v in values if _DATE_RE.search(v)]
    if len(dated) < 0.8 * len(values):
        return None
    parsed = pd.to_datetime(pd.Series(dated, dtype="str"), format="mixed", errors="coerce", utc=True)
    if parsed.notna().mean() < 0.8:
        return None
    has_clock = sum(1 for v in dated if _HOUR_MINUTE_RE.search(v)) >= 0.8 * len(dated)
    return "time" if has_clock else "date"


def find_columns(table: pa.Table, *, file: str, date: str | None = None) -> Columns:
    """Choose the time, message, actor and kind columns from a sample of the table."""
    names = list(table.column_names)
    found = ", ".join(repr(n) for n in names[:20]) + (
        f" and {len(names) - 20:,} more" if len(names) > 20 else ""
    )

    @functools.cache
    def content(name: str) -> str | None:
        return _content(table[name])  # looked at only when the names do not decide

    named = _by_name(names, TIME_NAMES)
    time_column = next((n for n in named if content(n) == "time"), None)
    time_column = time_column or next((n for n in names if content(n) == "time"), None)
    parts = date_parts(table) if time_column is None else None
    if parts is not None:
        year_of(parts, date, file=file)  # no year anywhere: say so before reading the whole table
        return _other_columns(table, names, parts.time, set(parts.columns), file=file, parts=parts)
    clocks = [n for n in named + names if content(n) == "clock"] if time_column is None else []
    date_column = None
    needs_date = False
    if time_column is None and clocks:
        time_column = clocks[0]
        dates = [n for n in _by_name(names, DATE_NAMES) if content(n) == "date"]
        dates += [n for n in names if content(n) == "date" and n not in dates]
        date_column = next(iter(dates), None)
        needs_date = date_column is None
        if needs_date and not date:
            raise InputError(
                f"column {time_column!r} holds clock times but the table has no date column",
                file=file,
                column=time_column,
                hint="add a date column, or pass --date YYYY-MM-DD",
            )
    if time_column is None:
        dates = [n for n in named + names if content(n) == "date"]
        time_column = next(iter(dates), None) or next(iter(named), None)
    if time_column is None:
        raise MissingColumnError(
            f"no time column among the columns found: {found}",
            columns=names,
            file=file,
            hint=f"name the time column one of {', '.join(TIME_NAMES[:8])}, ... or pass --format",
        )
    used = {time_column} | ({date_column} if date_column else set())
    return _other_columns(
        table, names, time_column, used, file=file, date_column=date_column, needs_date=needs_date
    )


def _other_columns(
    table: pa.Table,
    names: list[str],
    time_column: str,
    used: set[str],
    *,
    file: str,
    date_column: str | None = None,
    needs_date: bool = False,
    parts: DateParts | None = None,
) -> Columns:
    """The message, actor and kind columns, once the time columns (``used``) are known."""
    found = ", ".join(repr(n) for n in names)
    actor = next(iter(_by_name(names, ACTOR_NAMES, used)), None)
    used |= {actor} if actor else set()
    kind = next((n for n in _by_name(names, KIND_NAMES, used) if _names_kinds(table[n])), None)
    used |= {kind} if kind else set()
    message = next(iter(_by_name(names, MESSAGE_NAMES, used)), None)
    if message is None:
        text = [n for n in names if n not in used and is_text(table[n]) and _content(table[n]) is None]
        lengths = {n: np.mean([len(v) for v in _text(table[n])] or [0]) for n in text}
        message = max(text, key=lambda n: lengths[n]) if text else None
    if message is None:
        raise MissingColumnError(
            f"no message column among the columns found: {found}",
            columns=names,
            file=file,
            hint=f"name the text column one of {', '.join(MESSAGE_NAMES[:7])}, ...",
        )
    return Columns(
        time=time_column,
        message=message,
        actor=actor,
        kind=kind,
        date=date_column,
        needs_date=needs_date,
        parts=parts,
    )


def _names_kinds(column: pa.ChunkedArray) -> bool:
    return any(_norm(v) in KIND_VALUES for v in _text(column))


def _time_type(column: pa.ChunkedArray) -> pa.DataType:
    """The type pyarrow parses the whole time column as: its own ISO parser and integers are exact."""
    if pa.types.is_timestamp(column.type):
        return pa.timestamp("ns", "UTC") if column.type.tz else pa.timestamp("ns")
    if pa.types.is_integer(column.type):
        return pa.int64()
    return pa.string()  # decimal epochs are split exactly by parse_times


def sniff(source: Source) -> int:
    """50 with a named time column, 40 with times found by content, 5 for any other table."""
    if source.is_bundle or source.json is not None:
        return 0
    layout = sniff_layout(source.head)
    if layout is None:
        return 0
    if _by_name(list(layout.columns), TIME_NAMES) and layout.header:
        return 50
    if too_wide(source, layout):
        return 5  # a table, too wide to sample: its import says so
    try:
        table = sample(source, layout)
    except InputError:
        return 0
    if any(_content(table[n]) in ("time", "clock") for n in table.column_names):
        return 40
    return 5 if all(len(c) <= 40 for c in layout.columns) else 0


def parse_table(
    data: bytes, *, name: str = "table.csv", tz: str | None = None, date: str | None = None
) -> ev.ImportResult:
    """A generic table's bytes as canonical events."""
    return _parse(Source(name=name, data=data), ImportOptions(tz=tz, date=date))


def load_table(path: str | Path, *, tz: str | None = None, date: str | None = None) -> ev.ImportResult:
    """A generic table file as canonical events (pyarrow reads the file itself, see :class:`FileSource`)."""
    return _parse(FileSource(Path(path)), ImportOptions(tz=tz, date=date))


@dataclass
class _Columns:
    """The event columns of a table as arrays, before the event table is built."""

    times: pd.Series
    lines: np.ndarray
    messages: pa.ChunkedArray
    #: Positions in :data:`~postmortem_widgets.timeline.events.KINDS`.
    kinds: np.ndarray
    actors: pa.ChunkedArray | None


def _parse(source: Source, options: ImportOptions) -> ev.ImportResult:
    layout = layout_of(
        source,
        problem="not a table: no comma, tab, semicolon or pipe splits its lines into the same columns",
        hint="export it as CSV, or pass another --format",
    )
    head = sample(source, layout)
    from ..telemetry.tables import import_table  # late: the telemetry readers build on this module

    telemetry = import_table(source, layout, head, options, format=NAME)
    if telemetry is not None:
        return telemetry
    columns = find_columns(head, file=source.name, date=options.date)
    types = {columns.time: _time_type(head[columns.time]) if columns.date is None else pa.string()}
    for extra in (columns.message, columns.actor, columns.kind, columns.date):
        if extra is not None:
            types[extra] = pa.large_string()
    if columns.needs_date:
        types[columns.time] = pa.string()
    for part in columns.parts.columns if columns.parts else ():
        types[part] = pa.string()  # as written: a yymmdd date keeps its leading zero
    rows, warnings = read_table(
        source, layout, columns=list(types), types=types, empty="the table has a header but no rows"
    )
    found = _columns(rows, columns, head, source.name, options, warnings)
    del rows  # the parsed table: what the events need is in ``found``
    events = ev.make_events(
        found.times,
        source=NAME,
        kind=ev.kinds_from_codes(found.kinds),
        message=found.messages,
        actor=found.actors if found.actors is not None else "",
        file=source.name,
        line=found.lines,
    )
    role = options.role_of(source.name) or TIMELINE
    return ev.ImportResult(
        file=source.name,
        format=NAME,
        events=events,
        warnings=warnings,
        handwritten=role == TIMELINE,
        role=role,
    )


def _columns(
    rows: Rows, columns: Columns, head: pa.Table, file: str, options: ImportOptions, warnings: list[str]
) -> _Columns:
    """Times, lines, messages, kinds and actors of the rows that have a time.

    The times of a large table are parsed in a thread while the messages are classified: the classifier's
    regex scan leaves the GIL, so the two overlap on a multi-core machine. A small table is not worth a
    thread (a folder of 5,000 small files would start 5,000).
    """
    table = rows.table
    messages = _clean(table[columns.message], rows.multiline or _padded(head[columns.message]))
    if table.num_rows < _OVERLAP_FROM:
        times = _times(rows, columns, file, options, warnings)
        kinds = classify_codes(messages, default=ev.EVENT)
    else:
        with ThreadPoolExecutor(1) as pool:
            parsing = pool.submit(_times, rows, columns, file, options, warnings)
            kinds = classify_codes(messages, default=ev.EVENT)
            times = parsing.result()
    if columns.kind is not None:
        kinds = _explicit_kinds(table[columns.kind], kinds)
    actors = None
    if columns.actor is not None:
        actors = _clean(table[columns.actor], rows.multiline or _padded(head[columns.actor]))
    lines = rows.lines
    keep = ~np.isnat(times.to_numpy(dtype="datetime64[ns]"))
    if not keep.all():
        mask = pa.array(keep)
        times, lines, kinds = times[keep], lines[keep], kinds[keep]
        messages = messages.filter(mask)
        actors = actors.filter(mask) if actors is not None else None
    return _Columns(times=times, lines=lines, messages=messages, kinds=kinds, actors=actors)


def _times(rows: Rows, columns: Columns, file: str, options: ImportOptions, warnings: list[str]) -> pd.Series:
    if columns.parts is not None:
        year = year_of(columns.parts, options.date, file=file)
        joined = combine(columns.parts, lambda name: rows.table[name], year=year)
        label = columns.parts.label
        parsed = parse_times(joined, tz=options.tz, file=file, column=label, rows=rows.lines)
        warnings.extend(parsed.warnings)
        return parsed.times
    values = rows.table[columns.time]
    if columns.date is not None or columns.needs_date:
        day = rows.table[columns.date].cast(pa.string()) if columns.date else pa.scalar(options.date or "")
        values = pc.binary_join_element_wise(day, pc.utf8_trim_whitespace(values.cast(pa.string())), " ")
    parsed = parse_times(_to_pandas(values), tz=options.tz, file=file, column=columns.time, rows=rows.lines)
    warnings.extend(parsed.warnings)
    return parsed.times


def _to_pandas(values: pa.ChunkedArray) -> pd.Series:
    """A column for pandas; a timestamp column as numpy datetimes given their zone, copied once into numpy."""
    if not pa.types.is_timestamp(values.type):
        plain: pd.Series = values.to_pandas()
        return plain
    joined = values.combine_chunks()  # in pyarrow's memory, which the parse has just freed
    series = pd.Series(joined.to_numpy(zero_copy_only=False), copy=False)
    return series.dt.tz_localize("UTC") if values.type.tz else series


def _padded(column: pa.ChunkedArray) -> bool:
    """The sample's text has blanks around it ("time, message" written with a space after the comma)."""
    return any(v != v.strip() for v in column.cast(pa.string()).to_pylist() if v)


def _clean(column: pa.ChunkedArray, tidy: bool) -> pa.ChunkedArray:
    """Nulls as empty strings; when ``tidy``, text as one line without surrounding blanks.

    Tidying a million-row log costs as much as reading it, so it runs only where the sample or the
    parser (a quoted value spanning lines) shows it is needed.
    """
    column = pc.fill_null(column, "") if column.null_count else column
    if tidy:
        column = pc.utf8_trim_whitespace(pc.replace_substring_regex(column, r"\s*\r?\n\s*", " "))
    return column


def _explicit_kinds(column: pa.ChunkedArray, classified: np.ndarray) -> np.ndarray:
    """Rows whose kind column names a kind keep it; the others keep their classified kind (codes)."""
    normal = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(column, ""))).cast(pa.string())
    normal = pc.replace_substring(normal, " ", "_")
    normal = pc.replace_substring(normal, "-", "_")
    keys = pa.array(list(KIND_VALUES), type=pa.string())
    targets = ev.kind_codes(list(KIND_VALUES.values()))
    index = np.asarray(pc.fill_null(pc.index_in(normal, value_set=keys), -1).to_numpy(zero_copy_only=False))
    return np.where(index >= 0, targets[index], classified).astype(np.int8)


IMPORTER = register(
    Importer(
        name=NAME,
        description="generic table (CSV, TSV, semicolon or pipe separated) with a time and a message column",
        sniff=sniff,
        parse=_parse,
        role=TIMELINE,
    )
)
