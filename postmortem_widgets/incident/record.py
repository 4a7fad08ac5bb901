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

import datetime as dt
import difflib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from .._fs import atomic_write_text
from ..errors import IncidentError, PostmortemError
from ..timeline.milestones import DETECTED_BY, NAMES, parse_override
from ..timeline.telemetry.model import ROLES
from ..timeline.timeparse import resolve_zone

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
#: Text fields people naturally write as a YAML list; the items are joined one a line.
LIST_FIELDS: frozenset[str] = frozenset({"response_timeline", "prevention"})
#: Keys left out of the file while they hold nothing (a saved ``roles: {}`` or ``signal: null`` says nothing).
_DROPPED_WHEN_EMPTY: frozenset[str] = frozenset({"roles", "incidents", "window", "signal", "budget"})
#: What ``budget:`` may limit for a model's draft: its check-and-mend rounds and its tokens in all calls.
BUDGET_KEYS: tuple[str, ...] = ("rounds", "tokens")


@dataclass(frozen=True)
class Signal:
    """The series the author chose for the impact window (``signal:`` in the incident file).

    ``name`` is a series name (``error ratio``) or ``none`` (the window set aside); ``input`` is the
    ``timeline:`` entry whose series it is, when more than one input has a series of that name.
    """

    name: str
    input: str = ""


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


def _line(doc: CommentedMap, key: str) -> int:
    return int(doc.lc.key(key)[0]) + 1


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value})"
    return "text" if isinstance(value, str) else type(value).__name__


