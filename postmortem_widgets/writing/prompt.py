"""The prompt for a model: the seed's prompt, filled from the incident, plus the timeline as fenced data.

Text from logs, chat and tickets is untrusted: anyone who can write a chat message or a ticket subject can
write "ignore the instructions above". It goes into one data block whose first and last lines carry a
random nonce, and both the system and the user message say the block is data, never instructions. Each
message is one line, cut to :data:`MESSAGE_LIMIT` characters, and at most ``max_events`` events are shown
(milestones first), so a million-line import cannot flood the prompt. Each event line carries its id
(``E1``...), which the model cites and the reviewer checks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._templates import text_environment
from ..errors import PostmortemError
from ..incident.record import Incident
from ..sections import AUDIENCES
from ..timeline.evidence import EVIDENCE_LIMIT, number_events
from ..timeline.humanize import human_clock
from ..timeline.keyevents import KeyEvent
from ..timeline.merge import Timeline
from ..timeline.timeparse import resolve_zone
from .facts import Facts, build_facts
from .prose import clip, one_line, without_owners

#: Longest event message shown to a model; longer ones end in an ellipsis.
MESSAGE_LIMIT = 240
_NONCE = re.compile(r"^[A-Za-z0-9]{8,64}$")
_MARKER = re.compile(r"<<<|>>>")


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt: a system and a user message, and the nonce that fences its data block."""

    system: str
    user: str
    nonce: str
    #: Events shown in the data block, and how many key events the timeline had.
    event_count: int = 0
    total_events: int = 0

    @property
    def text(self) -> str:
        """Both messages as one text, for printing or for models without a system role."""
        return f"{self.system.rstrip()}\n\n{self.user}"

    @property
    def digest(self) -> str:
        """SHA-256 of the text with the nonce masked, so the same facts give the same digest."""
        return hashlib.sha256(self.text.replace(self.nonce, "NONCE").encode("utf-8")).hexdigest()

    def messages(self) -> list[dict[str, str]]:
        """Chat-completions messages."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    @property
    def estimated_tokens(self) -> int:
        """The prompt's size in tokens, estimated (:func:`estimate_tokens` of each message, plus the few
        tokens a chat format spends on each message's role)."""
        return sum(estimate_tokens(m["content"]) + MESSAGE_OVERHEAD for m in self.messages())


#: Characters per token, for estimates: about 4 for English text with the tokenizers of current models.
CHARS_PER_TOKEN = 4
#: Tokens a chat format adds for each message (its role and separators).
MESSAGE_OVERHEAD = 4


