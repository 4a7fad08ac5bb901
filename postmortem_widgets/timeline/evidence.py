"""The numbered events a model is given (``E1``, ``E2``, ...) and the citations a draft makes to them.

The prompt numbers the events of its data block so the model can cite the event behind each timeline
bullet (``- **2:07pm BST:** We were paged [E6]``); the reviewer checks every citation against the same
numbering, and the customer export removes them. The numbering is defined here, once, below both the
prompt (``writing``) and the reviewer (``review``), which may not import each other: the same timeline
and limit always give the same ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .keyevents import KeyEvent, select_key_events
from .merge import Timeline

#: How many events the prompt's data block holds by default, and so how many ids the reviewer knows.
EVIDENCE_LIMIT = 40
#: One citation: ``[E3]``, or several ids in one bracket, ``[E3, E5]``; the spaces before it go with it.
CITATION = re.compile(r"[ \t]*\[(E\d{1,5}(?:\s*[,;]\s*E\d{1,5})*)\]")
_ID = re.compile(r"E(\d{1,5})")


@dataclass(frozen=True)
class Evidence:
    """One numbered event: its id (``E3``) and the event."""

    id: str
    event: KeyEvent


@dataclass(frozen=True)
class Citation:
    """Where a draft cites events: the bracket's span in the text (leading spaces included) and its ids."""

    start: int
    end: int
    ids: tuple[str, ...]


def number_events(events: Sequence[KeyEvent]) -> list[Evidence]:
    """``E1`` for the first event (in the order given: time order for key events), ``E2`` for the next."""
    return [Evidence(f"E{i}", event) for i, event in enumerate(events, start=1)]


def evidence_events(timeline: Timeline, *, limit: int = EVIDENCE_LIMIT) -> list[Evidence]:
    """The prompt's numbered events for this timeline: :func:`select_key_events`, numbered."""
    return number_events(select_key_events(timeline, limit=limit))


def find_citations(text: str) -> Iterator[Citation]:
    """Every citation in ``text``, in order.

    >>> [c.ids for c in find_citations("paged [E6]; fixed [E9, E11]")]
    [('E6',), ('E9', 'E11')]
    """
    for match in CITATION.finditer(text):
        yield Citation(match.start(), match.end(), tuple(f"E{n}" for n in _ID.findall(match.group(1))))


def strip_citations(text: str) -> str:
    """``text`` without its citations, for readers who never saw the numbered events.

    >>> strip_citations("- **2:07pm BST:** We were paged [E6].")
    '- **2:07pm BST:** We were paged.'
    """
    return CITATION.sub("", text)


__all__ = [
    "CITATION",
    "EVIDENCE_LIMIT",
    "Citation",
    "Evidence",
    "evidence_events",
    "find_citations",
    "number_events",
    "strip_citations",
]
