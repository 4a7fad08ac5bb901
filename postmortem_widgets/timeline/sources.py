"""Inputs as bytes: one path for uploads and files, read within the import limits.

A :class:`Source` is what an importer reads: a name and its bytes, or, for exports that are a folder
of files (a Slack export), the members by relative path. :func:`expand_paths` turns any mix of
files, folders and zips into sources.

Every byte an importer reads comes through here (``head``, ``prefix``, ``text``, ``json``, ``data``,
``path``), so the :class:`~postmortem_widgets.timeline.limits.Limits` hold for every format, the day it is
added: only regular files are opened (a FIFO would hang, ``/dev/zero`` never ends), a folder walk stays
inside the folder, a zip member is refused before it is expanded when its size or compression ratio is
past a limit (and a member whose path leaves the archive is skipped with a warning), a JSON document is
parsed only within its size and depth limits. A source that has been imported is released
(:meth:`Source.release`), so a zip's members are held in memory one at a time; a file's or a member's
bytes are let go as soon as its JSON document is decoded, so its bytes, its text and its document are
never held all at once.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import BinaryInputError, EmptyInputError, InputError
from . import _reading
from .folders import _walk
from .limits import Limits, default_limits, format_size
from .zips import _check_expansion, _expand, _members, _open_zip

#: The files that make a folder or zip one Slack export rather than many inputs.
SLACK_MARKERS = ("users.json", "channels.json")
#: What sniffing reads of a file: 64 KiB, or more when its first lines are longer (a wide table).
HEAD_BYTES = 65536


@dataclass
class Source:
    """One input: a file's bytes, or a bundle of members taken as one export."""

    name: str
    data: bytes = b""
    members: Mapping[str, bytes] | None = None
    limits: Limits = field(default_factory=default_limits, repr=False, compare=False)
    #: What the input's expansion left out (a zip member outside the archive, a link out of a folder);
    #: :func:`~postmortem_widgets.timeline.importers.import_source` adds them to the import's warnings.
    warnings: list[str] = field(default_factory=list, repr=False, compare=False)
    _json_error: str | None = field(default=None, init=False, repr=False)

    @property
    def is_bundle(self) -> bool:
        return self.members is not None

    @property
    def size(self) -> int:
        """How many bytes the input holds (known without reading a file or expanding a zip member)."""
        return len(self.data)

    @cached_property
    def text(self) -> str:
        """The bytes decoded: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252; CR-only line ends
        read as ``\\n``."""
        return decode_text(self.data, name=self.name)

    @property
    def path(self) -> Path | None:
        """The file on disk the bytes come from, when there is one (see :class:`FileSource`)."""
        return None

    def prefix(self, size: int) -> bytes:
        """The first ``size`` bytes."""
        return self.data[:size]

    @cached_property
    def head(self) -> str:
        """The first 64 KiB decoded (cut after a whole line), for sniffing without decoding it all.

        When the first two lines do not fit (a table of 10,000 columns), up to twice ``max_line_bytes``.
        """
        size = HEAD_BYTES
        cut = self.prefix(size + 1)
        if len(cut) > size and max(cut.count(b"\n"), cut.count(b"\r")) < 2:
            size = max(size, 2 * self.limits.max_line_bytes)
            cut = self.prefix(size + 1)
        if len(cut) <= size:
            return self.text
        cut = cut[:size]
        if cut[:2] in (b"\xff\xfe", b"\xfe\xff"):
            cut = cut[: len(cut) - len(cut) % 2]
        return decode_text(cut, name=self.name).rsplit("\n", 1)[0]

    @cached_property
    def json(self) -> Any:
        """The parsed JSON document, or ``None`` when the text is not JSON.

        Raises :class:`~postmortem_widgets.errors.LimitError` for a document past ``max_json_bytes`` or
        ``max_json_depth``: before it is parsed, so a hostile one costs a scan of its bytes.
        """
        if self.is_bundle:
            return None
        # The head decides, so sniffing a large CSV never decodes all of it.
        head = self.head.lstrip()[:1]
        if head not in ("{", "["):
            return None
        # JSON lines (a log of one object a line) show a second value in the head: no document, and
        # no reason to read a large log whole to find that out.
        extra = _second_value(self.head)
        if extra is not None:
            self._json_error = f"invalid JSON at line {extra.lineno}, column {extra.colno}: {extra.msg}"
            return None
        if self.size > self.limits.max_json_bytes:
            if _reading.looks_like_json(self.head):
                raise _reading.json_size_error(self.size, name=self.name, limits=self.limits)
            return None
        try:
            return self._parse_json()
        except json.JSONDecodeError as exc:
            self._json_error = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            return None

    def _parse_json(self) -> Any:
        """The document, holding as little of the input at once as it can.

        The bytes are checked against the limits, decoded, and let go (when they can be read again) before
        the text is parsed; the text is kept only when it is not JSON (another importer reads it then).
        """
        if "text" in self.__dict__ or self._utf16():
            return _reading.load_json(self.text, name=self.name, limits=self.limits, raw=self._json_bytes())
        _reading.check_json(self.data, name=self.name, limits=self.limits)
        text = decode_text(self.data, name=self.name)
        self._forget_data()
        try:
            return _reading.parse_json(text, name=self.name, limits=self.limits)
        except json.JSONDecodeError:
            self.__dict__["text"] = text
            raise

    def _utf16(self) -> bool:
        start = self.prefix(2)
        return start in (b"\xff\xfe", b"\xfe\xff") or (len(start) == 2 and b"\x00" in start)

    def _json_bytes(self) -> bytes | None:
        """The bytes to scan for the JSON's depth: the data itself, unless UTF-16 puts a NUL in each."""
        return None if self._utf16() else self.data

    def _forget_data(self) -> None:
        """Let go of the bytes when they can be read again (a file, a zip member); an upload's stay."""

    @property
    def json_error(self) -> str | None:
        """Why :attr:`json` is ``None`` for text that looked like JSON."""
        _ = self.json
        return self._json_error

    def long_line(self, text: str) -> int | None:
        """The number of the first line of ``text`` longer than ``max_line_bytes``, or ``None``."""
        return _reading.first_long_line(text, self.limits.max_line_bytes)

    def line_error(self, line: int | None = None) -> InputError:
        """The error for a line longer than ``max_line_bytes``."""
        return self.limits.error(
            "max_line_bytes",
            f"a line is longer than {format_size(self.limits.max_line_bytes)}",
            file=self.name,
            line=line,
        )

    def release(self) -> None:
        """Forget what was decoded and parsed, so an imported source holds no copy of a large input."""
        for cached in ("text", "head", "json"):
            self.__dict__.pop(cached, None)
        self._json_error = None


