"""JSON lines application logs: one object a line, as pino, bunyan, logrus, structlog, zap or ECS write them.

The fields are found by name in the first lines (the first name present wins):

===========  ==========================================================================================
time         ``@timestamp``, ``timestamp``, ``time``, ``ts``, ``@t``, ... (ISO 8601 or epoch numbers,
             s/ms/us/ns by magnitude; naive times need ``--tz``)
level        ``level``, ``log.level`` (flat or nested), ``severity``, ``levelname``, ``lvl``, ``@l``:
             names (``info``, ``ERROR``) or pino / bunyan numbers (30 info, 40 warn, 50 error, 60 fatal)
message      ``msg``, ``message``, ``event`` (structlog), ``@m``, ``@mt``, ``log``, ``line``
labels       ``host`` from ``host.name`` / ``hostname`` / ``host``; ``service`` from ``service.name`` /
             ``service`` / ``app`` / ``name`` (bunyan's logger name); ``stream`` (docker's stdout / stderr)
status       ``http.response.status_code``, ``status``, ``statusCode``, ``res.statusCode``, ... (a number
             100-599; a row is as severe as the worse of its level and its status: 5xx error, 4xx warning)
latency      ``duration``, ``response_time``, ``responseTime``, ``elapsed``, ``latency``, ``took`` in
             milliseconds; ``*_ms`` / ``*_s`` / ``*_us`` / ``*_ns`` by their suffix; ``request_time`` in
             seconds; ECS ``event.duration`` in nanoseconds; Go durations written as text (``"1.5s"``)
===========  ==========================================================================================

Lines without a time, and plain-text lines between the JSON ones (a stack trace printed raw), are left
out with one warning naming them; a line cut off mid-object is an error naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import UNKNOWN, LogRows
from ..telemetry.severity import from_http_status
from . import ImportOptions, register
from ._lines import (
    BLOCK_SIZE,
    JsonBlock,
    JsonFields,
    first_present,
    head_records,
    is_number,
    is_scalar,
    is_text,
    read_json_lines,
)
from ._telemetry import (
    Skipped,
    epoch_column,
    http_status,
    level_in_text,
    numbers,
    parse_nanos,
    rows,
    severity_of,
    text,
    with_notes,
)

NAME = "jsonl"

TIME_KEYS: tuple[str, ...] = (
    "@timestamp",
    "timestamp",
    "time",
    "ts",
    "@t",
    "datetime",
    "date",
    "eventTime",
    "event_time",
    "logged_at",
    "asctime",
    "t",
)
LEVEL_KEYS: tuple[str, ...] = (
    "level",
    "log.level",
    "severity",
    "levelname",
    "lvl",
    "@l",
    "loglevel",
    "log_level",
)
MESSAGE_KEYS: tuple[str, ...] = ("msg", "message", "event", "@m", "@mt", "log", "text", "line")
HOST_KEYS: tuple[str, ...] = ("host.name", "hostname", "host")
SERVICE_KEYS: tuple[str, ...] = ("service.name", "service", "app", "name")
STREAM_KEYS: tuple[str, ...] = ("stream",)
STATUS_KEYS: tuple[str, ...] = (
    "http.response.status_code",
    "status",
    "statusCode",
    "status_code",
    "res.statusCode",
    "response.status",
    "http_status",
    "http.status_code",
)
#: Latency fields and the seconds one unit of each is worth.
LATENCY_KEYS: dict[str, float] = {
    "duration_ms": 1e-3,
    "response_time_ms": 1e-3,
    "latency_ms": 1e-3,
    "elapsed_ms": 1e-3,
    "responseTime": 1e-3,
    "response_time": 1e-3,
    "duration": 1e-3,
    "elapsed": 1e-3,
    "latency": 1e-3,
    "took": 1e-3,
    "request_time": 1.0,
    "duration_s": 1.0,
    "duration_seconds": 1.0,
    "elapsed_s": 1.0,
    "duration_us": 1e-6,
    "duration_ns": 1e-9,
    "event.duration": 1e-9,
}
#: Go and similar durations written as text: ``"1.5s"``, ``"350ms"``, ``"12µs"``.
_DURATION_RE = r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>ns|us|µs|ms|s|m|h)\s*$"
_DURATION = re.compile(_DURATION_RE)
_DURATION_UNITS: dict[str, float] = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
#: journald objects are the journald importer's.
_JOURNALD_MARKERS = ("__REALTIME_TIMESTAMP", "__CURSOR", "__MONOTONIC_TIMESTAMP")


def _is_status(value: Any) -> bool:
    return (is_number(value) and 100 <= value <= 599) or (isinstance(value, str) and value.isdigit())


def _is_latency(value: Any) -> bool:
    return is_number(value) or (isinstance(value, str) and _DURATION.match(value) is not None)


class Layout:
    """Which field of this file's objects holds what, chosen from its first lines."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        self.time = first_present(records, TIME_KEYS, is_scalar, share=0.5)
        self.level = first_present(records, LEVEL_KEYS, is_scalar)
        self.message = first_present(records, MESSAGE_KEYS, is_text)
        self.host = first_present(records, HOST_KEYS, is_text)
        self.service = first_present(records, SERVICE_KEYS, is_text)
        self.stream = first_present(records, STREAM_KEYS, is_text)
        self.status = first_present(records, STATUS_KEYS, _is_status)
        self.latency = first_present(records, LATENCY_KEYS, _is_latency)
        self.fields = JsonFields.sampled(
            records,
            [
                self.time,
                self.level,
                self.message,
                self.host,
                self.service,
                self.stream,
                self.status,
                self.latency,
            ],
            types={k: pa.string() for k in (self.message, self.host, self.service, self.stream) if k},
        )


