"""Importers, one module per source format, behind one registry with sniffing.

Each format module defines an :class:`Importer`: a ``sniff`` that scores how sure it is that a
:class:`~postmortem_widgets.timeline.sources.Source` is its format (0 = not mine, 100 = certain) and a
``parse`` that returns an :class:`~postmortem_widgets.timeline.events.ImportResult`. :func:`import_source`
picks the best scorer unless the user names a format.

>>> from postmortem_widgets.timeline.sources import Source
>>> options = ImportOptions(tz="ET", date="2024-04-15")
>>> result = import_source(Source("t.txt", b"9:14am: Deploy"), options=options)
>>> result.format, str(result.events.time[0])
('text', '2024-04-15 13:14:00+00:00')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...errors import InputError, UnknownFormatError
from ..events import ImportResult
from ..sources import Source


@dataclass(frozen=True)
class ImportOptions:
    """What the user told us about the inputs."""

    #: IANA zone (or alias) for naive timestamps.
    tz: str | None = None
    #: The incident's date (ISO ``YYYY-MM-DD`` or a written date) for time-only free text.
    date: str | None = None


@dataclass(frozen=True)
class Importer:
    name: str
    description: str
    sniff: Callable[[Source], int]
    parse: Callable[[Source, ImportOptions], ImportResult]


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Add a format to the registry (a later registration with the same name replaces it)."""
    _REGISTRY[importer.name] = importer
    return importer


def formats() -> list[str]:
    """Names of every registered format, in sniffing order."""
    _load_builtin()
    return list(_REGISTRY)


def get_importer(name: str) -> Importer:
    _load_builtin()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}", hint=f"choose one of: {', '.join(_REGISTRY)}") from None


def detect(source: Source) -> Importer:
    """The importer most sure it can read ``source``.

    Raises :class:`UnknownFormatError` naming every format tried.
    """
    _load_builtin()
    best: tuple[int, Importer] | None = None
    for importer in _REGISTRY.values():
        score = importer.sniff(source)
        if score > 0 and (best is None or score > best[0]):
            best = (score, importer)
    if best is None:
        tried = list(_REGISTRY)
        detail = f" ({source.json_error})" if not source.is_bundle and source.json_error else ""
        raise UnknownFormatError(
            f"could not recognise the format{detail}; tried {', '.join(tried)}",
            tried=tried,
            file=source.name,
            hint="pass --format NAME if you know what exported it",
        )
    return best[1]


def import_source(
    source: Source, *, format: str | None = None, options: ImportOptions | None = None
) -> ImportResult:
    """Read one source into canonical events, detecting its format unless ``format`` is given.

    What the source's expansion left out (:attr:`Source.warnings`) comes first in the result's warnings.
    The source is released afterwards (:meth:`Source.release`): an import holds no copy of its input.
    """
    options = options or ImportOptions()
    try:
        if not source.is_bundle:
            _ = source.head  # raises EmptyInputError / BinaryInputError with the file name
        importer = get_importer(format) if format else detect(source)
        result = importer.parse(source, options)
    finally:
        source.release()
    if source.warnings:
        result.warnings = [*source.warnings, *result.warnings]
    return result


_LOADED = False


def _load_builtin() -> None:
    """Import the format modules (late, so a format module may import this one)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from . import (  # noqa: F401
        alertmanager,
        cloudwatch,
        datadog,
        grafana,
        opsgenie,
        pagerduty,
        slack,
        statuspage,
        table,
        text,
        zendesk,
    )


__all__ = ["ImportOptions", "Importer", "detect", "formats", "get_importer", "import_source", "register"]
