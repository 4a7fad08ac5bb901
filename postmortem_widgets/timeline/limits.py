"""How much one import may read, so a hostile file fails fast with a clear error, never takes the machine.

Every input goes through :mod:`~postmortem_widgets.timeline.sources`, which applies these limits while it
reads: a file's size before a byte is read, a zip member's declared size and compression ratio before it
is expanded (and again while it is), a JSON document's size and nesting depth before it is parsed, a
folder's files while it is walked. The defaults are far above real exports (a 10,000,000-row, 700 MB CSV
log imports; a zip bomb does not). Each one is changed by an environment variable, for every import (the
command line, the workspace and the library), by a flag of ``postmortem timeline``, or in code::

    load_timeline(paths, limits=Limits(max_json_bytes=256 * MiB))

================  =======  =================================================================================
limit             default  what it bounds
================  =======  =================================================================================
max_import_bytes  4 GiB    bytes of one input: a file, a folder's files, a zip (members expanded), an upload
max_member_bytes  1 GiB    bytes one zip member expands to
max_zip_ratio     100      expanded / compressed size of a zip member, and of a whole zip (up to 1 MiB, any)
max_json_bytes    64 MiB   bytes of one JSON document (parsed whole: its objects take 5-20 times its size)
max_json_depth    100      nesting of arrays and objects in a JSON document
max_files         10000    files and folders in one folder tree; members of one zip
max_line_bytes    1 MiB    one line (or quoted field) of a table or text timeline; longer ones may be refused
max_columns       10000    columns of one table
================  =======  =================================================================================

The environment variable of ``max_json_bytes`` is ``POSTMORTEM_MAX_JSON_BYTES`` (and so on for each), its
flag ``--max-json-bytes``.
Sizes are written ``4GiB``, ``500MB``, ``1.5G`` or a number of bytes (``K``, ``M``, ``G`` alone are binary).

>>> Limits().max_member_bytes == GiB
True
>>> parse_size("1.5 GiB"), parse_size("500MB"), format_size(64 * MiB)
(1610612736, 500000000, '64 MiB')
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import LimitError, LimitSettingError

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
#: Zip members that expand to no more than this are never refused for their ratio (a small file of one
#: repeated character compresses a thousandfold and is no bomb).
RATIO_FLOOR = MiB

_UNITS = {
    "": 1,
    "b": 1,
    "k": KiB,
    "kib": KiB,
    "kb": 1000,
    "m": MiB,
    "mib": MiB,
    "mb": 1000**2,
    "g": GiB,
    "gib": GiB,
    "gb": 1000**3,
    "t": 1 << 40,
    "tib": 1 << 40,
    "tb": 1000**4,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """The import limits (see the module's table). ``Limits()`` is the defaults; :meth:`from_env` reads
    the ``POSTMORTEM_MAX_*`` variables over them."""

    max_import_bytes: int = 4 * GiB
    max_member_bytes: int = GiB
    max_zip_ratio: float = 100.0
    max_json_bytes: int = 64 * MiB
    max_json_depth: int = 100
    max_files: int = 10_000
    max_line_bytes: int = MiB
    max_columns: int = 10_000

    def __post_init__(self) -> None:
        for name in names():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise LimitSettingError(f"limit {name} must be a positive number, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, with each ``POSTMORTEM_MAX_*`` variable that is set taking its limit's place."""
        environ = os.environ if environ is None else environ
        given: dict[str, Any] = {
            name: parse_setting(name, environ[env_name(name)])
            for name in names()
            if environ.get(env_name(name), "").strip()
        }
        return cls(**given)

    def replace(self, **changes: Any) -> Limits:
        """These limits with some changed (``None`` values are left as they are)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def error(
        self,
        name: str,
        message: str,
        *,
        file: str | None,
        found: float | None = None,
        line: int | None = None,
    ) -> LimitError:
        """The error for an input past limit ``name``: what it is set to, and how to raise it."""
        value = getattr(self, name)
        wanted = max(value * 2, math.ceil(found * 1.25) if found is not None else 0)
        suggestion = setting_text(name, _round_up(name, wanted))
        return LimitError(
            f"{message} (the limit {name} is {describe(name, value)})",
            limit=name,
            value=value,
            found=found,
            file=file,
            line=line,
            hint=f"if you trust the file, raise it: {env_name(name)}={suggestion} "
            f"(or postmortem timeline {flag(name)} {suggestion})",
        )


def default_limits() -> Limits:
    """The limits every import uses unless it is given others: the defaults and the environment."""
    return Limits.from_env()


def names() -> tuple[str, ...]:
    """The limits' names, in the order of the module's table."""
    return tuple(f.name for f in dataclasses.fields(Limits))


def env_name(name: str) -> str:
    """``max_json_depth`` -> ``POSTMORTEM_MAX_JSON_DEPTH``."""
    return f"POSTMORTEM_{name.upper()}"


def flag(name: str) -> str:
    """``max_json_depth`` -> ``--max-json-depth``."""
    return "--" + name.replace("_", "-")


def is_size(name: str) -> bool:
    return name.endswith("_bytes")


def parse_setting(name: str, text: str) -> float:
    """A limit's value as written in the environment or on the command line."""
    if is_size(name):
        try:
            return parse_size(text)
        except ValueError:
            raise LimitSettingError(
                f"{name} must be a size, not {text!r}", hint="write e.g. 4GiB, 500MB or 1000000"
            ) from None
    try:
        value = float(text) if name == "max_zip_ratio" else int(text.strip().replace("_", ""))
    except ValueError:
        raise LimitSettingError(f"{name} must be a number, not {text!r}", hint="write e.g. 200") from None
    if not value > 0:
        raise LimitSettingError(f"{name} must be above zero, not {text!r}")
    return value


def parse_size(text: str) -> int:
    """``4GiB``, ``500 MB``, ``1.5G`` or ``1000000`` as a number of bytes; ``ValueError`` otherwise."""
    match = _SIZE_RE.match(text.replace("_", ""))
    if not match or match[2].lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r}")
    size = int(float(match[1]) * _UNITS[match[2].lower()])
    if size <= 0:
        raise ValueError(f"not a size above zero: {text!r}")
    return size


def format_size(size: float) -> str:
    """Bytes as people read them: ``512 B``, ``64 MiB``, ``1.5 GiB``."""
    for unit, scale in (("TiB", 1 << 40), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{size:.0f} B"


def describe(name: str, value: float) -> str:
    """A limit's value as the messages show it: a size, a ratio or a count."""
    if is_size(name):
        return format_size(value)
    return f"{value:g}" if name == "max_zip_ratio" else f"{int(value):,}"


def setting_text(name: str, value: float) -> str:
    """A limit's value as it is written in the environment or on the command line: ``2GiB``, ``200``."""
    return format_size(value).replace(" ", "") if is_size(name) else f"{value:g}"


def _round_up(name: str, value: float) -> float:
    """A round setting to suggest: the next power of two of a size, two significant digits of a count."""
    if is_size(name):
        return float(1 << math.ceil(math.log2(max(value, 1))))
    digits = 10 ** max(len(str(int(value))) - 2, 0)
    return float(math.ceil(value / digits) * digits)


__all__ = [
    "GiB",
    "KiB",
    "Limits",
    "MiB",
    "default_limits",
    "env_name",
    "flag",
    "format_size",
    "names",
    "parse_size",
]