def _second_value(head: str) -> json.JSONDecodeError | None:
    """The error ``json.loads`` would raise for text that starts with ``head`` and holds a second value
    after the first (``Extra data``); ``None`` when the head does not show one (its first value is longer
    than the head, or broken: the whole text decides then).

    >>> _second_value('{"a": 1}\\n{"a": 2}\\n').msg, _second_value('{"a": [1, 2]}\\n') is None
    ('Extra data', True)
    """
    start = len(head) - len(head.lstrip(" \t\n\r"))
    try:
        _, end = json.JSONDecoder().raw_decode(head, start)
    except (json.JSONDecodeError, RecursionError):  # too deep to tell here: the depth limit decides later
        return None
    after = end + len(head[end:]) - len(head[end:].lstrip(" \t\n\r"))
    return json.JSONDecodeError("Extra data", head, after) if after < len(head) else None


class FileSource(Source):
    """A regular file on disk, read only when an importer asks for its bytes.

    Sniffing reads the first 64 KiB, and an importer that can read the file itself (the table importer
    hands its path to pyarrow) never copies a large log into Python at all. The file is checked on first
    use: a FIFO, a device or a socket raises :class:`~postmortem_widgets.errors.NotAFileError`, a file past
    ``max_import_bytes`` a :class:`~postmortem_widgets.errors.LimitError`.
    """

    def __init__(self, path: Path, *, limits: Limits | None = None, name: str | None = None) -> None:
        super().__init__(name=name or str(path), limits=limits or default_limits())
        del self.__dict__["data"]  # let the cached property below read it on first use
        self._path = Path(path)
        self._stat: os.stat_result | None = None

    def _checked(self) -> os.stat_result:
        if self._stat is None:
            result = _reading.regular_stat(self._path, name=self.name)
            if result.st_size > self.limits.max_import_bytes:
                raise _reading.too_big(result.st_size, name=self.name, limits=self.limits)
            self._stat = result
        return self._stat

    @cached_property
    def data(self) -> bytes:  # type: ignore[override]
        self._checked()
        return _reading.read_regular(self._path, name=self.name, limits=self.limits)

    @property
    def path(self) -> Path | None:
        self._checked()
        return self._path

    @property
    def size(self) -> int:
        return self._checked().st_size

    def __repr__(self) -> str:
        return f"FileSource({self._path!r})"

    def prefix(self, size: int) -> bytes:
        if "data" in self.__dict__:
            return self.data[:size]
        self._checked()
        return _reading.prefix_regular(self._path, size, name=self.name)

    def _forget_data(self) -> None:
        self.__dict__.pop("data", None)

    def release(self) -> None:
        super().release()
        self._forget_data()


