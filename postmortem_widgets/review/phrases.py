"""The prevention phrases as the reviewer reads them: dates and clock times are when, not a measure.

The list, its parser and its matcher are :mod:`postmortem_widgets.wordlists` (the form's hints read the
same); the reviewer adds only the mask its prose clock makes, so "on 15 Jan 2025 at 12:58" does not make
a promise concrete.

>>> prevention_for().concrete("We will review our alerting by 15 Jan 2025.")
False
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import wordlists
from ..wordlists import KINDS, Phrase, PreventionPhrases, load_prevention, parse_prevention
from .clock import find_dates, find_times


def _without_dates_and_times(text: str) -> str:
    """The text with dates and clock times blanked."""
    chars = list(text)
    spans = [(m.start, m.end) for m in find_dates(text)] + [(m.start, m.end) for m in find_times(text, ())]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def prevention_for(extra: Iterable[str | Path] = ()) -> PreventionPhrases:
    """The shipped list plus the user's files, cached per set, dates and times masked."""
    return wordlists.prevention_for(extra, mask=_without_dates_and_times)


__all__ = ["KINDS", "Phrase", "PreventionPhrases", "load_prevention", "parse_prevention", "prevention_for"]
