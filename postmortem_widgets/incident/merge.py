"""Three-way merge of incident fields: what this form changed, put onto the file as it is now.

``base`` is the incident as this form loaded (or last wrote) it, ``mine`` the form's values, ``theirs``
the file now (another form or an editor saved it since). Per key:

* only one side changed it: that side's value;
* both changed a text field: the lines are merged (:func:`~postmortem_widgets.textmerge.merge_text`) when
  the changes are in different lines; otherwise it is a :class:`FieldConflict`: the file keeps *theirs*
  and *mine* is reported back with both texts, so the form can show them and let the author choose;
* lists (``timeline``, ``responders``): what mine added is added and what mine removed is removed, on top
  of theirs, so two people importing different exports both keep theirs;
* maps (``milestones``, ``roles``, ``incidents``, ``budget``): each entry on its own, as a scalar, so two
  people setting the roles of two different inputs both keep theirs; an entry both changed differently is a
  conflict named ``roles.ENTRY`` (``milestones.NAME``, ...).

Nothing is dropped silently: every value of mine that is not in the result is in ``conflicts``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TypeVar

from ..textmerge import merge_text
from .record import FIELDS, Incident

__all__ = ["MAPS", "FieldConflict", "IncidentMerge", "merge_incidents", "snapshot"]

#: Keys merged as one value (a conflict keeps theirs).
_SCALARS = ("timezone", "window", "signal", "company")
_LISTS = ("timeline", "responders", "allow")
#: Keys whose entries are merged one by one (see the module).
MAPS = ("milestones", "roles", "incidents", "budget")
T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class FieldConflict:
    """A key both sides changed differently: ``field``, or ``MAP.ENTRY`` (``milestones.mitigated``,
    ``roles.uploads/app.csv``); the file holds ``theirs``.

    An empty string stands for "not set" (a milestone left to the rules, an input with no role given).
    """

    key: str
    base: str
    mine: str
    theirs: str


@dataclass
class IncidentMerge:
    """The merged incident (on theirs' YAML document, so comments stay) and what happened to each key."""

    incident: Incident
    #: Keys whose value came from the file (someone else's change, taken in).
    theirs: list[str] = field(default_factory=list)
    #: Keys whose value is this form's change.
    mine: list[str] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)

    @property
    def changed_by_others(self) -> bool:
        return bool(self.theirs or self.conflicts)


def snapshot(incident: Incident) -> Incident:
    """A copy that later edits of ``incident`` (its lists and mappings) do not reach: a merge base."""
    return dataclasses.replace(
        incident,
        timeline=list(incident.timeline),
        milestones=dict(incident.milestones),
        roles=dict(incident.roles),
        incidents=dict(incident.incidents),
        responders=list(incident.responders),
        allow=list(incident.allow),
        budget=dict(incident.budget),
    )


def _scalar(key: str, base: T, mine: T, theirs: T, out: IncidentMerge) -> T:
    if mine == theirs:
        if mine != base:
            out.mine.append(key)
        return mine
    if mine == base:
        out.theirs.append(key)
        return theirs
    if theirs == base:
        out.mine.append(key)
        return mine
    if isinstance(base, str) and isinstance(mine, str) and isinstance(theirs, str) and "." not in key:
        merged = merge_text(base, mine, theirs)
        if merged.clean:
            out.mine.append(key)
            out.theirs.append(key)
            return merged.text  # type: ignore[return-value]
    out.conflicts.append(FieldConflict(key=key, base=_shown(base), mine=_shown(mine), theirs=_shown(theirs)))
    return theirs


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _list(key: str, base: list[str], mine: list[str], theirs: list[str], out: IncidentMerge) -> list[str]:
    added = [x for x in mine if x not in base]
    removed = {x for x in base if x not in mine}
    merged = [x for x in theirs if x not in removed]
    merged += [x for x in added if x not in merged]
    if merged != theirs:
        out.mine.append(key)
    if theirs != base:
        out.theirs.append(key)
    return merged


def _entries(
    key: str, base: dict[str, K], mine: dict[str, K], theirs: dict[str, K], out: IncidentMerge
) -> dict[str, K]:
    """Each entry of a map on its own; an absent one (a milestone set by the rules) is ``None``, unlike an
    empty one."""
    merged: dict[str, K] = {}
    for name in dict.fromkeys([*theirs, *mine, *base]):
        value = _scalar(f"{key}.{name}", base.get(name), mine.get(name), theirs.get(name), out)
        if value is not None:
            merged[name] = value
    return merged


def merge_incidents(base: Incident, mine: Incident, theirs: Incident) -> IncidentMerge:
    """Merge ``mine`` and ``theirs``, both changed from ``base`` (see the module)."""
    out = IncidentMerge(incident=theirs)
    values: dict[str, object] = {}
    for key in FIELDS:
        values[key] = _scalar(key, getattr(base, key), getattr(mine, key), getattr(theirs, key), out)
    for key in _SCALARS:
        values[key] = _scalar(key, getattr(base, key), getattr(mine, key), getattr(theirs, key), out)
    for key in _LISTS:
        values[key] = _list(key, getattr(base, key), getattr(mine, key), getattr(theirs, key), out)
    for key in MAPS:
        values[key] = _entries(key, getattr(base, key), getattr(mine, key), getattr(theirs, key), out)
    out.incident = dataclasses.replace(theirs, filled=mine.filled, **values)  # type: ignore[arg-type]
    return out
