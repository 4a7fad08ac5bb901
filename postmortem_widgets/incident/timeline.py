"""An incident's timeline: its listed exports (relative to its file), or its typed response timeline.

Each listed input is read with the role the author gave it (``roles:``), kept to the incident the author
chose of an export that holds several (``incidents:``) and to the ``window:``; the impact window comes
from the series the author chose (``signal:``), and the ``milestones:`` the author set are applied on
top, as overrides. The command line's ``--role``, ``--window`` and ``--signal`` win over the file's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import IncidentError, InputError, PostmortemError
from ..timeline.events import ImportResult
from ..timeline.limits import Limits
from ..timeline.merge import NO_SIGNAL, Timeline, build_timeline, import_sources, parse_timeline, signal_key
from ..timeline.milestones import parse_override
from ..timeline.progress import ProgressCallback
from ..timeline.scoping import Window, parse_window
from ..timeline.sources import Source, expand_paths
from ..timeline.timeparse import parse_date
from .record import Incident


def _resolve(incident: Incident, entry: str) -> Path:
    path = Path(entry).expanduser()
    if not path.is_absolute() and incident.base_dir is not None:
        path = incident.base_dir / path
    if not path.exists():
        raise IncidentError(
            f"timeline entry {entry!r} does not exist ({path})",
            file=incident.source,
            line=incident.line_of("timeline"),
            key="timeline",
            hint="paths are relative to the folder of the incident file",
        )
    return path


def readable_date(text: str) -> str | None:
    """The incident date if importers can read it (``April 15, 2024`` or ``2024-04-15``), else ``None``."""
    if not text.strip():
        return None
    try:
        parse_date(text)
    except PostmortemError:
        return None
    return text.strip()


def _text_offset(incident: Incident) -> int | None:
    """The file line just before the first line of ``response_timeline``'s text."""
    line = incident.line_of("response_timeline")
    if line is None or incident.document is None:
        return None
    value = incident.document["response_timeline"]
    return line if isinstance(value, LiteralScalarString | list) else line - 1


def overrides_of(
    incident: Incident, *, tz: str | None = None
) -> tuple[dict[str, pd.Timestamp | None], str | None]:
    """The incident's ``milestones:`` as timeline overrides, plus ``detected_by`` if set."""
    zone = tz or incident.timezone
    overrides: dict[str, pd.Timestamp | None] = {}
    detected_by = incident.milestones.get("detected_by") or None
    for name, value in incident.milestones.items():
        if name == "detected_by":
            continue
        try:
            key, ts = parse_override(f"{name}={value}", tz=zone)
        except PostmortemError as exc:
            raise IncidentError(
                exc.message,
                file=incident.source,
                line=incident.line_of("milestones"),
                key=f"milestones.{name}",
                hint=exc.hint,
            ) from None
        overrides[key] = ts
    return overrides, detected_by


def with_role(sources: Sequence[Source], role: str | None) -> dict[str, str]:
    """The ``roles`` an import takes so that every source of one input (a folder's files, a zip's members)
    is read as ``role``."""
    return {source.name: role for source in sources} if role else {}


def input_roles(incident: Incident, given: Mapping[str, str] | None = None) -> dict[str, str]:
    """The role of each input that has one: the file's ``roles:``, then ``given`` (``--role PATH=ROLE``).

    A key of ``given`` that is a ``timeline:`` entry names that entry; any other key is a path as typed
    (relative to the working folder), compared as an absolute path.
    """
    base = incident.base_dir or Path()
    listed = {os.path.abspath(base / Path(entry).expanduser()): entry for entry in incident.timeline}
    roles = dict(incident.roles)
    for key, role in (given or {}).items():
        here = os.path.abspath(key)
        roles[key if key in incident.timeline else listed.get(here, here)] = role
    return roles


def signal_of(
    incident: Incident, inputs: Mapping[str, Sequence[ImportResult]], given: str | None = None
) -> str | None:
    """What :func:`~postmortem_widgets.timeline.merge.build_timeline` takes as ``signal``.

    ``given`` (``--signal NAME``) wins; else the file's ``signal:``, whose ``input`` (a ``timeline:``
    entry) picks the series of that input among several of the same name. ``inputs`` are the import
    results of each entry. Raises :class:`IncidentError` when that input has no such series.
    """
    if given is not None:
        return given
    signal = incident.signal
    if signal is None or not signal.input or signal.name == NO_SIGNAL:
        return None if signal is None else signal.name
    sources = sorted(
        {s.source for r in inputs.get(signal.input, ()) for s in r.series if s.name == signal.name}
    )
    if not sources:
        names = sorted({s.name for r in inputs.get(signal.input, ()) for s in r.series})
        raise IncidentError(
            f"signal {signal.name!r}: {signal.input} has no series of that name",
            file=incident.source,
            line=incident.line_of("signal"),
            key="signal",
            hint=f"its series: {', '.join(names)}" if names else f"{signal.input} has no series",
        )
    return signal_key(signal.name, sources[0])


def window_of(incident: Incident, *, tz: str | None = None, given: str | None = None) -> Window | None:
    """The span events are kept to: ``given`` (``--window``), else the file's ``window:``.

    Clock times are on ``incident_date``; a window the file holds that cannot be read names its line.
    """
    text = given if given is not None else incident.window
    if not text.strip():
        return None
    date = readable_date(incident.incident_date)
    try:
        return parse_window(text, date=date, tz=tz or incident.timezone)
    except InputError as exc:
        if given is not None:
            raise
        raise IncidentError(
            exc.message.replace("--window", "window"),
            file=incident.source,
            line=incident.line_of("window"),
            key="window",
            hint=(exc.hint or "").replace("--date YYYY-MM-DD", "incident_date in the incident file"),
        ) from None


