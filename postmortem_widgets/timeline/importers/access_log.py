"""nginx and Apache access logs: the combined (and common) log format, with nginx's timing fields.

    10.4.0.9 - alice [19/May/2024:06:10:35 +0000] "POST /cart/checkout HTTP/1.1" 502 157 "-" "curl" rt=30.004

Each line's time comes from ``[19/May/2024:06:10:35 +0000]`` (its offset is exact); the status code is
the severity (5xx error, 4xx warning, else info) and is kept as ``status``; the message is the method,
path and status (``POST /cart/checkout 502``), or the raw request when it is not one (TLS probes). The
latency, when the format logs it, is nginx's ``rt=`` / ``request_time=`` field or a decimal number of
seconds at the end of the line (``$request_time`` appended to ``combined``). Lines of another shape are
left out with one warning naming them.

Lines are matched by one regular expression over each block's lines as an Arrow array (RE2), so a large
log costs no Python object per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from ..telemetry.severity import from_http_status
from . import ImportOptions, register
from ._lines import BLOCK_SIZE, Block, blocks
from ._telemetry import NO_TIME, Skipped, http_status, join, numbers, parse_nanos, rows, text, with_notes

NAME = "access_log"

LINE = (
    r'^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
    r"(?P<status>\d{3}) (?P<bytes>\d+|-)(?P<rest>.*)$"
)
#: The same, for requests without escaped quotes (nginx writes a quote as ``\\x22``): most lines, fast.
FAST_LINE = (
    r'^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>[^"\\]*)" '
    r"(?P<status>\d{3}) (?:\d+|-)(?:\s|$)"
)
REQUEST = r"^(?P<method>[A-Z]+) (?P<path>\S+)(?: HTTP/[0-9.]+)?$"
#: nginx timing fields (``rt=0.123``, ``request_time=0.123``), in seconds.
NAMED_TIME = r"(?:^|\s)(?:rt|request_time|rtime)=(?P<seconds>\d+(?:\.\d+)?)"
#: A decimal number of seconds ending the line (``"agent" 0.123``, ``(0.123)``).
TRAILING_TIME = r"(?:^|[\s\"(\[])(?P<seconds>\d+\.\d+)[)\]\"]?\s*$"
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
_LINE = re.compile(LINE)


def sniff(source: Source) -> int:
    """90 when most of the first lines are combined or common log format lines."""
    if source.is_bundle:
        return 0
    lines = [line for line in source.head.splitlines() if line.strip()][:50]
    if not lines:
        return 0
    hits = sum(1 for line in lines if _LINE.match(line.strip("\r")))
    return 90 if hits >= 0.6 * len(lines) else 0


def read_access_log(
    source: Source, options: ImportOptions, *, block_size: int = BLOCK_SIZE
) -> Iterator[LogRows]:
    """The log's requests, one batch per block of lines."""
    other = Skipped("in another format", "in another format")
    untimed = Skipped("whose time could not be read")
    timed = _times_requests(source.head)
    seen = [0]

    def batches() -> Iterator[LogRows]:
        for block in blocks(source, block_size):
            batch = _batch(block, source=source, other=other, untimed=untimed, timed=timed)
            if batch is not None:
                seen[0] += len(batch)
                yield batch
        if not seen[0]:
            raise InputError(
                "no line is in the combined or common log format"
                + (f" (first: line {other.first[0]})" if other.first else ""),
                file=source.name,
                line=other.first[0] if other.first else None,
                hint='expected lines like 10.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 512',
            )

    return with_notes(batches(), lambda: [other.warning() or "", untimed.warning() or ""])


def _times_requests(head: str) -> bool:
    """Whether the format logs request times (decided once, from the first lines, for every batch)."""
    rests = [m.group("rest") for line in head.splitlines()[:200] if (m := _LINE.match(line.strip("\r")))]
    return any(re.search(NAMED_TIME, r) or re.search(TRAILING_TIME, r) for r in rests)


def _batch(block: Block, *, source: Source, other: Skipped, untimed: Skipped, timed: bool) -> LogRows | None:
    lines = block.strings()
    numbers_of = block.numbers
    solid = ~block.blank()
    fields, matched = _fields(lines)
    matched &= solid
    other.add(numbers_of[solid & ~matched])
    if not matched.any():
        return None
    keep = pa.array(matched)
    fields = {name: values.filter(keep) for name, values in fields.items()}
    line = numbers_of[matched]
    count = len(line)

    def part(name: str) -> pa.Array:
        return fields[name]

    stamps = pc.strptime(part("time"), format=TIME_FORMAT, unit="s", error_is_null=True)
    unreadable = np.asarray(stamps.is_null().to_numpy(zero_copy_only=False))
    untimed.add(line[unreadable])
    time, _ = parse_nanos(stamps.to_pandas(), tz=None, file=source.name, column="time", lines=line)
    time[unreadable] = NO_TIME
    status = http_status(part("status"), count)
    assert status is not None
    return rows(
        time=time,
        severity=from_http_status(status),
        message=_message(part("request"), part("status")),
        line=line,
        status=status,
        latency=_latency(part("line"), count) if timed else None,
    )


def _fields(lines: pa.Array) -> tuple[dict[str, pa.Array], np.ndarray]:
    """The time, request, status (and the line itself) of each line, and which lines are access log lines.

    A lean expression reads the common case fast (RE2 extracts fields far slower than it matches); only
    the lines it misses (a request with escaped quotes) are read again with the full one.
    """
    fast = pc.extract_regex(lines, FAST_LINE)
    matched = np.array(fast.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    fields = {name: pc.struct_field(fast, [name]) for name in ("time", "request", "status")}
    missed = ~matched
    if missed.any():
        mask = pa.array(missed)
        slow = pc.extract_regex(lines.filter(mask), LINE)
        for name in fields:
            fields[name] = pc.replace_with_mask(fields[name], mask, pc.struct_field(slow, [name]))
        matched[missed] = np.asarray(slow.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    fields["line"] = lines
    return fields, matched


def _message(request: pa.Array, status: pa.Array) -> pa.Array:
    """``METHOD /path STATUS``; the raw request (or ``-``) and the status when it is not a request line."""
    found = pc.extract_regex(request, REQUEST)
    method_path = join(pc.struct_field(found, ["method"]), pc.struct_field(found, ["path"]), sep=" ")
    shown = pc.if_else(found.is_valid(), method_path, text(request, one_line=True))
    return join(text(shown), status, sep=" ")


def _latency(line: pa.Array, count: int) -> np.ndarray:
    """Seconds from the timing fields at the end of each line (NaN where a line has none)."""
    named = numbers(pc.struct_field(pc.extract_regex(line, NAMED_TIME), ["seconds"]), count)
    trailing = numbers(pc.struct_field(pc.extract_regex(line, TRAILING_TIME), ["seconds"]), count)
    return np.where(np.isfinite(named), named, trailing)


IMPORTER = register(
    log_format(
        NAME,
        "nginx / Apache access log (combined or common format, optional request time)",
        sniff=sniff,
        read=read_access_log,
    )
)

__all__ = ["IMPORTER", "LINE", "read_access_log", "sniff"]