class ZipMemberSource(Source):
    """One member of a zip, expanded only when an importer reads more than its first bytes.

    Its declared size and ratio were checked when the zip was opened (:func:`sources_from_zip`); the
    expansion is capped there too, whatever the member's header says.
    """

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str, limits: Limits) -> None:
        super().__init__(name=name, limits=limits)
        del self.__dict__["data"]
        self._archive = archive
        self._info = info

    @cached_property
    def data(self) -> bytes:  # type: ignore[override]
        return _expand(self._archive, self._info, name=self.name, limits=self.limits)

    @property
    def size(self) -> int:
        return self._info.file_size

    def __repr__(self) -> str:
        return f"ZipMemberSource({self.name!r})"

    def prefix(self, size: int) -> bytes:
        if "data" in self.__dict__:
            return self.data[:size]
        return _expand(self._archive, self._info, name=self.name, limits=self.limits, size=size)

    def _forget_data(self) -> None:
        self.__dict__.pop("data", None)

    def release(self) -> None:
        super().release()
        self._forget_data()


def decode_text(data: bytes, *, name: str) -> str:
    """Decode an export, whatever tool wrote it. Raises on empty or binary data.

    A file whose lines end in a carriage return alone (old Mac tools, some Excel exports) reads as if
    they ended in ``\\n``.

    >>> decode_text("\\ufeffa,b".encode("utf-8"), name="x.csv")
    'a,b'
    >>> decode_text(b"a,b\\r1,2\\r", name="x.csv")
    'a,b\\n1,2\\n'
    """
    if not data[:4096].strip() and not data.strip():
        raise EmptyInputError("the file is empty", file=name, hint="export the timeline again")
    text = _decode(data, name=name)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    return text


