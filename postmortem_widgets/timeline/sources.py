"""Inputs as bytes: one path for uploads and files.

A :class:`Source` is what an importer reads: a name and its bytes, or, for exports that are a folder
of files (a Slack export), the members by relative path. :func:`expand_paths` turns any mix of
files, folders and zips into sources.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import BinaryInputError, EmptyInputError, InputError

#: Files in a folder or zip that are never timelines.
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "incident.yaml", "incident.yml", "README.md"}
_SKIP_PREFIXES = (".", "__MACOSX")
#: The files that make a folder or zip one Slack export rather than many inputs.
SLACK_MARKERS = ("users.json", "channels.json")


@dataclass
class Source:
    """One input: a file's bytes, or a bundle of members taken as one export."""

    name: str
    data: bytes = b""
    members: Mapping[str, bytes] | None = None
    _json_error: str | None = field(default=None, init=False, repr=False)

    @property
    def is_bundle(self) -> bool:
        return self.members is not None

    @cached_property
    def text(self) -> str:
        """The bytes decoded: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252."""
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
        """The first 64 KiB decoded, for sniffing large files without decoding them whole."""
        cut = self.prefix(65537)
        if len(cut) <= 65536:
            return self.text
        cut = cut[:65536]
        if cut[:2] in (b"\xff\xfe", b"\xfe\xff"):
            cut = cut[: len(cut) - len(cut) % 2]
        return decode_text(cut, name=self.name).rsplit("\n", 1)[0]

    @cached_property
    def json(self) -> Any:
        """The parsed JSON document, or ``None`` when the text is not JSON."""
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
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            self._json_error = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            return None

    @property
    def json_error(self) -> str | None:
        """Why :attr:`json` is ``None`` for text that looked like JSON."""
        _ = self.json
        return self._json_error


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
    except json.JSONDecodeError:
        return None
    after = end + len(head[end:]) - len(head[end:].lstrip(" \t\n\r"))
    return json.JSONDecodeError("Extra data", head, after) if after < len(head) else None


class FileSource(Source):
    """A file on disk, read only when an importer asks for its bytes.

    Sniffing reads the first 64 KiB, and an importer that can read the file itself (the table importer
    hands its path to pyarrow) never copies a large log into Python at all.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(name=str(path))
        del self.__dict__["data"]  # let the cached property below read it on first use
        self._path = path

    @cached_property
    def data(self) -> bytes:  # type: ignore[override]
        return self._path.read_bytes()

    @property
    def path(self) -> Path | None:
        return self._path

    def __repr__(self) -> str:
        return f"FileSource({self._path!r})"

    def prefix(self, size: int) -> bytes:
        if "data" in self.__dict__:
            return self.data[:size]
        with self._path.open("rb") as file:
            return file.read(size)


def decode_text(data: bytes, *, name: str) -> str:
    """Decode an export, whatever tool wrote it. Raises on empty or binary data.

    >>> decode_text("\\ufeffa,b".encode("utf-8"), name="x.csv")
    'a,b'
    """
    if not data.strip():
        raise EmptyInputError("the file is empty", file=name, hint="export the timeline again")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
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


def _skip(relative: str) -> bool:
    parts = relative.split("/")
    return any(p.startswith(_SKIP_PREFIXES) for p in parts) or parts[-1] in _SKIP_NAMES


def sources_from_zip(data: bytes, *, name: str) -> list[Source]:
    """A zip becomes one Slack bundle, or one source per member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a readable zip archive ({exc})", file=name) from None
    with archive:
        members = {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    members = {k: v for k, v in members.items() if not _skip(k)}
    if _is_slack(members):
        return [Source(name=name, members=_strip_common_root(members))]
    return [Source(name=f"{name}!{member}", data=content) for member, content in sorted(members.items())]


def _strip_common_root(members: dict[str, bytes]) -> dict[str, bytes]:
    """Zips often hold ``export/users.json``: make paths relative to the export's root."""
    for marker in SLACK_MARKERS:
        for path in members:
            if path.endswith("/" + marker) and path.count("/") == 1:
                root = path.split("/", 1)[0] + "/"
                return {k[len(root) :]: v for k, v in members.items() if k.startswith(root)}
    return members


def source_from_bytes(data: bytes, *, name: str) -> list[Source]:
    """An upload (or a file's content): zips are opened, anything else is one source."""
    if data[:4] == b"PK\x03\x04":
        return sources_from_zip(data, name=name)
    return [Source(name=name, data=data)]


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Source]:
    """Files, folders and zips, in the order given, as sources."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError("no such file or folder", file=str(path), hint="check the path")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            relative = {p.relative_to(path).as_posix(): p for p in files}
            relative = {k: v for k, v in relative.items() if not _skip(k)}
            if _is_slack(relative):
                yield Source(name=str(path), members={k: v.read_bytes() for k, v in relative.items()})
            else:
                for p in relative.values():
                    yield from _file_sources(p)
        else:
            yield from _file_sources(path)


def _file_sources(path: Path) -> list[Source]:
    """A zip's members, or the file itself, read only when an importer needs its bytes."""
    with path.open("rb") as file:
        zipped = file.read(4) == b"PK\x03\x04"
    return source_from_bytes(path.read_bytes(), name=str(path)) if zipped else [FileSource(path)]
