"""The words the sentence rules know, from a data file.

``templates/prose/words.tsv`` holds the words the fragment-to-sentence rules know (``role<TAB>words``).
The reviewer's lists the Details hints read (jargon, prevention phrases) are parsed and matched by
:mod:`postmortem_widgets.wordlists`, below both ``writing/`` and ``review/``.
"""

from __future__ import annotations

from functools import cache

from ..errors import WordListError
from ..wordlists import data_lines, shipped_list

#: The roles ``words.tsv`` may give a word (its header explains each).
ROLES = ("part", "event", "undo", "place", "particle", "create", "stop", "lower")


def parse_words(text: str, *, name: str = "words.tsv") -> dict[str, frozenset[str]]:
    """``role<TAB>words`` lines as ``{role: words}`` (every role present, empty when unlisted)."""
    found: dict[str, set[str]] = {role: set() for role in ROLES}
    for number, line in data_lines(text):
        role, sep, words = line.partition("\t")
        if not sep or role.strip() not in found or not words.split():
            raise WordListError(
                f"expected 'role<TAB>words' with a role of {', '.join(ROLES)}, got {line.strip()!r}",
                file=name,
                line=number,
                hint="separate the role and its words with one tab",
            )
        found[role.strip()].update(w.lower() for w in words.split())
    return {role: frozenset(words) for role, words in found.items()}


@cache
def words() -> dict[str, frozenset[str]]:
    """The shipped word list."""
    path = shipped_list("prose", "words.tsv")
    return parse_words(path.read_text(encoding="utf-8"), name=str(path))


__all__ = ["ROLES", "parse_words", "words"]