def _decode(data: bytes, *, name: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="replace")
    sample = data[:8192]
    if b"\x00" in sample:
        # UTF-16 without BOM has a NUL in every other byte of ASCII text.
        if sample[1::2].count(0) > len(sample) // 4:
            try:
                return data.decode("utf-16-le")
            except UnicodeDecodeError:
                pass
        raise BinaryInputError(
            "this is a binary file, not a text export",
            file=name,
            hint="export the timeline as JSON or CSV",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _is_slack(names: Iterable[str]) -> bool:
    base = {n.rsplit("/", 1)[-1] for n in names if n.count("/") <= 1}
    return all(marker in base for marker in SLACK_MARKERS)


def _strip_common_root(members: dict[str, bytes]) -> dict[str, bytes]:
    """Zips often hold ``export/users.json``: make paths relative to the export's root."""
    for marker in SLACK_MARKERS:
        for path in members:
            if path.endswith("/" + marker) and path.count("/") == 1:
                root = path.split("/", 1)[0] + "/"
                return {k[len(root) :]: v for k, v in members.items() if k.startswith(root)}
    return members


# -- zips ------------------------------------------------------------------------------------------------


def sources_from_zip(data: bytes, *, name: str, limits: Limits | None = None) -> list[Source]:
    """A zip becomes one Slack bundle, or one source per member (expanded when it is read).

    Members whose path leaves the archive (absolute, or through ``..``) are skipped with a warning; an
    archive left with nothing to import raises. Members past ``max_member_bytes`` or ``max_zip_ratio``,
    and archives past ``max_files``, ``max_import_bytes`` or ``max_zip_ratio`` in all, raise a
    :class:`~postmortem_widgets.errors.LimitError` before anything is expanded.
    """
    limits = limits or default_limits()
    if len(data) > limits.max_import_bytes:
        raise _reading.too_big(len(data), name=name, limits=limits)
    archive = _open_zip(data, name=name, limits=limits)
    members, warnings = _members(archive, name=name, limits=limits)
    if not members:
        detail = f" ({'; '.join(warnings)})" if warnings else ""
        raise EmptyInputError(f"the zip holds no file to import{detail}", file=name)
    _check_expansion(list(members.values()), len(data), name=name, limits=limits)
    sources: list[Source]
    if _is_slack(members):
        expanded = {
            k: _expand(archive, info, name=f"{name}!{k}", limits=limits) for k, info in members.items()
        }
        sources = [Source(name=name, members=_strip_common_root(expanded), limits=limits)]
    else:
        sources = [
            ZipMemberSource(archive, info, name=f"{name}!{member}", limits=limits)
            for member, info in sorted(members.items())
        ]
    sources[0].warnings.extend(warnings)
    return sources


def source_from_bytes(data: bytes, *, name: str, limits: Limits | None = None) -> list[Source]:
    """An upload (or a file's content): zips are opened, anything else is one source."""
    limits = limits or default_limits()
    if data[:4] == b"PK\x03\x04":
        return sources_from_zip(data, name=name, limits=limits)
    if len(data) > limits.max_import_bytes:
        raise _reading.too_big(len(data), name=name, limits=limits)
    return [Source(name=name, data=data, limits=limits)]


# -- files and folders -----------------------------------------------------------------------------------


def expand_paths(paths: Iterable[str | Path], *, limits: Limits | None = None) -> Iterator[Source]:
    """Files, folders and zips, in the order given, as sources (read within ``limits``)."""
    limits = limits or default_limits()
    for raw in paths:
        path = Path(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            raise _reading.os_error(exc, str(path)) from None
        if stat.S_ISDIR(mode):
            yield from _folder_sources(path, limits)
        else:
            yield from _file_sources(path, limits)


def _folder_sources(folder: Path, limits: Limits) -> Iterator[Source]:
    walk = _walk(folder, limits)
    relative = {"/".join(parts): path for parts, path in sorted(walk.files)}
    if not relative and walk.warnings:
        raise InputError(f"nothing to import in this folder ({'; '.join(walk.warnings)})", file=str(folder))
    if _is_slack(relative):
        members = {k: _reading.read_regular(v, name=str(v), limits=limits) for k, v in relative.items()}
        yield Source(name=str(folder), members=members, limits=limits, warnings=walk.warnings)
        return
    first = True
    for path in relative.values():
        for source in _file_sources(path, limits):
            if first:  # what the walk left out is said once, with the folder's first input
                source.warnings[:0] = walk.warnings
                first = False
            yield source


def _file_sources(path: Path, limits: Limits) -> list[Source]:
    """A zip's members, or the file itself, read only when an importer needs its bytes."""
    source = FileSource(path, limits=limits)
    if source.prefix(4) == b"PK\x03\x04":
        return sources_from_zip(source.data, name=str(path), limits=limits)
    return [source]
