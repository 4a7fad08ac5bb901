"""The incident record: the seed's 11 fields plus the time zone, timeline inputs (with the roles the author
gave them and the signal the impact window comes from) and milestone overrides.

It lives in ``incident.yaml``, a file people review in git, so loading is strict (an unknown key or a value of
the wrong type is an :class:`~postmortem_widgets.errors.IncidentError` naming the file, line and key) and
saving goes through ruamel.yaml's round trip, keeping comments and key order.

>>> incident = parse_incident("product_name: Anchor Analytics\\ntimezone: America/New_York\\n")
>>> incident.product_name, incident.timezone
('Anchor Analytics', 'America/New_York')
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from .._fs import atomic_write_text
from ..errors import IncidentError
from .values import (
    BUDGET_KEYS,
    LIST_FIELDS,
    Signal,
    _budget,
    _incidents,
    _line,
    _milestones,
    _paths,
    _roles,
    _signal,
    _text,
    _timezone,
    _type_name,
    _window,
)

#: The seed prompt's variables, in the seed's order.
FIELDS: tuple[str, ...] = (
    "product_name",
    "incident_date",
    "incident_duration",
    "affected_scope",
    "customer_experience",
    "root_cause",
    "detection",
    "response_timeline",
    "remediation",
    "prevention",
    "data_impact",
)
#: Keys an incident file may hold besides the 11 fields.
EXTRA_KEYS: tuple[str, ...] = (
    "timezone",
    "timeline",
    "roles",
    "incidents",
    "window",
    "signal",
    "milestones",
    "responders",
    "company",
    "allow",
    "budget",
)
KEYS: tuple[str, ...] = FIELDS + EXTRA_KEYS
#: Keys left out of the file while they hold nothing (a saved ``roles: {}`` or ``signal: null`` says nothing).
_DROPPED_WHEN_EMPTY: frozenset[str] = frozenset({"roles", "incidents", "window", "signal", "budget"})


@dataclass
class Incident:
    """What the author knows about one incident. Empty strings are fields still to fill."""

    product_name: str = ""
    incident_date: str = ""
    incident_duration: str = ""
    affected_scope: str = ""
    customer_experience: str = ""
    root_cause: str = ""
    detection: str = ""
    response_timeline: str = ""
    remediation: str = ""
    prevention: str = ""
    data_impact: str = ""
    #: IANA zone the incident is told in (times in the draft are local to it).
    timezone: str = "UTC"
    #: Timeline exports, relative to the incident file.
    timeline: list[str] = field(default_factory=list)
    #: What an input is when its content suggests otherwise: ``timeline:`` entry -> role (``log``, ...).
    roles: dict[str, str] = field(default_factory=dict)
    #: The incident kept of an input that holds several: ``timeline:`` entry -> incident id.
    incidents: dict[str, str] = field(default_factory=dict)
    #: Only events inside ``START..END`` are kept (ISO times, or clock times on ``incident_date``).
    window: str = ""
    #: The series the impact window comes from; ``None``: the clearest one.
    signal: Signal | None = None
    #: Milestones set by hand: name -> ISO 8601 time (naive times are in ``timezone``); ``detected_by`` too.
    milestones: dict[str, str] = field(default_factory=dict)
    #: People who worked the incident: their names must never reach a customer-facing draft.
    responders: list[str] = field(default_factory=list)
    #: The company's name when it is not the product's ("Tidewater" for "Tidewater Storage"): never a
    #: person, never jargon.
    company: str = ""
    #: Terms the reviewer must not call jargon for this incident: what the product is or sells ("Redis" for a
    #: Redis service, "DNS" for a DNS provider).
    allow: list[str] = field(default_factory=list)
    #: The most a model's draft of this incident may spend: ``rounds`` (check-and-mend rounds after the
    #: first draft) and ``tokens`` (prompts and answers of all calls); a missing key: no limit of the file's.
    budget: dict[str, int] = field(default_factory=dict)
    #: The folder of the incident file, so relative timeline paths resolve.
    base_dir: Path | None = field(default=None, compare=False, repr=False)
    #: The file name errors point at.
    source: str = field(default="incident.yaml", compare=False, repr=False)
    #: Fields that :func:`fill_incident` derived from the timeline (not the author's words).
    filled: frozenset[str] = field(default_factory=frozenset, compare=False)
    #: The YAML document it was read from, for a round trip that keeps comments.
    document: CommentedMap | None = field(default=None, compare=False, repr=False)

    def fields(self) -> dict[str, str]:
        """The 11 seed fields, in the seed's order."""
        return {name: getattr(self, name) for name in FIELDS}

    def missing(self) -> list[str]:
        """Seed fields still empty."""
        return [name for name in FIELDS if not getattr(self, name).strip()]

    def line_of(self, key: str) -> int | None:
        """The 1-based line of ``key`` in the file it was read from (``None`` for a key added since)."""
        if self.document is None or key not in self.document:
            return None
        try:
            return int(self.document.lc.key(key)[0]) + 1
        except KeyError:
            return None


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def parse_incident(data: bytes | str, *, name: str = "incident.yaml") -> Incident:
    """Read an incident from YAML text. Raises :class:`IncidentError` with the file, line and key."""
    doc = _document(data, name=name)

    def where(key: str) -> dict[str, Any]:
        return {"file": name, "line": _line(doc, key)}

    values: dict[str, Any] = {key: _text(doc[key], key, where=where(key)) for key in FIELDS if key in doc}
    if "timezone" in doc:
        values["timezone"] = _timezone(doc["timezone"], where=where("timezone"))
    if "company" in doc:
        values["company"] = _text(doc["company"], "company", where=where("company"))
    for key in ("timeline", "responders", "allow"):
        if key in doc:
            values[key] = _paths(doc[key], key, where=where(key))
    listed = values.get("timeline", [])
    if "roles" in doc:
        values["roles"] = _roles(doc["roles"], listed, where=where("roles"))
    if "incidents" in doc:
        values["incidents"] = _incidents(doc["incidents"], listed, where=where("incidents"))
    if "window" in doc:
        values["window"] = _window(doc["window"], where=where("window"))
    if "signal" in doc:
        values["signal"] = _signal(doc["signal"], listed, where=where("signal"))
    if "budget" in doc:
        values["budget"] = _budget(doc["budget"], where=where("budget"))
    if "milestones" in doc:
        values["milestones"] = _milestones(
            doc["milestones"], tz=values.get("timezone", "UTC"), where=where("milestones")
        )
    return Incident(**values, source=name, document=doc)


