"""The author's fields taken apart for the offline draft: root-cause clauses, the plain words for a part
of the system, the grammatical form of each change, and the part of the day.

:mod:`.prose` turns one fragment into a sentence; this module decides which fragment goes where (what
went wrong, why we did not catch it, what the changes are called). It only splits and classifies the
author's words, never invents a fact; the plain description of a system part comes from
``templates/drafts/systems.tsv``, a list a person reviewed, matched on the words of the root cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .._templates import templates_dir
from .prose import PreventionItem

#: Where a root-cause field splits into clauses: a semicolon, a dash, or ", and" / ", so" between clauses.
_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z])|\s*;\s*|\s+[—–]\s+|\s+-\s+|,\s+and\s+(?=(?:our|the|we|it|this)\b)"
)
#: A clause about how the problem got past us: a check, a test or monitoring that did not see it.
_WATCHER = re.compile(
    r"\b(?:monitor\w*|alert\w*|alarm\w*|tests?|tested|checks?|checked|checking|validat\w*|review\w*|canary)\b",
    re.I,
)
_MISSED = re.compile(r"\b(?:not|n't|never|nothing|no|only|without|missed|failed to)\b", re.I)
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "approx", "incl", "no", "min", "max", "ca"})
_DETERMINER = frozenset({"a", "an", "the", "our", "new", "every", "each", "one", "two", "three"})
#: Verbs a change written as an order starts with ("alert on ...", "canary every ...", "load test ...").
_ORDERS = frozenset(
    [
        "add",
        "alert",
        "audit",
        "automate",
        "backfill",
        "batch",
        "block",
        "build",
        "canary",
        "cap",
        "check",
        "create",
        "deploy",
        "disable",
        "document",
        "enable",
        "enforce",
        "expand",
        "extend",
        "fix",
        "gate",
        "implement",
        "increase",
        "introduce",
        "limit",
        "load",
        "lower",
        "make",
        "migrate",
        "monitor",
        "move",
        "notify",
        "page",
        "pin",
        "post",
        "publish",
        "raise",
        "reduce",
        "remove",
        "replace",
        "require",
        "restrict",
        "retry",
        "review",
        "roll",
        "rotate",
        "run",
        "schedule",
        "send",
        "set",
        "split",
        "start",
        "stop",
        "switch",
        "test",
        "throttle",
        "tighten",
        "track",
        "train",
        "update",
        "upgrade",
        "use",
        "validate",
        "write",
    ]
)
#: Words that cut a change's description down to its name ("divergence alerting that checks ..." ->
#: "divergence alerting").
_NAME_CUT = re.compile(r"\s+(?:that|which|who|so that|so|with|by|every|within|before|instead of)\s+", re.I)


def clauses(text: str) -> list[str]:
    """The clauses of a field, in order, without their final stop.

    >>> clauses("a deploy failed silently — the cache served old data, and our monitoring did not notice")
    ['a deploy failed silently', 'the cache served old data', 'our monitoring did not notice']
    """
    flat = " ".join(text.split()).strip().rstrip(".")
    return [c.strip().rstrip(".,") for c in _CLAUSE_SPLIT.split(flat) if c.strip().rstrip(".,")]


def is_missed_clause(clause: str) -> bool:
    """Whether a clause says why we did not catch the problem (a check that did not, an alert that only)."""
    return bool(_WATCHER.search(clause) and _MISSED.search(clause))


@dataclass(frozen=True)
class RootCause:
    """A root-cause field split the way the seed's Why It Happened is told."""

    #: What went wrong, clause by clause.
    wrong: list[str]
    #: Why our checks or monitoring did not catch it, in the author's words ("" when the field does not say).
    missed: list[str]


def split_root_cause(text: str) -> RootCause:
    """What went wrong and why we did not catch it, from the author's root cause.

    >>> split_root_cause("a config change broke routing; our checks did not test every partner").missed
    ['our checks did not test every partner']
    """
    parts = clauses(text)
    missed = [c for c in parts[1:] if is_missed_clause(c)]
    return RootCause(wrong=[c for c in parts if c not in missed], missed=missed)


