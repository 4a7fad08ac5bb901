"""Many small CSV files of one shape read as one table: rotated logs, one export per host or per minute.

Each import has a fixed cost (sniffing, a parse, a small event table), a few milliseconds that a large
log never notices but a folder of 5,000 one-row files pays 5,000 times. So the small ``.csv`` and ``.tsv``
files of one folder (or one zip) that share their header line, at least :data:`MIN_FILES` of them, are
joined into one text (the header once, then each file's rows) and imported once. Their events keep their
own file and line, so every event still cites ``check-0042.csv:2``; the import result names the files
as a pattern, ``logs/check-*.csv``, and lists them in :attr:`~.events.ImportResult.files`.

Joining must not change what a file says, so a file is only joined when that is certain: UTF-8, a header
on its first line and at least one row, whole quoted values (an even number of quote marks), and a format
whose ``line`` is a line of the text it read (:data:`LINE_FORMATS`). When the joined import raises or
warns, the files are imported one by one instead, so an error or a warning names the file and line it is
about.

>>> from postmortem_widgets.timeline.sources import Source
>>> rows = [Source(f"logs/check-{i:02}.csv", f"time,message\\n2024-04-15T13:{i:02}:00Z,ok {i}\\n".encode())
...         for i in range(30)]
>>> [type(item).__name__ for item in batched(rows, roles=lambda name: None)]
['Batch']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import PostmortemError
from .events import ImportResult
from .scoping import Window, window_result
from .sources import HEAD_BYTES, Source

#: A folder holding this many same-shaped small files has them read as one (fewer are each an input of
#: their own: two people's hand-written timelines stay two inputs the form lists).
MIN_FILES = 20
#: Only files this small are joined (what sniffing reads of a file): a larger one is worth its own import.
MAX_FILE_BYTES = HEAD_BYTES
#: A batch holds at most this many bytes of rows, then the next one starts: 10,000 files of 60 KiB are
#: joined a thousand at a time, never all in memory at once.
MAX_BATCH_BYTES = 64 << 20
SUFFIXES = (".csv", ".tsv")
#: The formats whose events' ``line`` is the line of the text they were read from.
LINE_FORMATS = frozenset({"table", "splunk_csv", "kibana_csv", "datadog_logs_csv", "opsgenie_csv", "zendesk"})
_BOM = b"\xef\xbb\xbf"


@dataclass
class _Joined:
    """A batch's files as one source, and the lines of it each file's rows take (``[start, end)``)."""

    source: Source
    starts: np.ndarray
    ends: np.ndarray


@dataclass
class Batch:
    """Files of one folder and one header, to be imported as one table (see :func:`import_batch`).

    Only their names are held until then: each file is read when the batch is joined, and let go as its
    rows are copied, so a batch costs its joined text (at most :data:`MAX_BATCH_BYTES`) and no more.
    """

    folder: str
    header: bytes
    role: str | None
    sources: list[Source] = field(default_factory=list)
    size: int = 0

    @property
    def name(self) -> str:
        """The files as a pattern: their folder, the start and end their names share, ``*`` between."""
        names = [s.name[len(self.folder) :] for s in self.sources]
        start = _shared_start(names)
        end = _shared_start([n[len(start) :][::-1] for n in names])[::-1]
        return f"{self.folder}{start}*{end}"

    def joined(self) -> _Joined | None:
        """The header once, then every file's rows; ``None`` when a file no longer reads as it did."""
        chunks = [self.header, b"\n"]
        lines: list[int] = []
        for source in self.sources:
            found = _rows(source)
            source.release()  # the joined text holds its rows now
            if found is None or found[0] != self.header:
                return None
            chunks.append(found[1])
            lines.append(found[1].count(b"\n"))
        lengths = np.asarray(lines, dtype=np.int64)
        starts = 2 + np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        data = b"".join(chunks)
        del chunks
        source = Source(name=self.name, data=data, limits=self.sources[0].limits)
        return _Joined(source=source, starts=starts, ends=starts + lengths)