def _document(data: bytes | str, *, name: str) -> CommentedMap:
    """The YAML mapping of an incident file, every key a known one."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise IncidentError(
            f"not valid YAML: {problem}",
            file=name,
            line=None if mark is None else mark.line + 1,
            hint="check the indentation and quote values that contain ': '",
        ) from None
    except YAMLError as exc:
        raise IncidentError(f"not valid YAML: {exc}", file=name) from None
    if doc is None:
        raise IncidentError(
            "the incident file is empty",
            file=name,
            hint="start from sample_data/anchor_analytics/incident.yaml",
        )
    if not isinstance(doc, CommentedMap):
        raise IncidentError(
            f"an incident file is a mapping of fields, not {_type_name(doc)}",
            file=name,
            line=1,
            hint="write one 'field: value' a line, e.g. product_name: Anchor Analytics",
        )
    for key in doc:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(KEYS)}"
            raise IncidentError(
                f"unknown key {key!r}", file=name, line=_line(doc, key), key=str(key), hint=hint
            )
    return doc


def load_incident(path: str | Path) -> Incident:
    """Read ``incident.yaml``; its folder becomes the base for relative timeline paths."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IncidentError("no such incident file", file=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise IncidentError(
            "this is a folder, not an incident file", file=str(path), hint=f"pass {path / 'incident.yaml'}"
        ) from None
    incident = parse_incident(data, name=str(path))
    incident.base_dir = path.resolve().parent
    return incident


def _yaml_value(key: str, value: Any) -> Any:
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value if value.endswith("\n") else value + "\n")
    if key in ("milestones", "roles", "incidents", "budget"):
        return CommentedMap(value)
    if isinstance(value, Signal):
        return value.name if not value.input else CommentedMap([("name", value.name), ("input", value.input)])
    if isinstance(value, list):
        return list(value)
    return value


def dump_incident(incident: Incident) -> str:
    """The incident as YAML: its own document with changed values replaced, or a new one in seed order."""
    doc = incident.document
    original = parse_incident(_dump(doc)) if doc is not None else None
    target = doc if doc is not None else CommentedMap()
    defaults = Incident()
    for key in KEYS:
        value = getattr(incident, key)
        if original is not None and key in target:
            if getattr(original, key) == value:
                continue
            if key in _DROPPED_WHEN_EMPTY and value == getattr(defaults, key):
                del target[key]
                continue
            target[key] = _yaml_value(key, value)
        elif key in FIELDS or value != getattr(defaults, key) or key == "timezone":
            target[key] = _yaml_value(key, value)
    return _dump(target)


def _dump(doc: CommentedMap) -> str:
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    return buffer.getvalue()


def save_incident(incident: Incident, path: str | Path) -> None:
    """Write ``incident.yaml`` atomically (temporary file, fsync, rename), keeping comments and key order."""
    text = dump_incident(incident)
    atomic_write_text(Path(path), text)


__all__ = [
    "BUDGET_KEYS",
    "EXTRA_KEYS",
    "FIELDS",
    "KEYS",
    "LIST_FIELDS",
    "Incident",
    "Signal",
    "dump_incident",
    "load_incident",
    "parse_incident",
    "save_incident",
]
