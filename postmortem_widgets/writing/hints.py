"""One line of advice for a field the author is typing: too terse, too long, vague, or too technical.

The Details step shows it under the field as the author types; nothing here blocks anything (the
reviewer, on the finished draft, is the check). The jargon and the vague-promise phrases are the
reviewer's own data files, parsed and matched by :mod:`postmortem_widgets.wordlists`, so the form and
the review agree.
"""

from __future__ import annotations

import re

from ..privacy.spans import find_spans
from ..sections import sentences
from ..timeline.mentions import without_dates_and_times
from ..wordlists import jargon_for, prevention_for
from .prose import field_sentences, items

#: Fields a customer reads (quoted as sentences, or inside the Summary): checked for technical words.
CUSTOMER_FIELDS = frozenset(
    {
        "affected_scope",
        "customer_experience",
        "root_cause",
        "remediation",
        "prevention",
        "data_impact",
        "detection",
    }
)
#: Fewer words than this and the field says too little for its section (per item for prevention).
MIN_WORDS: dict[str, int] = {
    "root_cause": 12,
    "remediation": 5,
    "customer_experience": 5,
    "prevention": 5,
    "affected_scope": 2,
}
#: A sentence longer than this is hard for a customer to follow.
LONG_SENTENCE = 35
#: What a field holding only one of these says: nothing a customer can read.
_PLACEHOLDER = re.compile(r"^\W*(?:none|n/?a|no|nil|tbd|tba|unknown|-+|\?+)\W*$", re.I)
#: Code as engineers write it: an exception class, a snake_case or camelCase name, a call.
_CODE = re.compile(
    r"\b(?:[A-Z][A-Za-z0-9]*(?:Exception|Error|Fault)|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]{2,}[A-Z][A-Za-z0-9]+)"
    r"(?:\(\))?(?![\w.-])"
)
_KIND_WORDS = {
    "secret": "a secret",
    "email": "an email address",
    "url": "an internal link",
    "host": "an internal name",
    "ip": "an IP address",
    "ticket": "a ticket number",
}


def _words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def _technical(text: str) -> str | None:
    spans = find_spans(text)
    if spans:
        s = spans[0]
        kind = _KIND_WORDS.get(s.kind, "an internal detail")
        return f"“{s.text}” looks like {kind}: customers should not read it."
    code = _CODE.search(text)
    if code is not None:
        return f"“{code.group()}” looks like code: describe it in plain words."
    term = jargon_for().first(text)
    if term is not None:
        found, plainer = term
        return f"“{found}” is jargon to customers" + (f": try “{plainer}”." if plainer else ".")
    return None


def _terse(name: str, text: str) -> str | None:
    least = MIN_WORDS.get(name)
    if least is None:
        return None
    parts = items(text) if name == "prevention" else [text]
    short = next((p for p in parts if _words(p) < least), None)
    if short is None:
        return None
    n = _words(short)
    only = f"Only {n} word{'s' if n != 1 else ''}"
    if name == "root_cause":
        return f"{only}: say what failed and why, in plain words a customer follows."
    if name == "prevention":
        return f"“{short}” is terse: name the specific thing being added, changed or removed."
    if name == "remediation":
        return "Terse: say what we did to fix it, in the order we did it."
    return f"{only}: customers need a little more than this."


def field_hint(name: str, text: str) -> str | None:
    """A one-line hint for ``name`` holding ``text``, or ``None`` when it reads well enough (or is empty).

    >>> field_hint("root_cause", "bad deploy")
    'Only 2 words: say what failed and why, in plain words a customer follows.'
    """
    text = text.strip()
    if not text or name not in CUSTOMER_FIELDS:
        return None
    if _PLACEHOLDER.match(text):
        if name == "data_impact":
            return "Say it plainly, as a sentence: “No data was lost or exposed.”"
        return "This says nothing a customer can read: write it out, or leave it empty."
    technical = _technical(text)
    if technical is not None:
        return technical
    if name == "prevention":
        vague = next(
            (v for p in items(text) if (v := prevention_for(mask=without_dates_and_times).is_vague(p))), None
        )
        if vague is not None:
            return f"“{vague}” names no change: say what is added, changed or removed."
    terse = _terse(name, text)
    if terse is not None:
        return terse
    read = [s for part in field_sentences(name, text) for s in sentences(part)]
    longest = max(read, key=_words, default="")
    n = _words(longest)
    if name in ("root_cause", "customer_experience") and n > LONG_SENTENCE:
        return f"One {n}-word sentence: split it where it changes subject, so customers can follow it."
    return None


__all__ = ["CUSTOMER_FIELDS", "LONG_SENTENCE", "MIN_WORDS", "field_hint"]
