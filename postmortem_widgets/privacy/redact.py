"""Redaction: internal details and people's names replaced by neutral words, with a list of what changed.

Used on untrusted event text before it goes into a model's prompt (so personal data stays on the machine)
and, on request, on a draft. A replacement drops its own article when the text already has one
("the db1.corp host" -> "the internal system host", "ssh to db1.corp" -> "ssh to an internal system").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .names import NameMatcher, find_people
from .spans import EMAIL, HOST, IP, SECRET, TICKET, URL, Span, find_spans, resolve_overlaps

NAME = "name"
#: Neutral words for each kind, as (with article, without).
REPLACEMENTS: dict[str, tuple[str, str]] = {
    EMAIL: ("an email address", "email address"),
    IP: ("a server", "server"),
    HOST: ("an internal system", "internal system"),
    URL: ("an internal link", "internal link"),
    SECRET: ("[secret removed]", "[secret removed]"),
    TICKET: ("an internal ticket", "internal ticket"),
    NAME: ("a team member", "team member"),
}
_DETERMINER = re.compile(r"\b(?:a|an|the|our|your|their|this|that|his|her|its|my)\s+$", re.I)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*(?:[-*+]\s+)?)$")


@dataclass
class Redaction:
    """The redacted text and each change as (original, replacement, kind), in text order."""

    text: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.changes)

    def summary(self) -> dict[str, int]:
        """How many of each kind were replaced."""
        out: dict[str, int] = {}
        for _, _, kind in self.changes:
            out[kind] = out.get(kind, 0) + 1
        return out


def _replacement(text: str, span: Span, own: str = "") -> str:
    """The words for ``span``: ``own`` (a mention's role) or the kind's neutral word, with the article the
    text around it needs and a capital at a sentence start."""
    before = text[: span.start]
    with_article, bare = REPLACEMENTS[span.kind]
    word = own or (bare if _DETERMINER.search(before) else with_article)
    if span.kind == NAME and not own and (span.text.endswith("'s") or span.text.endswith("’s")):
        word += "'s"
    if _SENTENCE_START.search(before) and word[:1].isalpha():
        word = word[0].upper() + word[1:]
    elif own and word[:1].isupper() and word.split()[0].lower() in ("our", "an", "a", "the", "one"):
        word = word[0].lower() + word[1:]
    return word


def redact(
    text: str,
    *,
    roster: Sequence[str] = (),
    keep: Sequence[str] = (),
    matcher: NameMatcher | None = None,
    exclude: Sequence[str] = (),
) -> Redaction:
    """Replace emails, IPs, internal hosts and URLs, ticket IDs, secrets and people's names.

    People are the roster's names and the mentions :func:`~.names.find_people` finds without a roster
    ("Priya from our SRE team" becomes "An engineer from our SRE team", "our engineer Sam" becomes "our
    engineer"): the whole mention is replaced, so the sentence still reads. ``keep`` lists exact strings to
    leave alone (a public support address, a product name that is also a roster name); ``exclude`` lists
    words that are never a person's (the product's and company's own). ``matcher`` reuses a compiled
    :class:`NameMatcher` across many calls.

    >>> redact("Priya paged db1.corp (10.0.0.7)", roster=["Priya Patel"]).text
    'A team member paged an internal system (a server)'
    >>> redact("Tidewater Storage was slow; Sam from our storage team restarted it.",
    ...        roster=["oncall-storage"], exclude=["Tidewater", "Storage"]).text
    'Tidewater Storage was slow; an engineer from our storage team restarted it.'
    """
    names = matcher if matcher is not None else NameMatcher(list(roster), loose=True, exclude=exclude)
    kept = {k.lower() for k in keep}
    ours = {w.lower() for k in (*keep, *exclude) for w in k.split()}
    spans = find_spans(text, keep=keep)
    spans += [
        Span(h.start, h.end, NAME, h.text)
        for h in names.finditer(text)
        if h.text.lower() not in kept and h.text.lower().removesuffix("'s") not in ours
    ]
    own: dict[tuple[int, int], str] = {}
    for person in find_people(text, exclude=ours):
        spans.append(Span(person.start, person.end, NAME, person.text))
        own[(person.start, person.end)] = person.replacement
    spans = resolve_overlaps(spans) if spans else []
    if not spans:
        return Redaction(text)
    pieces: list[str] = []
    changes: list[tuple[str, str, str]] = []
    cursor = 0
    for span in spans:
        word = _replacement(text, span, own.get((span.start, span.end), ""))
        pieces.append(text[cursor : span.start])
        pieces.append(word)
        changes.append((span.text, word, span.kind))
        cursor = span.end
    pieces.append(text[cursor:])
    return Redaction("".join(pieces), changes)


def redactor(
    names: Sequence[str] = (), *, keep: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Callable[[str], str]:
    """A ``text -> redacted text`` function with the names compiled once, for redacting many event messages
    (e.g. ``build_prompt(..., redact=redactor(people_names(incident.responders, timeline)))``)."""
    matcher = NameMatcher(list(names), loose=True, exclude=exclude)

    def apply(text: str) -> str:
        return redact(text, keep=keep, matcher=matcher, exclude=exclude).text

    return apply
