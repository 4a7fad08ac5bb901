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

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ...errors import InputError, UnknownFormatError
from ..events import ImportResult
from ..progress import ProgressCallback
from ..scoping import Window, scope_result, window_result
from ..sources import Source
from ..telemetry.model import INCIDENT, ROLES, TIMELINE
from ._lookalike import looks_like


@dataclass(frozen=True)
class ImportOptions:
    """What the user told us about the inputs."""

    #: IANA zone (or alias) for naive timestamps.
    tz: str | None = None
    #: The incident's date (ISO ``YYYY-MM-DD`` or a written date) for time-only free text.
    date: str | None = None
    #: The role the user gave an input (file name -> role), overriding what its content suggests.
    roles: Mapping[str, str] = field(default_factory=dict)
    #: The incident to keep of an input that holds several (any of these ids); empty: the most recent.
    incident: tuple[str, ...] = ()
    #: Only the events inside this span are kept (see :func:`..scoping.parse_window`).
    window: Window | None = None
    #: Told how far a long import has got (bytes or rows read, see :mod:`..progress`); ``None``: nobody asks.
    progress: ProgressCallback | None = field(default=None, compare=False)

    def role_of(self, name: str) -> str | None:
        """The role the user gave the input ``name`` (its name, or the same path written another way)."""
        role = self.roles.get(name)
        if role is None and self.roles:
            here = os.path.abspath(name)
            role = next((r for key, r in self.roles.items() if os.path.abspath(key) == here), None)
        if role is not None and role not in ROLES:
            raise InputError(f"unknown role {role!r}", file=name, hint=f"choose one of: {', '.join(ROLES)}")
        return role


@dataclass(frozen=True)
class Importer:
    name: str
    description: str
    sniff: Callable[[Source], int]
    parse: Callable[[Source, ImportOptions], ImportResult]
    #: What the format's inputs are (a table decides per file, from its content).
    role: str = INCIDENT
    #: A binary format (Parquet): sniffed by its magic bytes before any text is decoded, and the only
    #: importers asked about such a file.
    binary: bool = False


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

    Raises :class:`UnknownFormatError` naming every format tried and, where it can tell, what the file
    looks like and what to export instead (see :mod:`._lookalike`).
    """
    _load_builtin()
    binary = _binary_format(source)
    if binary is not None:
        return binary
    best: tuple[int, Importer] | None = None
    for importer in _REGISTRY.values():
        score = importer.sniff(source)
        if score > 0 and (best is None or score > best[0]):
            best = (score, importer)
    if best is None:
        tried = list(_REGISTRY)
        detail = f" ({source.json_error})" if not source.is_bundle and source.json_error else ""
        seen = looks_like(source)
        looks = f"; it looks like {seen[0]}" if seen else ""
        raise UnknownFormatError(
            f"could not recognise the format{detail}; tried {', '.join(tried)}{looks}",
            tried=tried,
            file=source.name,
            hint=seen[1] if seen and seen[1] else "pass --format NAME if you know what exported it",
        )
    return best[1]


def _binary_format(source: Source) -> Importer | None:
    """The binary importer that claims ``source`` by its first bytes, if any."""
    if source.is_bundle:
        return None
    return next((i for i in _REGISTRY.values() if i.binary and i.sniff(source) > 0), None)


def import_source(
    source: Source, *, format: str | None = None, options: ImportOptions | None = None
) -> ImportResult:
    """Read one source into canonical events, detecting its format unless ``format`` is given.

    The events are kept to ``options.window``, and to one incident when the source holds several. What
    the source's expansion left out (:attr:`Source.warnings`) comes first in the result's warnings. The
    source is released afterwards (:meth:`Source.release`): an import holds no copy of its input.
    """
    options = options or ImportOptions()
    _load_builtin()
    try:
        importer = get_importer(format) if format else _binary_format(source)
        if not source.is_bundle and (importer is None or not importer.binary):
            _ = source.head  # raises EmptyInputError / BinaryInputError with the file name
        importer = importer or detect(source)
        override = options.role_of(source.name)
        result = importer.parse(source, options)
        if override is not None:
            # A role given by hand also decides whether the input's first event may count as the start.
            result.role, result.handwritten = override, override == TIMELINE
        result.role = result.role or importer.role
        if options.window is not None:
            result = window_result(result, options.window)
        # Scoping reads the parsed document again (the incidents it lists): before the release.
        result = scope_result(source, result, options.incident, windowed=options.window is not None)
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
        access_log,
        alertmanager,
        cloudwatch,
        cloudwatch_metrics,
        datadog,
        datadog_logs,
        datadog_metrics,
        firehydrant,
        grafana,
        grafana_csv,
        incident_io,
        jira,
        journald,
        jsonl,
        k8s_events,
        kibana,
        logs_insights,
        loki,
        mattermost,
        newrelic,
        opsgenie,
        opsgenie_csv,
        pagerduty,
        pagerduty_incident,
        parquet,
        prometheus,
        rootly,
        sentry,
        slack,
        splunk,
        statuspage,
        table,
        teams,
        text,
        zendesk,
    )


__all__ = ["ImportOptions", "Importer", "detect", "formats", "get_importer", "import_source", "register"]
