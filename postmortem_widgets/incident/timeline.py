"""An incident's timeline: its listed exports (relative to its file), or its typed response timeline.

The ``milestones:`` the author set in the file are applied on top, as overrides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import IncidentError, PostmortemError
from ..timeline.limits import Limits
from ..timeline.merge import Timeline, build_timeline, load_timeline, parse_timeline
from ..timeline.milestones import parse_override
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


def incident_timeline(
    incident: Incident,
    *,
    extra_paths: Iterable[str | Path] = (),
    tz: str | None = None,
    format: str | None = None,
    overrides: Mapping[str, pd.Timestamp | None] | None = None,
    detected_by: str | None = None,
    limits: Limits | None = None,
) -> Timeline:
    """The incident's timeline: its ``timeline:`` inputs (relative to its file) plus ``extra_paths``, read
    within ``limits``.

    With no inputs at all, the ``response_timeline`` text is the timeline, dated by ``incident_date`` and
    zoned by ``timezone``, so the seed example alone yields its milestones. ``milestones:`` in the file and
    then ``overrides`` are applied on top.
    """
    zone = tz or incident.timezone
    date = readable_date(incident.incident_date)
    paths = [_resolve(incident, p) for p in incident.timeline] + [Path(p) for p in extra_paths]
    if paths:
        timeline = load_timeline(paths, tz=zone, date=date, format=format, limits=limits)
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


__all__ = ["incident_timeline", "overrides_of", "readable_date"]