def sniff(source: Source) -> int:
    """85 for lines of objects with a time and a message or level; 50 with a time only; 30 without a time."""
    if source.is_bundle:
        return 0
    records, looked_at = head_records(source.head, limit=20)
    if not records or len(records) < 0.6 * looked_at:
        return 0
    if any(marker in records[0] for marker in _JOURNALD_MARKERS):
        return 0
    layout = Layout(records)
    if layout.time is None:  # a log without times: claimed weakly, so that reading it says what is missing
        return 30 if layout.message or layout.level else 0
    return 85 if layout.message or layout.level else 50


def read_jsonl(source: Source, options: ImportOptions, *, block_size: int = BLOCK_SIZE) -> Iterator[LogRows]:
    """The log's rows, one batch per block of lines."""
    records, _ = head_records(source.head)
    if not records:
        raise InputError(
            "no JSON object in the first lines",
            file=source.name,
            line=1,
            hint="the jsonl importer reads one JSON object a line (pino, bunyan, logrus, structlog, ECS)",
        )
    layout = Layout(records)
    if layout.time is None:
        raise InputError(
            f"the first lines have no time field (looked for {', '.join(map(repr, TIME_KEYS[:6]))}, ...)",
            file=source.name,
            line=1,
            hint="export the log with its timestamps, or pass the right --format",
        )
    untimed = Skipped("without a time")
    not_json = Skipped("that is not a JSON object", "that are not JSON objects")
    notes: list[str] = []

    def batches() -> Iterator[LogRows]:
        for block in read_json_lines(source, layout.fields, format=NAME, block_size=block_size):
            not_json.add(block.not_json)
            if len(block.lines):
                yield _batch(block, layout, source=source, options=options, skipped=untimed, notes=notes)

    return with_notes(batches(), lambda: [*notes, untimed.warning() or "", not_json.warning() or ""])


def _batch(
    block: JsonBlock,
    layout: Layout,
    *,
    source: Source,
    options: ImportOptions,
    skipped: Skipped,
    notes: list[str],
) -> LogRows:
    columns = block.columns
    count = len(block.lines)
    assert layout.time is not None
    values, present = epoch_column(columns[layout.time])
    time, warnings = parse_nanos(
        values, tz=options.tz, file=source.name, column=layout.time, lines=block.lines, present=present
    )
    notes.extend(w for w in warnings if w not in notes)
    status = http_status(columns.get(layout.status or ""), count)
    message = text(
        columns[layout.message] if layout.message else pa.nulls(count, pa.large_string()), one_line=True
    )
    if layout.level:
        severity = severity_of(columns[layout.level])
    else:  # docker's json-file lines and the like: the level is in the text, if anywhere
        severity = level_in_text(message) if layout.message else np.full(count, UNKNOWN, np.int8)
    if status is not None:
        severity = np.maximum(severity, from_http_status(status))  # the worse of the two
    named = (("host", layout.host), ("service", layout.service), ("stream", layout.stream))
    labels = {name: columns[key] for name, key in named if key is not None}
    return rows(
        time=time,
        severity=severity,
        message=message,
        line=block.lines,
        status=status,
        latency=_latency(columns.get(layout.latency or ""), layout.latency, count),
        labels=labels,
        skipped=skipped,
    )


def _latency(values: pa.Array | None, key: str | None, count: int) -> np.ndarray | None:
    """Seconds: numbers in the field's unit, or durations written with their own unit."""
    if values is None or key is None:
        return None
    seconds = numbers(values, count) * LATENCY_KEYS[key]
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        parts = pc.extract_regex(text(values), _DURATION_RE)
        amount = numbers(pc.struct_field(parts, ["n"]), count)
        units = pc.fill_null(pc.struct_field(parts, ["u"]), "").to_numpy(zero_copy_only=False)
        factor = np.array([_DURATION_UNITS.get(str(u), np.nan) for u in np.unique(units)])
        written = factor[np.searchsorted(np.unique(units), units)] * amount
        seconds = np.where(np.isfinite(written), written, seconds)
    return np.asarray(seconds, dtype=np.float64)


IMPORTER = register(
    log_format(
        NAME,
        "JSON lines application logs (pino, bunyan, logrus, structlog, zap, ECS)",
        sniff=sniff,
        read=read_jsonl,
    )
)

__all__ = ["IMPORTER", "LATENCY_KEYS", "LEVEL_KEYS", "MESSAGE_KEYS", "TIME_KEYS", "read_jsonl", "sniff"]
