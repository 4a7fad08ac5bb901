"""The prevention phrases as the reviewer reads them: dates and clock times are when, not a measure.

The list, its parser and its matcher are :mod:`postmortem_widgets.wordlists`; the reviewer adds the mask
of :func:`~postmortem_widgets.timeline.mentions.without_dates_and_times`, so "on 15 Jan 2025 at 12:58"
does not make a promise concrete (the form's hints read the list with the same mask).

>>> prevention_for().concrete("We will review our alerting by 15 Jan 2025.")
False
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import wordlists
from ..timeline.mentions import without_dates_and_times
from ..wordlists import KINDS, Phrase, PreventionPhrases, load_prevention, parse_prevention


def prevention_for(extra: Iterable[str | Path] = ()) -> PreventionPhrases:
    """The shipped list plus the user's files, cached per set, dates and times masked."""
    return wordlists.prevention_for(extra, mask=without_dates_and_times)


__all__ = ["KINDS", "Phrase", "PreventionPhrases", "load_prevention", "parse_prevention", "prevention_for"]
