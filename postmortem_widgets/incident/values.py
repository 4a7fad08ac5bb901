"""What each key of an incident file may hold: one check a key, turning its YAML value into the record's or
raising an :class:`~postmortem_widgets.errors.IncidentError` naming the file, line and key.

Apart from :mod:`~postmortem_widgets.incident.record`, which holds the record and its YAML round trip and
calls these checks while it loads.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ..errors import IncidentError, PostmortemError
from ..timeline.milestones import DETECTED_BY, NAMES, parse_override
from ..timeline.telemetry.model import ROLES
from ..timeline.timeparse import resolve_zone

#: Text fields people naturally write as a YAML list; the items are joined one a line.
LIST_FIELDS: frozenset[str] = frozenset({"response_timeline", "prevention"})
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
