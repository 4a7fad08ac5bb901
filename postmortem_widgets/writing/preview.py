"""How one of the seed's fields will read in the offline draft, for the Details step to show as the author
types: the sentences the draft makes of it (from :mod:`.prose`, the same functions the draft's facts use),
the section they land in, and the one-line hint from :mod:`.hints`.

Pure and quick (a few regular expressions), so the form can call it after every pause in typing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import PostmortemError
from ..timeline.humanize import human_duration_adjective
from ..timeline.merge import Timeline
from .facts import Facts, written_date
from .hints import field_hint
from .prose import field_sentences, prevention_items, tidy

#: Where each field's words land in the draft (a heading of the seed's six sections).
SECTION_OF: dict[str, str] = {
    "product_name": "Summary",
    "incident_date": "Summary",
    "affected_scope": "Summary",
    "customer_experience": "Summary",
    "data_impact": "Summary",
    "root_cause": "Why It Happened",
    "remediation": "How We Responded",
    "prevention": "What We're Changing",
}
#: Fields the offline draft does not quote: what it does with them instead.
NOT_QUOTED: dict[str, str] = {
    "incident_duration": "The draft states the duration the timeline measures; a model also reads this.",
    "detection": "The offline draft tells how we found out from the timeline; a model reads this.",
    "response_timeline": "Each line with a time is a Timeline event; the draft words the key ones itself.",
}


@dataclass(frozen=True)
class FieldPreview:
    """What the Details step shows beside a field."""

    #: The draft's sentences (or list items) made of the field; empty when it quotes none.
    lines: tuple[str, ...]
    #: ``lines`` are a numbered list (prevention), not running text.
    numbered: bool
    #: The section they land in ("Summary"), or ``""``.
    section: str
    #: What the draft does instead, for a field it does not quote.
    note: str
    hint: str | None


def duration_adjective(timeline: Timeline) -> str | None:
    """ "2-hour 33-minute", as the Summary's first sentence says the timeline's duration."""
    duration = timeline.metrics.duration
    return human_duration_adjective(duration) if duration is not None else None


def opening_sentence(fields: Mapping[str, str], duration: str | None = None) -> str:
    """The Summary's first sentence as the draft writes it from the fields and the timeline's ``duration``
    (:func:`duration_adjective`)."""
    product = fields.get("product_name", "").strip()
    scope = fields.get("affected_scope", "").strip() or "some of our customers"
    try:
        date = written_date(fields.get("incident_date", ""))
    except PostmortemError:  # "2024-13-01" as typed: the Import step says what is wrong with it
        date = fields.get("incident_date", "").strip()
    when = f"On {date}, {product or 'our service'}" if date else f"{product or 'Our service'} recently"
    incident = f"{Facts.article(duration)} {duration} service incident" if duration else "a service incident"
    return tidy(f"{when} experienced {incident} affecting {scope}.")


def how_it_reads(
    name: str, text: str, fields: Mapping[str, str] | None = None, *, duration: str | None = None
) -> FieldPreview:
    """The preview of ``name`` holding ``text``; ``fields`` are the other fields as typed and ``duration``
    the timeline's (for the Summary's opening sentence, which the product, date and scope share)."""
    hint = field_hint(name, text)
    if name in NOT_QUOTED:
        return FieldPreview((), False, "", NOT_QUOTED[name] if text.strip() else "", hint)
    if not text.strip():
        return FieldPreview((), False, SECTION_OF.get(name, ""), "", hint)
    if name in ("product_name", "incident_date", "affected_scope"):
        lines: tuple[str, ...] = (opening_sentence({**(fields or {}), name: text}, duration),)
    elif name == "prevention":
        items = prevention_items(text)
        lines = tuple(f"**{i.title}:** {i.text}" if i.title else i.text for i in items)
        return FieldPreview(lines, True, SECTION_OF[name], "", hint)
    else:
        lines = tuple(field_sentences(name, text))
    return FieldPreview(lines, False, SECTION_OF.get(name, ""), "", hint)


__all__ = [
    "NOT_QUOTED",
    "SECTION_OF",
    "FieldPreview",
    "duration_adjective",
    "how_it_reads",
    "opening_sentence",
]