def _import_inputs(
    entries: Sequence[tuple[str, Path]],
    roles: Mapping[str, str],
    *,
    tz: str,
    date: str | None,
    format: str | None,
    progress: ProgressCallback | None,
    limits: Limits | None = None,
    chosen: Mapping[str, str] | None = None,
    incident: Sequence[str] = (),
    window: Window | None = None,
) -> dict[str, list[ImportResult]]:
    """Each input's import results by its entry (a ``timeline:`` entry, or an extra path), in order.

    ``chosen`` (entry -> incident id, the file's ``incidents:``) and ``incident`` (ids for every input,
    ``--incident``) pick the incident of an input that holds several.
    """
    results: dict[str, list[ImportResult]] = {}
    for entry, path in entries:
        role = roles.get(entry) or roles.get(os.path.abspath(path))
        mine = (chosen or {}).get(entry)
        sources = list(expand_paths([path], limits=limits))
        found = import_sources(
            sources,
            tz=tz,
            date=date,
            format=format,
            roles=with_role(sources, role),
            progress=progress,
            incident=[*incident, *([mine] if mine else [])],
            window=window,
        )
        results.setdefault(entry, []).extend(found)
    return results


def _telemetry_timeline(
    incident: Incident, inputs: dict[str, list[ImportResult]], signal: str | None, zone: str
) -> Timeline:
    """The inputs merged, the impact window from the chosen signal (the file's mistakes name its line)."""
    key = signal_of(incident, inputs, signal)
    results = [r for found in inputs.values() for r in found]
    try:
        return build_timeline(results, signal=key, tz=zone)
    except InputError as exc:
        if signal is not None or incident.signal is None:
            raise
        raise IncidentError(
            exc.message, file=incident.source, line=incident.line_of("signal"), key="signal", hint=exc.hint
        ) from None


def incident_timeline(
    incident: Incident,
    *,
    extra_paths: Iterable[str | Path] = (),
    tz: str | None = None,
    format: str | None = None,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
    roles: Mapping[str, str] | None = None,
    signal: str | None = None,
    progress: ProgressCallback | None = None,
    limits: Limits | None = None,
    incident_ids: Sequence[str] = (),
    window: str | None = None,
) -> Timeline:
    """The incident's timeline: its ``timeline:`` inputs (relative to its file) plus ``extra_paths``, read
    within ``limits``.

    ``roles`` (path -> role, ``--role``) and ``signal`` (``--signal``) win over the file's ``roles:`` and
    ``signal:`` (see :func:`input_roles`, :func:`signal_of`); ``progress`` is told how far long imports
    have got. ``incident_ids`` (``--incident``) and the file's ``incidents:`` pick the incident of an input
    that holds several; ``window`` (``--window``, else the file's ``window:``) keeps the events inside it.

    With no inputs at all, the ``response_timeline`` text is the timeline, dated by ``incident_date`` and
    zoned by ``timezone``, so the seed example alone yields its milestones. ``milestones:`` in the file and
    then ``overrides`` are applied on top.
    """
    zone = tz or incident.timezone
    date = readable_date(incident.incident_date)
    entries = [(entry, _resolve(incident, entry)) for entry in incident.timeline]
    entries += [(str(p), Path(p)) for p in extra_paths]
    if entries:
        given = input_roles(incident, roles)
        inputs = _import_inputs(
            entries,
            given,
            tz=zone,
            date=date,
            format=format,
            progress=progress,
            limits=limits,
            chosen=incident.incidents,
            incident=incident_ids,
            window=window_of(incident, tz=zone, given=window),
        )
        timeline = _telemetry_timeline(incident, inputs, signal, zone)
    elif incident.response_timeline.strip():
        timeline = _parse_response_timeline(incident, zone=zone, date=date)
    else:
        timeline = build_timeline([])
    mine, by = overrides_of(incident, tz=zone)
    merged = {**mine, **(overrides or {})}
    if merged or by or detected_by:
        timeline = timeline.with_overrides(merged, detected_by=detected_by or by)
    return timeline


def _parse_response_timeline(incident: Incident, *, zone: str, date: str | None) -> Timeline:
    name = f"{incident.source} (response_timeline)"
    try:
        return parse_timeline(
            incident.response_timeline.encode("utf-8"), name=name, tz=zone, date=date, format="text"
        )
    except PostmortemError as exc:
        if exc.file != name:
            raise
        if date is None and incident.incident_date.strip() and "no date" in exc.message:
            raise IncidentError(
                f"cannot read incident_date {incident.incident_date!r} as a date "
                "for the response_timeline's times",
                file=incident.source,
                line=incident.line_of("incident_date"),
                key="incident_date",
                hint="write it like 'April 15, 2024' or 2024-04-15",
            ) from None
        offset = _text_offset(incident)
        line = (
            offset + exc.line
            if offset is not None and exc.line is not None
            else incident.line_of("response_timeline")
        )
        hint = exc.hint
        if hint and "--date" in hint:
            hint = "set incident_date in the incident file"
        raise IncidentError(
            exc.message, file=incident.source, line=line, key="response_timeline", hint=hint
        ) from None


__all__ = [
    "incident_timeline",
    "input_roles",
    "overrides_of",
    "readable_date",
    "signal_of",
    "window_of",
    "with_role",
]
