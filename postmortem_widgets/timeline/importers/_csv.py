"""Delimited text read fast: the encoding, the delimiter, pyarrow's parser on every core, and file lines.

Generic tables and vendor CSV exports (Zendesk) share this. A UTF-8 file on disk is read by pyarrow itself,
block by block (never whole in memory, never decoded to ``str``); UTF-16 (Excel's "Unicode text") is
re-encoded once and cp1252 is transcoded by pyarrow. Rows with a field too many or too few are skipped by
the parser but never in silence: the reader returns their file lines so the importer can say where.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...errors import EmptyInputError, InputError
from ..sources import Source

DELIMITERS: tuple[str, ...] = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
#: How many first rows decide the delimiter.
SNIFF_ROWS = 50
#: Files from this size count their lines in a thread while pyarrow parses them.
_COUNT_APART_FROM = 1 << 22
#: Files from this size are parsed on every core (a small one costs more to hand out than to read).
_THREADS_FROM = 1 << 20
#: What pyarrow says of a row longer than its blocks (which are at least ``max_line_bytes``).
_TOO_LONG = ("straddling object", "larger than block size")
#: A header cell that is really a value (a date-time or an epoch number) means the table has no header.
_VALUE_RE = re.compile(r"^\s*(?:\d{4}-\d{2}-\d{2}[T ]\d|\d{9,19}(?:\.\d+)?\s*$)")


@dataclass(frozen=True)
class Layout:
    """How a table is written: its delimiter, its column names, and whether line 1 holds them."""

    delimiter: str
    columns: tuple[str, ...]
    header: bool = True


@dataclass
class Rows:
    """The columns asked for, each row's file line, and the lines of rows skipped as malformed."""

    table: pa.Table
    lines: np.ndarray
    #: How many rows were skipped for a wrong field count, their lines (when they could be placed) and
    #: the first one's text.
    malformed_count: int = 0
    malformed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    first_malformed: str = ""
    warnings: list[str] = field(default_factory=list)
    #: Some quoted value spans lines (its text holds newlines).
    multiline: bool = False


@functools.lru_cache(maxsize=4)  # each importer's sniff, then the parse, ask about the same head
def sniff_layout(head: str) -> Layout | None:
    """The delimiter that splits the first rows into the same number of fields (two or more), or ``None``.

    >>> sniff_layout("time;message\\n2024-04-15T09:14:00Z;Deploy\\n")
    Layout(delimiter=';', columns=('time', 'message'), header=True)
    """
    text = head.lstrip("\r\n")
    first_line = text.split("\n", 1)[0]
    best: tuple[float, int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        if delimiter not in first_line:
            continue
        try:
            rows = [
                r for r in itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), SNIFF_ROWS)
            ]
        except csv.Error:
            continue
        rows = [r for r in rows if any(cell.strip() for cell in r)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:]
        agree = sum(len(r) == width for r in body) / len(body) if body else 1.0
        if body and agree < 0.5:
            # Rows that agree with each other but not with the header are still a table (a ragged one).
            common = max(sum(len(r) == n for r in body) for n in {len(r) for r in body})
            agree = common / len(body) if min(len(r) for r in body) >= 2 else 0.0
        if agree >= 0.5 and (best is None or (agree, width) > best[:2]):
            best = (agree, width, delimiter, rows[0])
    if best is None:
        return None
    _, width, delimiter, first = best
    header = not any(_VALUE_RE.match(cell) for cell in first)
    names = _names(first) if header else tuple(f"column_{i}" for i in range(1, width + 1))
    return Layout(delimiter=delimiter, columns=names, header=header)


def layout_of(source: Source, *, problem: str, hint: str) -> Layout:
    """The source's :func:`sniff_layout`; an :class:`InputError` saying ``problem`` when it is no table."""
    layout = sniff_layout(source.head)
    if layout is None:
        raise InputError(problem, file=source.name, hint=hint)
    if too_wide(source, layout):
        raise source.limits.error(
            "max_columns",
            f"the table has {len(layout.columns):,} columns",
            file=source.name,
            found=len(layout.columns),
        )
    return layout


def too_wide(source: Source, layout: Layout) -> bool:
    """More columns than ``max_columns``: reading them costs more than linear time."""
    return len(layout.columns) > source.limits.max_columns


def _names(cells: Sequence[str]) -> tuple[str, ...]:
    """Header names stripped, blanks named by position, repeats numbered (pyarrow needs them unique)."""
    names: list[str] = []
    taken: set[str] = set()
    suffix: dict[str, int] = {}  # the next number to try for a repeated name: a row of one value is linear
    for number, cell in enumerate(cells, start=1):
        name = base = cell.strip().lstrip("\ufeff").strip() or f"column_{number}"
        while name in taken:
            suffix[base] = suffix.get(base, 1) + 1
            name = f"{base}_{suffix[base]}"
        names.append(name)
        taken.add(name)
    return tuple(names)