def _text(value: object, key: str, *, where: dict[str, Any]) -> str:
    """A text field: strings, numbers and dates are taken as written; ``null`` is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise IncidentError(
            f"{key} must be text, not {_type_name(value)}", key=key, hint="quote the value", **where
        )
    if isinstance(value, Mapping):
        raise IncidentError(
            f"{key} must be text, not {_type_name(value)}",
            key=key,
            hint="write the value on the same line, or as a block after '|'",
            **where,
        )
    if isinstance(value, list):
        if key not in LIST_FIELDS or not all(isinstance(v, str | int | float) for v in value):
            raise IncidentError(f"{key} must be text, not {_type_name(value)}", key=key, **where)
        return "\n".join(str(v).strip() for v in value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip("\n") if isinstance(value, str) else str(value)


def _paths(value: object, key: str, *, where: dict[str, Any]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    what = {"timeline": "paths", "allow": "terms"}.get(key, "names")
    raise IncidentError(
        f"{key} must be a list of {what}, not {_type_name(value)}",
        key=key,
        hint=f"write one entry a line under '{key}:', each starting with '- '",
        **where,
    )


def _milestones(value: object, *, tz: str, where: dict[str, Any]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise IncidentError(
            f"milestones must be a mapping of milestone to time, not {_type_name(value)}",
            key="milestones",
            hint="write one 'name: time' a line under 'milestones:', e.g. 'detected: 2024-04-15T09:42-04:00'",
            **where,
        )
    known = (*NAMES, "detected_by")
    out: dict[str, str] = {}
    for name, raw in value.items():
        line = _line(value, name) if isinstance(value, CommentedMap) else where.get("line")
        here = {"file": where["file"], "line": line}
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"choose one of: {', '.join(known)}"
            raise IncidentError(f"unknown milestone {name!r}", key=f"milestones.{name}", hint=hint, **here)
        if name == "detected_by":
            if raw not in DETECTED_BY:
                raise IncidentError(
                    f"detected_by must be one of {', '.join(DETECTED_BY)}, not {raw!r}",
                    key="milestones.detected_by",
                    **here,
                )
            out[name] = str(raw)
            continue
        if raw is None or raw == "":
            out[name] = ""
            continue
        if isinstance(raw, bool) or not isinstance(raw, str | dt.datetime | dt.date):
            raise IncidentError(
                f"milestone {name} must be a time, not {_type_name(raw)}", key=f"milestones.{name}", **here
            )
        text = raw.isoformat() if isinstance(raw, dt.datetime | dt.date) else str(raw)
        try:
            parse_override(f"{name}={text}", tz=tz)
        except PostmortemError as exc:
            raise IncidentError(exc.message, key=f"milestones.{name}", hint=exc.hint, **here) from None
        out[name] = text
    return out


def _listed(entry: object, key: str, timeline: list[str], *, where: dict[str, Any], label: str = "") -> str:
    """An input named by ``roles:`` or ``signal:``: one of the ``timeline:`` entries, written the same way."""
    if not isinstance(entry, str) or entry not in timeline:
        close = difflib.get_close_matches(str(entry), timeline, n=1)
        listed = f"did you mean {close[0]!r}?" if close else "list it under 'timeline:' first"
        raise IncidentError(
            f"{label or key} names {entry!r}, which is not listed under timeline",
            key=key,
            hint=listed,
            **where,
        )
    return entry


def _roles(value: object, timeline: list[str], *, where: dict[str, Any]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise IncidentError(
            f"roles must be a mapping of input to role, not {_type_name(value)}",
            key="roles",
            hint="write one 'path: role' a line under 'roles:', e.g. 'uploads/app.csv: log'",
            **where,
        )
    out: dict[str, str] = {}
    for entry, raw in value.items():
        here = {
            "file": where["file"],
            "line": _line(value, entry) if isinstance(value, CommentedMap) else None,
        }
        path = _listed(entry, f"roles.{entry}", timeline, where=here, label="roles")
        role = raw.strip().lower() if isinstance(raw, str) else raw
        if role not in ROLES:
            close = difflib.get_close_matches(str(role), ROLES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"choose one of: {', '.join(ROLES)}"
            raise IncidentError(f"unknown role {raw!r} for {path}", key=f"roles.{entry}", hint=hint, **here)
        out[path] = str(role)
    return out


def _incidents(value: object, timeline: list[str], *, where: dict[str, Any]) -> dict[str, str]:
    if value is None:
        return {}
    hint = "write one 'path: incident id' a line under 'incidents:', e.g. 'uploads/status.json: kq2w4e6r8t0y'"
    if not isinstance(value, Mapping):
        raise IncidentError(
            f"incidents must be a mapping of input to incident id, not {_type_name(value)}",
            key="incidents",
            hint=hint,
            **where,
        )
    out: dict[str, str] = {}
    for entry, raw in value.items():
        line = _line(value, entry) if isinstance(value, CommentedMap) else None
        here = {"file": where["file"], "line": line}
        path = _listed(entry, f"incidents.{entry}", timeline, where=here, label="incidents")
        if isinstance(raw, bool) or not isinstance(raw, str | int) or not str(raw).strip():
            raise IncidentError(
                f"the incident of {path} must be an id, not {_type_name(raw)}",
                key=f"incidents.{entry}",
                hint=hint,
                **here,
            )
        out[path] = str(raw).strip()
    return out


def _window(value: object, *, where: dict[str, Any]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or ".." not in value:
        raise IncidentError(
            f"window must be START..END, not {_type_name(value)}",
            key="window",
            hint="e.g. window: 2024-05-12T14:00Z..2024-05-12T16:00Z, or 14:00..16:30 on incident_date",
            **where,
        )
    return value.strip()


def _signal(value: object, timeline: list[str], *, where: dict[str, Any]) -> Signal | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Signal(value.strip())
    hint = "write a series name ('signal: error ratio'), 'none', or 'name:' and 'input:' under 'signal:'"
    if not isinstance(value, Mapping):
        raise IncidentError(
            f"signal must be a series name, not {_type_name(value)}", key="signal", hint=hint, **where
        )
    unknown = [k for k in value if k not in ("name", "input")]
    if unknown:
        raise IncidentError(f"unknown key {unknown[0]!r} in signal", key="signal", hint=hint, **where)
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise IncidentError("signal needs a series name under 'name:'", key="signal.name", hint=hint, **where)
    entry = value.get("input")
    if entry is None:
        return Signal(name.strip())
    here = {"file": where["file"], "line": _line(value, "input") if isinstance(value, CommentedMap) else None}
    return Signal(name.strip(), _listed(entry, "signal.input", timeline, where=here))


def _budget(value: object, *, where: dict[str, Any]) -> dict[str, int]:
    """``budget:``: ``rounds`` (0 or more) and ``tokens`` (more than 0), whole numbers."""
    hint = "e.g. 'budget:' then '  rounds: 2' and '  tokens: 20000' under it"
    if not isinstance(value, Mapping):
        raise IncidentError(
            f"budget must be a mapping, not {_type_name(value)}", key="budget", hint=hint, **where
        )
    out: dict[str, int] = {}
    for key, raw in value.items():
        if key not in BUDGET_KEYS:
            raise IncidentError(f"unknown key {key!r} in budget", key="budget", hint=hint, **where)
        least = 0 if key == "rounds" else 1
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < least:
            raise IncidentError(
                f"budget.{key} must be a whole number of {least} or more, not {raw!r}",
                key=f"budget.{key}",
                hint=hint,
                **where,
            )
        out[str(key)] = raw
    return out


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


def _timezone(value: object, *, where: dict[str, Any]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise IncidentError(
            f"timezone must be an IANA zone name, not {_type_name(value)}",
            key="timezone",
            hint="e.g. timezone: America/New_York",
            **where,
        )
    try:
        resolve_zone(value)
    except PostmortemError as exc:
        raise IncidentError(exc.message, key="timezone", hint=exc.hint, **where) from None
    return value.strip()


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
