"""Line-oriented logs read in blocks: whole lines, their file line numbers, and JSON lines as columns.

A log can be larger than memory. It is read in blocks of whole lines (from the file itself when it is on
disk, never all at once), each block parsed by pyarrow (JSON lines) or by a regex over the block's lines
as one Arrow array (access logs), so there is no Python object per line. A block pyarrow refuses (a line
that is not JSON, a field whose type changes) is read again line by line to find out why: broken JSON
raises an error naming its line; other lines are left out and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ...errors import InputError
from ..sources import Source

#: Bytes read at a time: each block becomes one batch of rows.
BLOCK_SIZE = 8 << 20
#: Lines of the head a JSON lines format is judged on.
SAMPLE_LINES = 200
_BOM = b"\xef\xbb\xbf"
_SPACE = np.array([9, 10, 13, 32], dtype=np.uint8)


@dataclass
class Block:
    """Whole lines of a file: the bytes, the file line of the first, where each line starts and stops."""

    data: bytes
    first_line: int
    starts: np.ndarray
    #: Where each line's text stops (before ``\\r\\n`` or ``\\n``).
    stops: np.ndarray

    @property
    def numbers(self) -> np.ndarray:
        """The file line (1-based) of each line of the block."""
        return np.arange(self.first_line, self.first_line + len(self.starts), dtype=np.int64)

    def blank(self) -> np.ndarray:
        """Which lines hold nothing but whitespace.

        Only empty lines and lines that start with a blank are looked at closely: a log has few.
        """
        buf = np.frombuffer(self.data, dtype=np.uint8)
        empty = self.stops <= self.starts
        first = buf[np.minimum(self.starts, max(len(buf) - 1, 0))] if len(buf) else np.zeros(0, np.uint8)
        blank = empty.copy()
        for index in np.flatnonzero(~empty & np.isin(first, _SPACE)):
            blank[index] = not self.data[self.starts[index] : self.stops[index]].strip()
        return blank

    def strings(self) -> pa.Array:
        """The lines as Arrow text without their line ends (invalid UTF-8 replaced, never a crash)."""
        try:
            return _lines_array(self)
        except pa.ArrowInvalid:
            repaired = self.data.decode("utf-8", errors="replace").encode("utf-8")
            return _lines_array(make_block(repaired, self.first_line))


def _lines_array(block: Block) -> pa.Array:
    """Each line up to its line end: one Arrow array over the block's bytes, the ends trimmed."""
    offsets = np.concatenate((block.starts, [len(block.data)])).astype(np.int64)
    array = pa.LargeStringArray.from_buffers(
        len(block.starts), pa.py_buffer(offsets.tobytes()), pa.py_buffer(block.data)
    )
    array.validate(full=True)
    return pc.utf8_rtrim(array, characters="\r\n")


def make_block(data: bytes, first_line: int) -> Block:
    """A block of whole lines (the last may lack its newline)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10).astype(np.int64)
    ends = newlines if data.endswith(b"\n") else np.concatenate((newlines, [len(buf)]))
    starts = np.concatenate(([0], newlines + 1))[: len(ends)]
    stops = ends.copy()
    if len(buf):
        stops[(stops > starts) & (buf[np.maximum(stops - 1, 0)] == 13)] -= 1
    return Block(data=data, first_line=first_line, starts=starts, stops=stops)


def _chunks(source: Source, size: int) -> Iterator[bytes]:
    """The source's bytes in pieces: from the file on disk when there is one (UTF-8 BOM dropped)."""
    start = source.prefix(4)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = source.text.encode("utf-8")  # UTF-16 (Windows tools): re-encoded once
        yield from (data[i : i + size] for i in range(0, len(data), size))
        return
    skip = len(_BOM) if start.startswith(_BOM) else 0
    path = source.path
    if path is None:
        data = source.data
        yield from (data[i : i + size] for i in range(skip, len(data), size))
        return
    with pa.OSFile(str(path)) as file:
        file.seek(skip)
        while chunk := file.read(size):
            yield chunk


