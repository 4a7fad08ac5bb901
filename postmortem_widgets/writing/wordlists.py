"""The data files the sentence rules and the Details hints read, loaded here so ``writing/`` needs no
``review/``.

``templates/prose/words.tsv`` holds the words the fragment-to-sentence rules know (``role<TAB>words``).
The reviewer's own lists, ``templates/review/jargon.tsv`` (``term<TAB>plainer words``) and
``templates/review/prevention.tsv`` (``kind<TAB>pattern<TAB>example``), are read from the same files the
reviewer reads, so a hint in the form and a finding in the review agree; the reviewer keeps its own
richer matcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import JargonError, PreventionListError, WordListError

#: The roles ``words.tsv`` may give a word (its header explains each).
ROLES = ("part", "event", "undo", "place", "particle", "create", "stop", "lower")


def _prose_path(*parts: str) -> Path:
    from .._templates import templates_dir  # on first use: templating imports jinja2

    return templates_dir().joinpath(*parts)


def _lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of every line that is not blank or a comment."""
    return [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def parse_words(text: str, *, name: str = "words.tsv") -> dict[str, frozenset[str]]:
    """``role<TAB>words`` lines as ``{role: words}`` (every role present, empty when unlisted)."""
    found: dict[str, set[str]] = {role: set() for role in ROLES}
    for number, line in _lines(text):
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
    path = _prose_path("prose", "words.tsv")
    return parse_words(path.read_text(encoding="utf-8"), name=str(path))


@dataclass(frozen=True)
class JargonTerm:
    """A term customers should not need, and plainer words for it."""

    term: str
    plainer: str


def parse_jargon_terms(text: str, *, name: str = "jargon.tsv") -> list[JargonTerm]:
    """``term<TAB>plainer words`` lines (the reviewer's format)."""
    terms = []
    for number, line in _lines(text):
        term, sep, plainer = line.partition("\t")
        if not sep or not term.strip() or not plainer.strip():
            raise JargonError(
                f"expected 'term<TAB>plainer words', got {line.strip()!r}",
                file=name,
                line=number,
                hint="separate the term and its plainer words with one tab",
            )
        terms.append(JargonTerm(term.strip(), plainer.strip()))
    return terms


class JargonMatcher:
    """Every term of a jargon list as one pattern: whole words, any case, a plural matched too."""

    def __init__(self, terms: list[JargonTerm]) -> None:
        self._plainer = {" ".join(t.term.lower().rstrip("*").split()): t.plainer for t in terms}
        parts = []
        for t in sorted(terms, key=lambda t: len(t.term), reverse=True):
            body = r"\s+".join(map(re.escape, t.term.rstrip("*").split()))
            parts.append(body + (r"[\w-]*" if t.term.endswith("*") else r"(?:s|es)?"))
        self._re = (
            re.compile(r"(?<![\w./-])(?:" + "|".join(parts) + r")(?![\w-]|\.\w)", re.I) if parts else None
        )

    def first(self, text: str) -> tuple[str, str] | None:
        """``(the term as written, plainer words)`` of the first term in ``text``."""
        if self._re is None:
            return None
        match = self._re.search(text)
        if match is None:
            return None
        key = " ".join(match.group().lower().split())
        plainer = next(
            (self._plainer[k] for k in (key, key[:-1], key[:-2]) if k in self._plainer),
            next((p for k, p in self._plainer.items() if key.startswith(k)), ""),
        )
        return match.group(), plainer


@cache
def jargon() -> JargonMatcher:
    """The reviewer's shipped jargon list, read from its data file."""
    path = _prose_path("review", "jargon.tsv")
    return JargonMatcher(parse_jargon_terms(path.read_text(encoding="utf-8-sig"), name=str(path)))


@dataclass(frozen=True)
class Commitments:
    """The reviewer's vague and concrete prevention phrases, compiled."""

    vague: tuple[re.Pattern[str], ...]
    concrete: tuple[re.Pattern[str], ...]

    def is_vague(self, text: str) -> str | None:
        """The vague words of ``text`` when it promises no concrete change, else ``None``."""
        flat = text.replace("’", "'")
        if any(p.search(flat) for p in self.concrete):
            return None
        return next((m.group() for p in self.vague if (m := p.search(flat))), None)


def parse_commitments(text: str, *, name: str = "prevention.tsv") -> Commitments:
    """``kind<TAB>pattern<TAB>example`` lines; kinds other than vague and concrete are not needed here."""
    vague: list[re.Pattern[str]] = []
    concrete: list[re.Pattern[str]] = []
    for number, line in _lines(text):
        kind, _, rest = line.partition("\t")
        pattern = rest.partition("\t")[0]
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as exc:
            raise PreventionListError(
                f"not a valid pattern: {exc}", file=name, line=number, hint="fix the regular expression"
            ) from None
        if kind == "vague":
            vague.append(compiled)
        elif kind == "concrete":
            concrete.append(compiled)
    return Commitments(tuple(vague), tuple(concrete))


@cache
def commitments() -> Commitments:
    """The reviewer's shipped prevention phrases, read from its data file."""
    path = _prose_path("review", "prevention.tsv")
    return parse_commitments(path.read_text(encoding="utf-8-sig"), name=str(path))


__all__ = [
    "ROLES",
    "Commitments",
    "JargonMatcher",
    "JargonTerm",
    "commitments",
    "jargon",
    "parse_commitments",
    "parse_jargon_terms",
    "parse_words",
    "words",
]