@cache
def _systems() -> tuple[tuple[re.Pattern[str], str], ...]:
    rows = []
    path = templates_dir() / "drafts" / "systems.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, _, words = line.partition("\t")
        rows.append((re.compile(rf"\b(?:{pattern})\b", re.I), words.strip()))
    return tuple(rows)


def system_words(text: str) -> str:
    """What the part of the system named first in ``text`` does, in plain words ("" when none is known).

    >>> system_words("the cache layer served yesterday's snapshot")[:40]
    'Our system keeps a recent copy of your d'
    """
    found = [(m.start(), words) for pattern, words in _systems() if (m := pattern.search(text))]
    return min(found)[1] if found else ""


def change_form(item: PreventionItem) -> str:
    """How a change reads after a lead-in: ``titled`` (a name and text), ``gerund`` ("adding a check"),
    ``verb`` ("alert on latency above 2s", an order from a known list of verbs) or ``noun`` (anything
    else, kept as written: "a status update within 30 minutes", "cache checks on every deploy")."""
    if item.title:
        return "titled"
    first = item.text.split()[0].lower() if item.text.split() else ""
    if first.endswith("ing"):
        return "gerund"
    return "verb" if first in _ORDERS else "noun"


def change_name(item: PreventionItem) -> str:
    """A change as a short phrase inside a sentence: its title, or its text up to "that", "with", ...

    >>> change_name(PreventionItem("", "Implementing divergence alerting that checks timestamps."))
    'implementing divergence alerting'
    """
    text = item.title or _NAME_CUT.split(item.text.rstrip("."), maxsplit=1)[0]
    return lower_first(text)


def lower_first(text: str) -> str:
    """The first letter lower-cased unless the first word is an acronym or a name (``API``, ``iOS``)."""
    if not text:
        return text
    word = text.split()[0]
    if len(word) > 1 and (word[1:].lower() != word[1:] or word.isupper()):
        return text
    return text[0].lower() + text[1:]


def with_article(name: str) -> str:
    """A change's name with ``the`` unless it has a determiner or is a gerund ("the gradual rollout")."""
    first = name.split()[0].lower() if name.split() else ""
    return name if not first or first in _DETERMINER or first.endswith("ing") else f"the {name}"


def capitalised(text: str) -> str:
    """Each sentence of an author's field starting with a capital ("no data lost. labels ..." ->
    "... Labels ..."); an abbreviation's stop ("approx. 5", "e.g. exports") starts no sentence."""
    parts = re.split(r"(\s+)", text)
    for i in range(2, len(parts), 2):
        before, word = parts[i - 2], parts[i]
        ends = before[-1:] in (".", "!", "?") and before[:-1].lower().strip("(") not in _ABBREVIATIONS
        if ends and word[:1].islower():
            parts[i] = word[0].upper() + word[1:]
    return "".join(parts)


def first_action(text: str) -> str:
    """The first action of a past-tense remediation ("reverted the config and restarted ..." -> "reverted
    the config")."""
    flat = " ".join(text.split()).strip().rstrip(".")
    return re.split(
        r",?\s+and\s+(?=[\w-]+ed\b|rebuilt\b|reran\b|ran\b|put\b|reset\b)|;\s*|,\s+then\s+", flat
    )[0]


def part_of_day(hour: int) -> str:
    """``morning``, ``afternoon``, ``evening`` or ``night`` for a local hour."""
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    return "evening" if 17 <= hour < 22 else "night"


__all__ = [
    "RootCause",
    "capitalised",
    "change_form",
    "change_name",
    "clauses",
    "first_action",
    "is_missed_clause",
    "lower_first",
    "part_of_day",
    "split_root_cause",
    "system_words",
    "with_article",
]
