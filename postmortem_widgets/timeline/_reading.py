"""Reading bytes safely: regular files only, never past a limit, JSON within its size and depth.

The helpers :mod:`~postmortem_widgets.timeline.sources` (and its :mod:`.zips` and :mod:`.folders`) read
with. None of them trusts the input: a FIFO
or a device is refused before it is read (opening a FIFO blocks until a writer comes, ``/dev/zero`` never
ends), a file is read only up to the byte limit even when it grows or lies about its size (``/proc``), and
a JSON document's nesting is measured on its bytes before :func:`json.loads` recurses into it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..errors import InputError, NotAFileError
from .limits import Limits, format_size

#: What a file that is not a regular file is, for the error.
_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
#: The bytes the JSON depth scan takes at a time (its temporaries are a few times this).
_SCAN_CHUNK = 1 << 20
_QUOTE, _BACKSLASH = 34, 92
#: Byte tables: which bytes are brackets, and which of those open.
_BRACKET = np.zeros(256, dtype=bool)
_BRACKET[[91, 93, 123, 125]] = True
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[91, 123]], _STEP[[93, 125]] = 1, -1
#: The start of a JSON document, as opposed to text that merely begins with a bracket
#: (``[2024-04-15 11:47] All dashboards restored``).
_JSON_START = re.compile(
    r"""\s*(?:\{\s*["}]|\[\s*(?:[\[{"\]]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*[,\]]|(?:true|false|null)\b))"""
)


def kind_of(mode: int) -> str:
    """What a file of this mode is: ``a FIFO (named pipe)``, ``a socket``, ... or ``a special file``."""
    return next((kind for test, kind in _KINDS if test(mode)), "a special file")


def os_error(exc: OSError, name: str) -> InputError:
    """The error for a file that cannot be opened or looked at."""
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file or folder", file=name, hint="check the path")
    if isinstance(exc, PermissionError):
        return InputError("permission denied", file=name, hint="check the file's permissions")
    return InputError(f"cannot read the file ({exc.strerror or exc})", file=name)


def not_a_file(mode: int, name: str) -> NotAFileError:
    return NotAFileError(
        f"this is {kind_of(mode)}, not a file: only regular files are read",
        file=name,
        hint="save the export to a file and import that",
    )


def regular_stat(path: Path, *, name: str) -> os.stat_result:
    """The stat of a regular file (links followed); an error naming the file for anything else."""
    try:
        result = os.stat(path)
    except OSError as exc:
        raise os_error(exc, name) from None
    if not stat.S_ISREG(result.st_mode):
        raise not_a_file(result.st_mode, name)
    return result


def open_regular(path: Path, *, name: str) -> IO[bytes]:
    """The file opened for reading, if it is a regular file.

    Opened without blocking, then checked on the open descriptor: a FIFO put in the file's place after
    :func:`regular_stat` still cannot hang the import.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise os_error(exc, name) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_a_file(mode, name)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, *, name: str, limits: Limits) -> bytes:
    """A regular file's bytes, never more than ``max_import_bytes`` (a file may grow, ``/proc`` says 0)."""
    cap = limits.max_import_bytes
    with open_regular(path, name=name) as file:
        # One read of the size the file says it has (``read(n)`` allocates ``n`` bytes up front), then
        # reads of 1 MiB while it has more.
        parts = [file.read(min(os.fstat(file.fileno()).st_size, cap) + 1)]
        total = len(parts[0])
        while total <= cap and (part := file.read(min(1 << 20, cap + 1 - total))):
            parts.append(part)
            total += len(part)
    if total > cap:
        raise too_big(cap + 1, name=name, limits=limits, exact=False)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def prefix_regular(path: Path, size: int, *, name: str) -> bytes:
    """A regular file's first ``size`` bytes."""
    with open_regular(path, name=name) as file:
        return file.read(size)


def too_big(size: int, *, name: str, limits: Limits, exact: bool = True) -> InputError:
    """The error for an input of ``size`` bytes past ``max_import_bytes``."""
    amount = format_size(size) if exact else f"more than {format_size(limits.max_import_bytes)}"
    return limits.error(
        "max_import_bytes", f"the input is {amount}, more than one import reads", file=name, found=size
    )


def looks_like_json(head: str) -> bool:
    """Whether text starts like a JSON object or array (and not like ``[09:14] text``)."""
    return _JSON_START.match(head) is not None


def load_json(text: str, *, name: str, limits: Limits, raw: bytes | None = None) -> Any:
    """:func:`json.loads` within ``max_json_bytes`` and ``max_json_depth``.

    ``raw`` is the text's bytes when they are UTF-8 or a single-byte encoding (they are scanned for the
    depth without a copy). Raises :class:`~postmortem_widgets.errors.LimitError` past a limit and
    :class:`json.JSONDecodeError` for broken JSON.
    """
    check_json(raw if raw is not None else text, name=name, limits=limits)
    return parse_json(text, name=name, limits=limits)


