"""The facts of the internal version: what the engineering team reads and a customer never does.

The customer draft leaves out people, hosts and event ids on purpose; the internal one is built from the
same :class:`~.facts.Facts` plus who worked the incident and what each did, the systems the events name,
every numbered event with its source (the ids the prompt and the reviewer share), the detection and
response figures, the contributing factors and the action items with their owners. Event text is
untrusted: it is cut to one line, and text addressed to a model is never copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..incident.record import Incident
from ..privacy.instructions import instructions_for
from ..privacy.names import people_names
from ..privacy.spans import HOST, IP, URL, find_secrets, find_spans
from ..timeline import events as ev
from ..timeline.evidence import EVIDENCE_LIMIT, number_events
from ..timeline.humanize import human_clock
from ..timeline.merge import Timeline
from ..timeline.timeparse import resolve_zone
from .facts import Facts, build_facts
from .prose import clip, one_line, sentence

#: The internal draft's templates, in order (``templates/drafts/internal/``).
INTERNAL_TEMPLATES: tuple[str, ...] = (
    "summary",
    "people",
    "timeline",
    "metrics",
    "causes",
    "response",
    "actions",
)
#: Longest event text copied into the internal timeline.
EVENT_TEXT_LIMIT = 200
#: What a person did, by the kind of event they are the actor of.
_DID = {
    ev.ACKNOWLEDGED: "acknowledged the page",
    ev.IDENTIFIED: "identified the cause",
    ev.MITIGATED: "started the fix",
    ev.RESOLVED: "closed it",
    ev.UPDATE: "posted an update",
    ev.PAGE: "was paged",
}
_IDENTIFIER = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+(?![\w@-])")


@dataclass(frozen=True)
class Row:
    """One numbered event as the internal timeline shows it."""

    id: str
    when: str
    source: str
    kind: str
    milestones: str
    text: str


@dataclass(frozen=True)
class Person:
    """Someone who worked the incident, and what the events show they did (with the event ids)."""

    name: str
    roles: tuple[str, ...]


@dataclass
class InternalFacts:
    """The customer facts plus what only the team reads."""

    facts: Facts
    rows: list[Row]
    people: list[Person]
    systems: list[str]
    contributing: list[str]
    root_cause: str
    #: How many key events the timeline had (the rows are at most the prompt's limit of them).
    total: int = 0


def _one_line(text: str) -> str:
    """Event text as one line cut short, for an inline code span: quoted as the tool wrote it, so it
    renders as itself (no markup, no forged citation) and the reviewer reads it as evidence, not a claim."""
    text = one_line(text.replace("`", "'"))
    for secret in reversed(find_secrets(text)):  # the team needs no credentials: rotate, never copy
        text = text[: secret.start] + "[secret removed]" + text[secret.end :]
    return clip(text, EVENT_TEXT_LIMIT)


def _rows(facts: Facts, timeline: Timeline) -> list[Row]:
    zone = resolve_zone(facts.zone)
    instructions = instructions_for()
    days = {e.time.tz_convert(zone).date() for e in facts.events}
    rows = []
    for numbered in number_events(facts.events):
        event = numbered.event
        when = human_clock(event.time, zone)
        if len(days) > 1:
            local = event.time.tz_convert(zone)
            when = f"{local.strftime('%B')} {local.day}, {when}"
        text = event.describe()
        if instructions.found_in(text):
            text = "(text addressed to a language model, left out: read it in the source)"
        rows.append(
            Row(
                id=numbered.id,
                when=when,
                source=_one_line(event.source),
                kind=event.kind,
                milestones=", ".join(event.milestones),
                text=_one_line(text),
            )
        )
    return rows


def _people(incident: Incident, timeline: Timeline, facts: Facts) -> list[Person]:
    """Responders and the people of the paging and chat sources, each with what they did and when."""
    zone = resolve_zone(facts.zone)
    done: dict[str, list[str]] = {}
    for numbered in number_events(facts.events):
        event = numbered.event
        actor = event.actor.strip()
        if actor and event.kind in _DID:
            when = human_clock(event.time, zone)
            done.setdefault(actor.lower(), []).append(f"{when}: {_DID[event.kind]} [{numbered.id}]")
    names = people_names(incident.responders, timeline)
    listed = {n.strip().lower() for n in incident.responders}
    out = []
    for name in names:
        roles = ["responder"] if name.lower() in listed else ["named in the paging or chat events"]
        out.append(Person(name=name, roles=tuple(roles + done.get(name.lower(), []))))
    return out


def _systems(incident: Incident, facts: Facts) -> list[str]:
    """Hosts, URLs, IPs and service identifiers the events name ("payment-gateway-eu"), first seen first."""
    people = {n.lower() for n in incident.responders}
    found: dict[str, None] = {}
    for event in facts.events:
        for span in find_spans(event.message):
            if span.kind in (HOST, URL, IP):
                found.setdefault(span.text, None)
        for match in _IDENTIFIER.finditer(event.message):
            found.setdefault(match.group(), None)
        actor = event.actor.strip()
        if actor and actor.lower() not in people and _IDENTIFIER.fullmatch(actor):
            found.setdefault(actor, None)
    return list(found)


def _contributing(facts: Facts, root_parts: list[str]) -> list[str]:
    out = [sentence(part) for part in root_parts]
    fig = facts.figures
    if facts.detected_by == "customer":
        out.append("Our monitoring did not catch it: a customer reported it first.")
    elif fig["time_to_detect"]:
        out.append(f"Detection took {fig['time_to_detect']} after the impact began.")
    if facts.impact is not None and facts.impact.change:
        out.append(f"The impact began right after a deploy or configuration change at {facts.impact.change}.")
    return out


def build_internal_facts(
    incident: Incident, timeline: Timeline, *, max_events: int = EVIDENCE_LIMIT
) -> InternalFacts:
    """Everything the internal draft states. The events are the prompt's numbered ones (same ids)."""
    facts = build_facts(incident, timeline, max_events=max_events)
    first, *rest = [p.strip() for p in facts.incident.root_cause.split(";")] or [""]
    return InternalFacts(
        facts=facts,
        rows=_rows(facts, timeline),
        people=_people(incident, timeline, facts),
        systems=_systems(incident, facts),
        contributing=_contributing(facts, [p for p in rest if p]),
        root_cause=sentence(first),
        total=len(timeline.signal_events),
    )


__all__ = ["INTERNAL_TEMPLATES", "InternalFacts", "Person", "Row", "build_internal_facts"]
