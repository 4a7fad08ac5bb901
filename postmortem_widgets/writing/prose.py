"""The author's fragments as customer sentences: capitals, full stops, counts and lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from ..sections import count_sentences, sentences
from ..timeline.humanize import human_duration

_ITEM_SPLIT = re.compile(r";|\n")


_ITEM_PREFIX = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


#: Past tenses that do not end in -ed ("rebuilt the cache", "shut down the job").
_IRREGULAR_PAST = frozenset(
    {"built", "rebuilt", "put", "set", "reset", "shut", "ran", "took", "made", "wrote", "rewrote", "sent"}
    | {"spent", "cut", "began", "brought", "found", "kept", "held", "led", "paid", "split", "spun"}
)


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def sentence(text: str) -> str:
    """Author's fragment as a sentence: one paragraph, capitalised, with a full stop.

    >>> sentence("no data was lost; customers saw delayed data")
    'No data was lost; customers saw delayed data.'
    """
    text = " ".join(text.split()).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (the whole text when it has one)."""
    found = sentences(text)
    return found[0] if found else ""


def number_word(n: int) -> str:
    """``3`` -> ``three`` (digits above ten)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def span(delta: timedelta | None) -> str | None:
    """A duration for "within ..." phrases: ``5 minutes``, or ``a minute`` for less."""
    if delta is None:
        return None
    return "a minute" if delta.total_seconds() < 90 else human_duration(delta)


def starts_with_past_tense(text: str) -> bool:
    """Whether a fragment reads after "We ...": "rolled back the deployment" does, "a rollback" does not."""
    words = text.strip().split()
    if not words:
        return False
    first = words[0].lower().strip(",.;:")
    return first in _IRREGULAR_PAST or (
        first.endswith("ed") and first not in {"need", "speed", "feed", "seed"}
    )


@dataclass(frozen=True)
class PreventionItem:
    """One concrete change: an optional bold title (text before a colon) and its description."""

    title: str
    text: str
    #: Who owns it, when the incident file names them ("(owner: Priya Natarajan)"): for the internal
    #: version only, never in the customer's text.
    owner: str = ""


#: An owner written after an item: "(owner: Priya)", "[owner: @priya]", "- owner: Payments team".
_OWNER = re.compile(
    r"[ \t]*(?:[(\[][ \t]*owners?[ \t]*[:=][ \t]*([^)\]\n;]+?)[ \t]*[)\]]"
    r"|[-–—,][ \t]*owners?[ \t]*[:=][ \t]*([^;\n]+?)[ \t]*(?=[;\n]|$))",
    re.I,
)


def without_owners(text: str) -> str:
    """The prevention field with its owners taken out, for everything a customer reads (and its prompt).

    >>> without_owners("Page at once (owner: Priya); cache check - owner: SRE")
    'Page at once; cache check'
    """
    return _OWNER.sub("", text)


def prevention_items(text: str) -> list[PreventionItem]:
    """The prevention field split on semicolons or lines, bullets and numbers removed, owners set apart.

    >>> prevention_items("Paging fix: page at once (owner: Priya N)")[0]
    PreventionItem(title='Paging fix', text='Page at once.', owner='Priya N')
    """
    items: list[PreventionItem] = []
    for raw in _ITEM_SPLIT.split(text):
        item = _ITEM_PREFIX.sub("", raw).strip().strip(".").strip()
        found = _OWNER.search(item)
        owner = ""
        if found is not None:
            owner = (found.group(1) or found.group(2) or "").strip()
            item = (item[: found.start()] + item[found.end() :]).strip().strip(".").strip()
        if not item:
            continue
        title, sep, rest = item.partition(": ")
        if sep and len(title) <= 60 and rest.strip():
            items.append(PreventionItem(title=title.strip().strip("*_"), text=sentence(rest), owner=owner))
        else:
            items.append(PreventionItem(title="", text=sentence(item), owner=owner))
    return items


__all__ = [
    "PreventionItem",
    "count_sentences",
    "first_sentence",
    "number_word",
    "prevention_items",
    "sentence",
    "span",
    "starts_with_past_tense",
    "without_owners",
]