def check_json(data: bytes | str, *, name: str, limits: Limits) -> None:
    """Raise :class:`~postmortem_widgets.errors.LimitError` when a document (its bytes, or its text) is past
    ``max_json_bytes`` or ``max_json_depth``: before it is decoded or parsed."""
    if len(data) > limits.max_json_bytes:
        raise json_size_error(len(data), name=name, limits=limits)
    scanned = data if isinstance(data, bytes) else data.encode("utf-8", errors="surrogatepass")
    if nests_deeper(scanned, limits.max_json_depth):
        raise json_depth_error(name=name, limits=limits)


def parse_json(text: str, *, name: str, limits: Limits) -> Any:
    """:func:`json.loads` of a document :func:`check_json` let through, sharing the objects that repeat.

    Equal objects of strings that a field holds (an entry's ``agent``, ``service`` or ``incident``
    reference) become one dict: a vendor export repeats them in every record, and shared they cost a
    third of the memory. Objects in an array (the records themselves) are never shared, and a document is
    read, never changed: a shared object must not be changed either.
    """
    try:
        return json.loads(text, object_hook=_sharing_hook())
    except RecursionError:
        # Only when the depth limit was raised past what Python's parser can follow.
        raise limits.error(
            "max_json_depth",
            "the JSON nests arrays and objects deeper than Python's JSON parser can follow",
            file=name,
        ) from None


def _sharing_hook() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A :func:`json.loads` ``object_hook`` that makes the equal objects of strings its objects' fields
    hold one dict, for one document (the parser hands an object over once its fields are parsed).

    >>> doc = json.loads('[{"a": {"b": "x"}}, {"a": {"b": "x"}}, {"a": {"b": 1}}, {"b": "x"}, {"b": "x"}]',
    ...                  object_hook=_sharing_hook())
    >>> doc[0]["a"] is doc[1]["a"], doc[2]["a"], doc[3] is doc[4]
    (True, {'b': 1}, False)
    """
    shared: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
    share = shared.setdefault

    def hook(obj: dict[str, Any]) -> dict[str, Any]:
        for key, value in obj.items():
            if value.__class__ is dict and value and all(v.__class__ is str for v in value.values()):
                obj[key] = share(tuple(value.items()), value)
        return obj

    return hook


def json_size_error(size: int, *, name: str, limits: Limits) -> InputError:
    return limits.error(
        "max_json_bytes",
        f"the JSON document is {format_size(size)}, more than is parsed at once",
        file=name,
        found=size,
    )


def json_depth_error(*, name: str, limits: Limits) -> InputError:
    return limits.error(
        "max_json_depth",
        f"the JSON nests arrays and objects more than {limits.max_json_depth} levels deep",
        file=name,
    )


def nests_deeper(data: bytes, limit: int) -> bool:
    """Whether JSON arrays and objects nest more than ``limit`` deep (brackets inside strings do not count).

    Vectorised over chunks of the bytes, carrying the depth and whether a string is open from one chunk
    to the next. A document with fewer brackets than the limit needs no scan at all.

    >>> nests_deeper(b'["[[[[", "\\\\"]', 1), nests_deeper(b'["\\"[[", [[1]]]', 2)
    (False, True)
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    view = np.frombuffer(data, dtype=np.uint8)
    depth, in_string, start = 0, 0, 0
    while start < len(view):
        end = min(start + _SCAN_CHUNK, len(view))
        while end < len(view) and view[end - 1] == _BACKSLASH:  # a chunk never ends inside an escape
            end += 1
        chunk = view[start:end]
        quotes = _unescaped_quotes(chunk)
        brackets = np.flatnonzero(_BRACKET[chunk])
        outside = brackets[(np.searchsorted(quotes, brackets) + in_string) % 2 == 0]
        if len(outside):
            levels = depth + np.cumsum(_STEP[chunk[outside]], dtype=np.int64)
            if int(levels.max()) > limit:
                return True
            depth = int(levels[-1])
        in_string = (in_string + len(quotes)) % 2
        start = end
    return False


def _unescaped_quotes(chunk: np.ndarray) -> np.ndarray:
    """Positions of the quotes that open or close a string: those after an even run of backslashes."""
    quotes = np.flatnonzero(chunk == _QUOTE)
    slashes = np.flatnonzero(chunk == _BACKSLASH)
    if not len(quotes) or not len(slashes):
        return quotes
    run_first = np.r_[True, np.diff(slashes) != 1]
    run_start = slashes[np.maximum.accumulate(np.where(run_first, np.arange(len(slashes)), 0))]
    last = np.searchsorted(slashes, quotes) - 1  # the last backslash before each quote
    safe = np.maximum(last, 0)
    touching = (last >= 0) & (slashes[safe] == quotes - 1)
    run = np.where(touching, quotes - run_start[safe], 0)
    unescaped: np.ndarray = quotes[run % 2 == 0]
    return unescaped


def first_long_line(text: str, limit: int) -> int | None:
    """The number of the first line longer than ``limit`` characters, or ``None``."""
    if len(text) <= limit:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > limit:
            return number
    return None