def sample(source: Source, layout: Layout) -> pa.Table:
    """The first rows (from the decoded head), every column, types inferred by pyarrow."""
    head = source.head.lstrip("\r\n").encode("utf-8")
    if not head.endswith(b"\n"):
        head += b"\n"  # a head of the header alone (its rows are longer than the head) reads as no rows
    try:
        return pacsv.read_csv(
            pa.BufferReader(head),
            read_options=_read_options(layout, use_threads=False, least=len(head) + 1),
            parse_options=pacsv.ParseOptions(
                delimiter=layout.delimiter, newlines_in_values=True, invalid_row_handler=lambda _: "skip"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"cannot read the table ({exc})", file=source.name) from None


def _read_options(
    layout: Layout, *, use_threads: bool, size: int = 0, encoding: str = "utf8", least: int = 1 << 20
) -> pacsv.ReadOptions:
    # Blocks of a few MB: each block is a chunk for the column kernels (a regex compiles once per chunk,
    # see classify._MAX_CHUNKS), at least one per core, and the blocks in flight bound the parser's memory.
    # A row must fit in (about) a block, so blocks are at least ``least``: the longest line allowed.
    block = max(int(min(max(size // (4 * pa.cpu_count()), 1 << 20), 6 << 20)), least)
    return pacsv.ReadOptions(
        use_threads=use_threads,
        block_size=block,
        column_names=list(layout.columns),
        skip_rows=1 if layout.header else 0,
        encoding=encoding,
    )


@dataclass
class _Payload:
    """What pyarrow reads: a file on disk it reads block by block, or bytes in memory."""

    buffer: pa.Buffer | None
    path: Path | None
    size: int
    #: Blank lines cut from the top (pyarrow would read them as rows).
    skipped: int = 0

    def open(self) -> pa.NativeFile:
        return pa.OSFile(str(self.path)) if self.buffer is None else pa.BufferReader(self.buffer)

    def whole(self) -> pa.Buffer:
        """All the bytes at once (memory-mapped from a file), for the passes that need them together."""
        return self.buffer if self.buffer is not None else pa.memory_map(str(self.path)).read_buffer()


def _payload(source: Source) -> _Payload:
    """The bytes pyarrow reads.

    A UTF-8 file on disk is read by pyarrow itself, in blocks (never all of it in memory at once); UTF-16 is
    re-encoded as UTF-8 and blank lines at the top are cut first. pyarrow drops a UTF-8 BOM itself.
    """
    path = source.path
    start = source.prefix(8192)
    utf16 = start[:2] in (b"\xff\xfe", b"\xfe\xff")
    utf16_le = not utf16 and b"\x00" in start and start[1::2].count(0) > len(start) // 4
    plain = not utf16 and not utf16_le and not _cr_only(start)
    if path is not None and plain and start[:1] not in (b"\r", b"\n"):
        return _Payload(buffer=None, path=path, size=path.stat().st_size)
    buffer = pa.memory_map(str(path)).read_buffer() if path is not None else pa.py_buffer(source.data)
    if utf16:
        buffer = pa.py_buffer(buffer.to_pybytes().decode("utf-16", errors="replace").encode("utf-8"))
    elif utf16_le:
        buffer = pa.py_buffer(buffer.to_pybytes().decode("utf-16-le", errors="replace").encode("utf-8"))
    if _cr_only(buffer.slice(0, min(8192, buffer.size)).to_pybytes()):
        # Lines that end in a carriage return alone (old Mac tools): pyarrow reads them, but the line
        # count and the row lines look for "\n".
        buffer = pa.py_buffer(buffer.to_pybytes().replace(b"\r", b"\n"))
    start = buffer.slice(0, min(4096, buffer.size)).to_pybytes()
    blank = len(start) - len(start.lstrip(b"\r\n")) if start[:1] in (b"\r", b"\n") else 0
    trimmed = buffer.slice(blank)
    return _Payload(buffer=trimmed, path=None, size=trimmed.size, skipped=start.count(b"\n", 0, blank))


def _cr_only(start: bytes) -> bool:
    """Lines end in a carriage return alone (UTF-8 or a single-byte encoding)."""
    return b"\r" in start and b"\n" not in start


def read_table(
    source: Source,
    layout: Layout,
    *,
    columns: Sequence[str],
    types: Mapping[str, pa.DataType],
    empty: str,
) -> tuple[Rows, list[str]]:
    """:func:`read_rows` and the warnings to show for them; a table left without rows raises.

    Rows all malformed raise :func:`unreadable`; a table with no rows at all an :class:`EmptyInputError`
    saying ``empty``.
    """
    rows = read_rows(source, layout, columns=columns, types=types)
    warnings = list(rows.warnings)
    if (note := malformed_warning(rows, layout)) is not None:
        warnings.append(note)
    if not rows.table.num_rows:
        if rows.malformed_count:
            raise unreadable(rows, layout, file=source.name)
        raise EmptyInputError(empty, file=source.name)
    return rows, warnings


def read_text_table(
    source: Source, layout: Layout, columns: Sequence[str], *, empty: str
) -> tuple[Rows, list[str]]:
    """:func:`read_table` of ``columns`` as text, each parsed by the caller (dates, ids, names)."""
    return read_table(
        source, layout, columns=columns, types=dict.fromkeys(columns, pa.large_string()), empty=empty
    )


def read_rows(
    source: Source,
    layout: Layout,
    *,
    columns: Sequence[str],
    types: Mapping[str, pa.DataType],
) -> Rows:
    """Read ``columns`` of the whole table with pyarrow on every core.

    ``types`` are tried first (e.g. ``timestamp[ns, UTC]`` for an ISO column, so pyarrow parses it); when a
    value does not fit, the columns are read as text instead and the caller's parser names the bad rows.
    """
    payload = _payload(source)
    # Counting the lines of a large file overlaps the parse (numpy leaves the GIL while it counts).
    counter = ThreadPoolExecutor(1) if payload.size >= _COUNT_APART_FROM else None
    physical = counter.submit(_count_lines, payload) if counter is not None else None
    try:
        return _read_rows(source, layout, payload, columns, types, physical)
    finally:
        if counter is not None:
            counter.shutdown(wait=True)


def _read_rows(
    source: Source,
    layout: Layout,
    payload: _Payload,
    columns: Sequence[str],
    types: Mapping[str, pa.DataType],
    physical: Future[int] | None,
) -> Rows:
    encoding = "utf8"
    bad: list[str] = []

    def record(row: pacsv.InvalidRow) -> str:
        bad.append(row.text)
        return "skip"

    wanted = dict(types)
    quoted_newlines = False
    while True:
        bad.clear()
        try:
            with payload.open() as stream:
                table = pacsv.read_csv(
                    stream,
                    read_options=_read_options(
                        layout,
                        use_threads=payload.size >= _THREADS_FROM,
                        size=payload.size,
                        encoding=encoding,
                        least=source.limits.max_line_bytes,
                    ),
                    parse_options=pacsv.ParseOptions(
                        delimiter=layout.delimiter,
                        newlines_in_values=quoted_newlines,
                        ignore_empty_lines=False,
                        invalid_row_handler=record,
                    ),
                    convert_options=pacsv.ConvertOptions(include_columns=list(columns), column_types=wanted),
                )
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "UTF8" in message and encoding == "utf8":
                encoding = "cp1252"
                continue
            if "conversion error" in message and not all(_is_text_type(t) for t in wanted.values()):
                wanted = {name: t if _is_text_type(t) else pa.large_string() for name, t in wanted.items()}
                continue
            if any(sign in message for sign in _TOO_LONG):
                raise source.line_error() from None
            raise InputError(f"cannot read the table ({message})", file=source.name) from None
        # An unbalanced quote in a skipped row is a quoted value that spans lines: read again allowing them.
        if not quoted_newlines and any(text.count('"') % 2 for text in bad):
            quoted_newlines = True
            continue
        break
    skipped = payload.skipped
    first_line = skipped + (2 if layout.header else 1)
    malformed = list(bad)
    lines_in_file = physical.result() if physical is not None else _count_lines(payload)
    if not bad and lines_in_file == table.num_rows + (1 if layout.header else 0):
        # One row a line (blank lines are rows of nulls to pyarrow here): the common case costs one count.
        lines = np.arange(first_line, first_line + table.num_rows, dtype=np.int64)
        return _without_blank(Rows(table=table, lines=lines, multiline=quoted_newlines))
    lines, malformed_lines, spanning = _record_lines(payload.whole(), layout, skipped)
    warnings: list[str] = []
    if len(lines) != table.num_rows or len(malformed_lines) != len(malformed):
        lines = np.arange(first_line, first_line + table.num_rows, dtype=np.int64)
        malformed_lines = np.zeros(0, dtype=np.int64)
        warnings.append("unusual quoting: the line numbers given for rows are approximate")
    return _without_blank(
        Rows(
            table=table,
            lines=lines,
            malformed_count=len(malformed),
            malformed=malformed_lines,
            first_malformed=malformed[0] if malformed else "",
            warnings=warnings,
            multiline=quoted_newlines or spanning,
        )
    )


def _without_blank(rows: Rows) -> Rows:
    """Blank lines (every column read empty) are no events: drop them without a warning.

    pyarrow reads a blank line as a row of nulls and empty strings. A typed column without nulls
    (the usual timestamp column) proves there are none, at no cost.
    """
    columns = rows.table.columns
    if any(not is_text(c) and not c.null_count for c in columns):
        return rows
    blank = np.ones(rows.table.num_rows, dtype=bool)
    for column in columns:
        empty = pc.is_null(column)
        if is_text(column):
            empty = pc.or_(empty, pc.equal(column, ""))
        blank &= pc.fill_null(empty, True).to_numpy(zero_copy_only=False)
    if not blank.any():
        return rows
    return replace(rows, table=rows.table.filter(pa.array(~blank)), lines=rows.lines[~blank])


def is_text(column: pa.ChunkedArray) -> bool:
    return _is_text_type(column.type)


def _is_text_type(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _count_lines(payload: _Payload) -> int:
    """Physical lines, counted in slices: one pass, no file-sized temporary, a file never all in memory."""
    step = 1 << 22
    count = 0
    last = b""
    if payload.buffer is not None:
        data = np.frombuffer(payload.buffer, dtype=np.uint8)
        count = sum(int(np.count_nonzero(data[i : i + step] == 10)) for i in range(0, len(data), step))
        last = payload.buffer.slice(payload.buffer.size - 1).to_pybytes() if payload.buffer.size else b""
    elif payload.path is not None:
        block = bytearray(step // 4)  # read into a buffer the cache holds, counted there
        view = np.frombuffer(block, dtype=np.uint8)
        with payload.path.open("rb", buffering=0) as file:
            while size := file.readinto(block):
                count += int(np.count_nonzero(view[:size] == 10))
                last = bytes(block[size - 1 : size])
    return count + (1 if last and last != b"\n" else 0)


def _record_lines(payload: pa.Buffer, layout: Layout, skipped: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Each row's file line, the lines of malformed rows, and whether a quoted value spans lines.

    Only for tables that are not one row a line (ragged rows, values spanning lines), so this pass over
    the bytes costs nothing in the common case. Newlines and delimiters inside quotes are recognised by
    the parity of the quotes before them. Blank lines are rows to pyarrow (of nulls), so they are here.
    """
    buf = np.frombuffer(payload, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    quotes = np.flatnonzero(buf == 34)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0] if len(quotes) else newlines
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(buf)]))
    keep = starts < len(buf)
    starts, stops = starts[keep], stops[keep]
    delimiters = np.flatnonzero(buf == ord(layout.delimiter))
    if len(quotes):
        delimiters = delimiters[np.searchsorted(quotes, delimiters) % 2 == 0]
    fields = np.searchsorted(delimiters, stops) - np.searchsorted(delimiters, starts) + 1
    blank = (stops - starts == 0) | ((stops - starts == 1) & (buf[np.minimum(starts, len(buf) - 1)] == 13))
    lines = np.searchsorted(newlines, starts) + 1 + skipped
    if layout.header:
        lines, fields, blank = lines[1:], fields[1:], blank[1:]
    rows = (fields == len(layout.columns)) | blank
    return lines[rows].astype(np.int64), lines[~rows].astype(np.int64), len(ends) < len(newlines)


def describe_lines(lines: Sequence[int] | np.ndarray, limit: int = 8) -> str:
    """``5, 9, 12 and 3 more``."""
    shown = ", ".join(str(int(n)) for n in list(lines)[:limit])
    more = len(lines) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def malformed_warning(rows: Rows, layout: Layout) -> str | None:
    """The warning for rows the parser skipped, naming their lines; ``None`` when there were none."""
    if not rows.malformed_count:
        return None
    where = (
        f"lines {describe_lines(rows.malformed)}"
        if len(rows.malformed)
        else f"first: {rows.first_malformed[:60]!r}"
    )
    return (
        f"{rows.malformed_count} malformed row(s) skipped ({where}): expected {len(layout.columns)} "
        f"{DELIMITER_NAMES[layout.delimiter]}-separated fields; quote values that contain the delimiter"
    )


def unreadable(rows: Rows, layout: Layout, *, file: str) -> InputError:
    """The error for a table whose every row was malformed."""
    where = f" (lines {describe_lines(rows.malformed)})" if len(rows.malformed) else ""
    return InputError(
        f"no row has the header's {len(layout.columns)} {DELIMITER_NAMES[layout.delimiter]}-separated "
        f"fields: {rows.malformed_count} malformed row(s){where}",
        file=file,
        line=int(rows.malformed[0]) if len(rows.malformed) else None,
        hint="check the delimiter, and quote values that contain it",
    )