def blocks(source: Source, size: int = BLOCK_SIZE) -> Iterator[Block]:
    """The source as blocks of whole lines, about ``size`` bytes each."""
    carry = b""
    line = 1
    for chunk in _chunks(source, size):
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        piece, carry = data[:cut], data[cut:]
        yield make_block(piece, line)
        line += piece.count(b"\n")
    if carry:
        yield make_block(carry, line)


# ----------------------------------------------------------------------------------------------- JSON lines


def head_records(head: str, limit: int = SAMPLE_LINES) -> tuple[list[dict[str, Any]], int]:
    """The JSON objects among the head's first ``limit`` non-blank lines, and how many lines were looked at.

    The head may end inside a line; that line is not judged.
    """
    lines = [line for line in head.lstrip("\ufeff").splitlines() if line.strip()][:limit]
    records: list[dict[str, Any]] = []
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("{"):
            continue
        try:
            value = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):  # a line nested past Python's parser is no record
            continue
        if isinstance(value, dict):
            records.append(value)
    return records, len(lines)


def lookup(record: Any, path: str) -> Any:
    """A field by dotted path, whether written flat (``"log.level"``) or nested (``{"log": {"level"}}``)."""
    if not isinstance(record, dict):
        return None
    if path in record:
        return record[path]
    head, dot, rest = path.partition(".")
    while dot:
        if head in record and isinstance(record[head], dict):
            found = lookup(record[head], rest)
            if found is not None:
                return found
        more, dot, rest = rest.partition(".")
        head = f"{head}.{more}"
    return None


def nested(record: dict[str, Any], path: str) -> bool:
    """Whether ``path`` is found in ``record`` through nested objects rather than as one flat key."""
    return path not in record and lookup(record, path) is not None


def present(records: Sequence[dict[str, Any]], path: str, accept: Callable[[Any], bool]) -> int:
    """How many records have a value at ``path`` that ``accept`` takes."""
    return sum(1 for r in records if (v := lookup(r, path)) is not None and accept(v))


def first_present(
    records: Sequence[dict[str, Any]],
    paths: Iterable[str],
    accept: Callable[[Any], bool],
    *,
    share: float = 0.0,
) -> str | None:
    """The first of ``paths`` present (and accepted) in more than ``share`` of the records."""
    needed = max(1, int(share * len(records)) + (1 if share else 0)) if records else 1
    return next((p for p in paths if present(records, p, accept) >= needed), None)


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_scalar(value: Any) -> bool:
    return is_text(value) or is_number(value)


def arrow_type(records: Sequence[dict[str, Any]], path: str) -> pa.DataType:
    """The type pyarrow reads a field as, from its sampled values: whole numbers, numbers, or text."""
    found = [v for r in records if (v := lookup(r, path)) is not None]
    if found and all(isinstance(v, int) and not isinstance(v, bool) for v in found):
        return pa.int64()
    if found and all(is_number(v) for v in found):
        return pa.float64()
    return pa.string()


