"""The systemd journal as ``journalctl -o json`` writes it: one object a line.

``__REALTIME_TIMESTAMP`` is the time the journal received the entry, in epoch microseconds written as a
string (read exactly); ``PRIORITY`` is the syslog priority ``"0"``-``"7"`` (0 emerg .. 3 err .. 6 info, 7
debug); ``MESSAGE`` is the text, or a list of byte values when it holds bytes that are not printable
UTF-8 (colour codes, binary junk), which are decoded here, invalid bytes replaced. The labels are
``host`` (``_HOSTNAME``), ``unit`` (``_SYSTEMD_UNIT``) and ``identifier`` (``SYSLOG_IDENTIFIER``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ...errors import InputError
from ..sources import Source
from ..telemetry.formats import log_format
from ..telemetry.model import LogRows
from ..telemetry.severity import from_syslog
from . import ImportOptions, register
from ._lines import BLOCK_SIZE, JsonBlock, JsonFields, head_records, read_json_lines
from ._telemetry import Skipped, parse_nanos, rows, text, with_notes

NAME = "journald"
TIME = "__REALTIME_TIMESTAMP"
PRIORITY, MESSAGE = "PRIORITY", "MESSAGE"
LABELS: dict[str, str] = {"host": "_HOSTNAME", "unit": "_SYSTEMD_UNIT", "identifier": "SYSLOG_IDENTIFIER"}


def _message_bytes(value: Any) -> Any:
    """A ``MESSAGE`` written as byte values, as text."""
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value).decode("utf-8", errors="replace")
    return value


FIELDS = JsonFields(
    types={name: pa.string() for name in (TIME, PRIORITY, MESSAGE, *LABELS.values())},
    converters={MESSAGE: _message_bytes},
)


def sniff(source: Source) -> int:
    """95 for lines of objects with ``__REALTIME_TIMESTAMP`` and ``MESSAGE`` or ``__CURSOR``; 40 for
    ``-o json-pretty`` (objects over several lines)."""
    if source.is_bundle:
        return 0
    records, looked_at = head_records(source.head, limit=20)
    if not records and f'"{TIME}"' in source.head[:4096]:
        return 40  # journalctl -o json-pretty: claimed, so that reading it says how to export it
    if not records or len(records) < 0.6 * looked_at:
        return 0
    marked = sum(1 for r in records if TIME in r and (MESSAGE in r or "__CURSOR" in r))
    return 95 if marked >= 0.8 * len(records) else 0


def read_journald(
    source: Source, options: ImportOptions, *, block_size: int = BLOCK_SIZE
) -> Iterator[LogRows]:
    """The journal's entries, one batch per block of lines."""
    records, _ = head_records(source.head)
    if not any(TIME in r for r in records):
        raise InputError(
            f"no {TIME!r} in the first lines",
            file=source.name,
            line=1,
            column=TIME,
            hint="export with journalctl -o json (one object a line), not -o json-pretty or the short format",
        )
    untimed = Skipped(f"without {TIME}")
    not_json = Skipped("that is not a JSON object", "that are not JSON objects")

    def batches() -> Iterator[LogRows]:
        for block in read_json_lines(source, FIELDS, format=NAME, block_size=block_size):
            not_json.add(block.not_json)
            if len(block.lines):
                yield _batch(block, source=source, skipped=untimed)

    return with_notes(batches(), lambda: [untimed.warning() or "", not_json.warning() or ""])


def _batch(block: JsonBlock, *, source: Source, skipped: Skipped) -> LogRows:
    columns = block.columns
    time, _ = parse_nanos(
        columns[TIME].to_pandas(), tz=None, file=source.name, column=TIME, lines=block.lines
    )
    return rows(
        time=time,
        severity=from_syslog(columns[PRIORITY]),
        message=text(columns[MESSAGE], one_line=True),
        line=block.lines,
        labels={name: columns[key] for name, key in LABELS.items()},
        skipped=skipped,
    )


IMPORTER = register(
    log_format(
        NAME, "systemd journal, journalctl -o json (one entry a line)", sniff=sniff, read=read_journald
    )
)

__all__ = ["IMPORTER", "read_journald", "sniff"]