def batched(
    sources: Iterable[Source], *, roles: Callable[[str], str | None], max_bytes: int = MAX_BATCH_BYTES
) -> Iterator[Source | Batch]:
    """The sources, with the small same-shaped CSV files of each folder gathered into batches.

    A batch takes the place of its first file; sources that join no batch keep their order. ``roles``
    gives the role the user set for an input (files of different roles are not joined); a batch holds at
    most ``max_bytes`` of rows.
    """
    items: list[Source | Batch] = []
    open_batches: dict[tuple[str, bytes, str | None], Batch] = {}
    for source in sources:
        found = _rows(source)
        source.release()  # read again when its batch is joined
        if found is None:
            items.append(source)
            continue
        header, body = found
        folder = _folder(source.name)
        key = (folder, header, roles(source.name))
        batch = open_batches.get(key)
        if batch is None or batch.size + len(body) > max_bytes:
            batch = open_batches[key] = Batch(folder=folder, header=header, role=key[2])
            items.append(batch)
        batch.sources.append(source)
        batch.size += len(body)
    for item in items:
        if isinstance(item, Batch) and len(item.sources) < MIN_FILES:
            yield from item.sources
        else:
            yield item


def import_batch(
    batch: Batch,
    *,
    read: Callable[[Source, str | None], ImportResult],
    read_joined: Callable[[Source, str], ImportResult],
    detect: Callable[[Source], str],
    window: Window | None = None,
) -> list[ImportResult]:
    """The batch's files imported as one table, or one by one when that would not say the same thing.

    ``read(source, format)`` imports one file as usual (``format`` ``None``: detected); ``read_joined``
    the joined text in the format ``detect`` names, with no ``window``: this keeps the events inside it
    once they name their own files, so the window's warning does not send the files one by one.
    """
    joined = batch.joined()
    try:
        name = detect(joined.source) if joined is not None else None
        if joined is not None and name in LINE_FORMATS:
            result = read_joined(joined.source, name)
            if not result.warnings and (attributed := _attributed(result, batch, joined)) is not None:
                return [attributed if window is None else window_result(attributed, window)]
    except PostmortemError:
        pass  # the files one by one say which of them is wrong, and where
    return [read(source, None) for source in batch.sources]


def _attributed(result: ImportResult, batch: Batch, joined: _Joined) -> ImportResult | None:
    """The joined import with each event's file and line its own; ``None`` when a line is not a row's."""
    starts, ends = joined.starts, joined.ends
    lines = result.events["line"].to_numpy(dtype=np.int64)
    which = np.searchsorted(starts, lines, side="right") - 1
    if len(lines) and ((which < 0).any() or (lines >= ends[np.maximum(which, 0)]).any()):
        return None
    names = pd.CategoricalDtype(pd.Index([s.name for s in batch.sources], dtype="str"))
    files = pd.Categorical.from_codes(which, dtype=names, validate=False).remove_unused_categories()
    result.events = result.events.assign(file=files, line=lines - starts[which] + 2)
    for source in batch.sources:
        result.warnings.extend(source.warnings)  # what the folder walk left out, said once
    result.files = tuple(s.name for s in batch.sources)
    return result


def _shared_start(texts: list[str]) -> str:
    """The characters every text starts with (``check-0001.csv``, ``check-0002.csv``: ``check-000``)."""
    first, last = min(texts), max(texts)
    pairs = enumerate(zip(first, last, strict=False))
    size = next((i for i, (a, b) in pairs if a != b), min(len(first), len(last)))
    return first[:size]


def _folder(name: str) -> str:
    """Where a file is: its name up to the last ``/`` (a folder) or ``!`` (a zip), kept."""
    return name[: max(name.rfind("/"), name.rfind("!")) + 1]


def _rows(source: Source) -> tuple[bytes, bytes] | None:
    """The file's header and rows (ending in a newline) when it may be joined to others (see the module's
    rules), else ``None``."""
    if source.is_bundle or not source.name.lower().endswith(SUFFIXES):
        return None
    try:
        if source.size > MAX_FILE_BYTES:
            return None
        data = source.data
    except PostmortemError:
        return None  # imported alone, it raises with its own name
    data = data[len(_BOM) :] if data.startswith(_BOM) else data
    header, newline, body = data.partition(b"\n")
    if not newline or not header.strip() or header.startswith(b"sep=") or not body.strip():
        return None
    if b"\0" in data or data.count(b'"') % 2 or not _utf8(data):
        return None
    return header, body if body.endswith(b"\n") else body + b"\n"


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


__all__ = ["LINE_FORMATS", "MIN_FILES", "Batch", "batched", "import_batch"]