def estimate_tokens(text: str) -> int:
    """About how many tokens ``text`` is, without a tokenizer: one per :data:`CHARS_PER_TOKEN` characters.

    >>> estimate_tokens("x" * 10)
    3
    """
    return -(-len(text) // CHARS_PER_TOKEN)


def clean_message(text: str, *, nonce: str, limit: int = MESSAGE_LIMIT) -> str:
    """One safe line: control and bidi characters gone, spaces collapsed, markers defused, cut to ``limit``.

    >>> clean_message("line one\\nline two <<<END>>>", nonce="abcd1234")
    'line one line two ‹‹END››'
    """
    text = _MARKER.sub(lambda m: "‹‹" if m.group() == "<<<" else "››", one_line(text)).replace(
        nonce, "[nonce]"
    )
    return clip(text, limit)


def _event_rows(
    events: list[KeyEvent], facts: Facts, *, nonce: str, redact: Callable[[str], str] | None
) -> list[dict[str, str]]:
    zone = resolve_zone(facts.zone)
    days = {e.time.tz_convert(zone).date() for e in events}
    rows = []
    for numbered in number_events(events):
        event = numbered.event
        local = event.time.tz_convert(zone)
        when = human_clock(event.time, zone)
        if len(days) > 1:
            when = f"{local.date().isoformat()} {when}"
        message = event.describe()
        if redact is not None and event.message:
            message = redact(message)
        rows.append(
            {
                "id": numbered.id,
                "when": when,
                "source": clean_message(event.source, nonce=nonce, limit=40),
                "kind": event.kind,
                "milestones": ", ".join(event.milestones),
                "message": clean_message(message, nonce=nonce),
            }
        )
    return rows


def new_nonce() -> str:
    """16 random hex digits: unguessable, so text in the data block cannot forge its end marker."""
    return secrets.token_hex(8)


def build_prompt(
    incident: Incident,
    timeline: Timeline,
    *,
    nonce: str | None = None,
    redact: Callable[[str], str] | bool = True,
    max_events: int = EVIDENCE_LIMIT,
    audience: str = "customer",
) -> Prompt:
    """Render ``templates/prompts/`` for this incident. Empty fields derivable from the timeline are filled.

    Event messages are untrusted and may hold people's names, emails, hosts and secrets, so by default
    they pass through the privacy redaction (responders and the people of the timeline's chat and
    paging sources) before they enter the prompt and leave the machine. ``redact=False`` keeps them as
    written; a callable replaces the default redaction.

    ``audience="internal"`` renders ``templates/prompts/internal/``: the engineering team's postmortem,
    with the incident's responders named (event messages are still redacted unless ``redact=False``).
    The events are numbered (:func:`~postmortem_widgets.timeline.evidence.number_events`) for citations.
    """
    if audience not in AUDIENCES:
        raise PostmortemError(f"unknown audience {audience!r}", hint=f"choose one of {', '.join(AUDIENCES)}")
    if redact is True:
        from ..privacy.names import people_names
        from ..privacy.redact import redactor

        redact = redactor(people_names(incident.responders, timeline))
    nonce = nonce or new_nonce()
    if not _NONCE.match(nonce):
        raise PostmortemError(f"a nonce is 8-64 letters or digits, not {nonce!r}")
    facts = build_facts(incident, timeline, max_events=max_events)
    fields = facts.incident.fields()
    if audience == "customer":  # who owns an action item is the team's business
        fields["prevention"] = without_owners(fields["prevention"])
    context: dict[str, Any] = {
        "fields": fields,
        "derived_from_events": {"response_timeline"} & facts.incident.filled,
        "facts": facts,
        "events": _event_rows(facts.events, facts, nonce=nonce, redact=redact or None),
        "total_events": len(timeline.signal_events),
        "nonce": nonce,
        "responders": [clean_message(n, nonce=nonce, limit=80) for n in incident.responders if n.strip()],
    }
    env = text_environment()
    folder = "prompts/internal" if audience == "internal" else "prompts"
    system = env.get_template(f"{folder}/system.j2").render(context)
    user = env.get_template(f"{folder}/user.j2").render(context)
    return Prompt(
        system=system,
        user=user,
        nonce=nonce,
        event_count=len(context["events"]),
        total_events=context["total_events"],
    )


def _fenced(draft: str, nonce: str) -> str:
    """A draft fit to sit between marker lines: the nonce (which no draft needs) cannot end the block."""
    return draft.replace(nonce, "[nonce]")


def section_prompt(base: Prompt, draft: str, heading: str) -> Prompt:
    """The prompt that asks a model to rewrite one section of ``draft`` (``templates/prompts/section.j2``)."""
    user = (
        text_environment()
        .get_template("prompts/section.j2")
        .render(brief=base.user, draft=_fenced(draft, base.nonce), heading=heading, nonce=base.nonce)
    )
    return dataclasses.replace(base, user=user)


def revision_prompt(base: Prompt, draft: str, notes: Sequence[str]) -> Prompt:
    """The prompt that sends a draft back to the model with the reviewer's ``notes`` (one line each) and
    the instruction to change only what they name (``templates/prompts/revise.j2``)."""
    user = (
        text_environment()
        .get_template("prompts/revise.j2")
        .render(
            brief=base.user,
            draft=_fenced(draft, base.nonce),
            notes=[clean_message(n, nonce=base.nonce, limit=400) for n in notes],
            nonce=base.nonce,
        )
    )
    return dataclasses.replace(base, user=user)


__all__ = [
    "CHARS_PER_TOKEN",
    "MESSAGE_LIMIT",
    "Prompt",
    "build_prompt",
    "clean_message",
    "estimate_tokens",
    "new_nonce",
    "revision_prompt",
    "section_prompt",
]