@dataclass(frozen=True)
class JsonFields:
    """The fields a JSON lines format reads, each with its type and whether it is written nested."""

    types: Mapping[str, pa.DataType]
    nested: frozenset[str] = frozenset()
    #: How the line-by-line reading turns an odd value into the column's type (journald's byte arrays).
    converters: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @classmethod
    def sampled(
        cls,
        records: Sequence[dict[str, Any]],
        paths: Iterable[str | None],
        *,
        types: Mapping[str, pa.DataType] | None = None,
        converters: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> JsonFields:
        chosen = [p for p in dict.fromkeys(paths) if p]
        given = dict(types or {})
        return cls(
            types={p: given.get(p) or arrow_type(records, p) for p in chosen},
            nested=frozenset(p for p in chosen if any(nested(r, p) for r in records)),
            converters=dict(converters or {}),
        )

    def schema(self) -> pa.Schema:
        """The explicit schema pyarrow reads with: only these fields, nested ones as structs."""
        tree: dict[str, Any] = {}
        for path, kind in self.types.items():
            if path not in self.nested:
                tree[path] = kind
                continue
            node = tree
            *parents, leaf = path.split(".")
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = kind

        def build(node: dict[str, Any]) -> list[pa.Field]:
            return [pa.field(k, pa.struct(build(v)) if isinstance(v, dict) else v) for k, v in node.items()]

        return pa.schema(build(tree))


@dataclass
class JsonBlock:
    """One block of a JSON lines file as columns (one per field), with each row's file line."""

    columns: dict[str, pa.Array]
    lines: np.ndarray
    #: Non-blank lines that are not JSON objects (plain text between the JSON lines), left out.
    not_json: np.ndarray


def read_json_lines(
    source: Source, fields: JsonFields, *, format: str, block_size: int = BLOCK_SIZE
) -> Iterator[JsonBlock]:
    """The fields of every JSON line, block by block."""
    schema = fields.schema()
    for block in blocks(source, block_size):
        solid = ~block.blank()
        if not solid.any():
            continue
        table = _read_block(block, schema)
        if table is not None and table.num_rows == int(solid.sum()):
            columns = {p: _column(table, p, fields) for p in fields.types}
            yield JsonBlock(columns=columns, lines=block.numbers[solid], not_json=np.zeros(0, np.int64))
        else:
            yield _read_lines(block, solid, fields, source=source, format=format)


def _read_block(block: Block, schema: pa.Schema) -> pa.Table | None:
    try:
        return pajson.read_json(
            pa.py_buffer(block.data),
            read_options=pajson.ReadOptions(use_threads=True, block_size=len(block.data) + 1),
            parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None


def _column(table: pa.Table, path: str, fields: JsonFields) -> pa.Array:
    if path not in fields.nested:
        column = table[path]
    else:
        first, *rest = path.split(".")
        column = table[first]
        for name in rest:
            column = pc.struct_field(column, [name])
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _read_lines(
    block: Block, solid: np.ndarray, fields: JsonFields, *, source: Source, format: str
) -> JsonBlock:
    """A block pyarrow refused, line by line: broken JSON raises, plain text is left out."""
    text = block.data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    values: dict[str, list[Any]] = {p: [] for p in fields.types}
    kept: list[int] = []
    odd: list[int] = []
    for index in np.flatnonzero(solid):
        number = int(block.first_line + index)
        line = lines[index].strip()
        record = _record(line, number, source=source, format=format)
        if record is None:
            odd.append(number)
            continue
        kept.append(number)
        for path, column in values.items():
            column.append(lookup(record, path))
    columns = {p: _as_arrow(v, fields.types[p], fields.converters.get(p)) for p, v in values.items()}
    return JsonBlock(columns=columns, lines=np.asarray(kept, np.int64), not_json=np.asarray(odd, np.int64))


def _record(line: str, number: int, *, source: Source, format: str) -> dict[str, Any] | None:
    """One line's object; ``None`` for a line that is not a JSON object; broken JSON raises."""
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        where = (
            f"{exc.msg} character {exc.colno}"
            if exc.msg.endswith(" at")
            else f"{exc.msg} at character {exc.colno}"
        )
        raise InputError(
            f"the line is not complete JSON ({where})",
            file=source.name,
            line=number,
            hint=f"the {format} importer reads one JSON object a line; was the file cut off while it was "
            "written? Remove or repair that line",
        ) from None
    return value if isinstance(value, dict) else None


def _as_arrow(raw: list[Any], kind: pa.DataType, convert: Callable[[Any], Any] | None) -> pa.Array:
    """Values read line by line in the column's type: text from anything, numbers from numbers only."""
    if convert is not None:
        raw = [None if v is None else convert(v) for v in raw]
    if pa.types.is_string(kind):
        return pa.array([_as_text(v) for v in raw], pa.large_string())
    numbers = [float(v) if is_number(v) else _number(v) for v in raw]
    return pa.array(numbers, pa.float64())


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


__all__ = [
    "BLOCK_SIZE",
    "Block",
    "JsonBlock",
    "JsonFields",
    "blocks",
    "first_present",
    "head_records",
    "is_number",
    "is_scalar",
    "is_text",
    "lookup",
    "make_block",
    "present",
    "read_json_lines",
]
