"""The data-file lists users extend, read and matched once: jargon and prevention phrases.

``templates/review/jargon.tsv`` (``term<TAB>plainer words``) and ``templates/review/prevention.tsv``
(``kind<TAB>regex<TAB>example``) are read by the reviewer (``review/``) and by the form's hints
(``writing/``), which may not import each other; here, below both, one parser and one matcher serve each,
so a hint in the form and a finding in the review agree. The line reading (comments, blank lines, a file
read as UTF-8 with or without a BOM, the shipped list plus the user's files) is shared with the other
lists (``privacy/instructions``, ``writing/wordlists``).

Prevention phrases: ``vague`` ones promise without naming a change ("evaluate ways to", "harden our
processes", "ensure this cannot recur"); ``concrete`` ones name the thing being added, changed or removed
(a check, an alert with its condition, a limit, a test, a number, a schedule); an ``aside`` talks about
commitments without making one ("what we'll do to prevent this"). A concrete-sounding verb is not enough:
"implementing enhanced monitoring improvements" names nothing.

>>> phrases = prevention_for()
>>> [m.group() for m in phrases.vague("We are implementing enhanced monitoring improvements.")]
['enhanced monitoring']
>>> phrases.concrete("We're adding a cache accuracy check to every deployment.")
True
>>> jargon_for().first("Two pods restarted.")
('pods', 'server processes')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

from .errors import JargonError, PostmortemError, PreventionListError

T = TypeVar("T")

#: The kinds of prevention phrase (the header of ``prevention.tsv`` explains each).
KINDS = ("vague", "concrete", "aside")


def shipped_list(*parts: str) -> Path:
    """A data file shipped next to the templates (``shipped_list("review", "jargon.tsv")``)."""
    from ._templates import templates_dir  # on first use: templating imports jinja2

    return templates_dir().joinpath(*parts)


def data_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of every line that is not blank or a ``#`` comment."""
    return [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def read_list(path: str | Path, error: type[PostmortemError], what: str) -> str:
    """A list file's text (a BOM dropped); ``error`` naming the file when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what}: {exc}", file=str(path)) from None


def list_paths(shipped: Path, extra: Iterable[str | Path]) -> tuple[str, ...]:
    """The shipped list and the user's files, as a key to cache the compiled set by."""
    return (str(shipped), *(str(Path(p).resolve()) for p in extra))


def load_all(paths: Iterable[str], load: Callable[[str], list[T]]) -> list[T]:
    """Every entry of every file, in order (so a later file's entry comes after, and can override)."""
    return [entry for path in paths for entry in load(path)]


def default_jargon_path() -> Path:
    """The shipped jargon list."""
    return shipped_list("review", "jargon.tsv")


@dataclass(frozen=True)
class Term:
    """A term customers should not need, and plainer words for it."""

    term: str
    plainer: str


class Jargon:
    """A compiled jargon list: one regex for every term, whole words, any case, a plural matched too."""

    def __init__(self, terms: Iterable[Term]) -> None:
        by_key: dict[str, Term] = {}
        for term in terms:
            by_key[term.term.lower()] = term
        self._plainer = {k.rstrip("*"): t.plainer for k, t in by_key.items()}
        self._prefixes = sorted((k.rstrip("*") for k in by_key if k.endswith("*")), key=len, reverse=True)
        parts = []
        for key in sorted(by_key, key=len, reverse=True):
            body = r"\s+".join(map(re.escape, key.rstrip("*").split()))
            # "*" matches any ending; a word also matches its plural ("Availability Zones").
            ending = r"[\w-]*" if key.endswith("*") else (r"(?:s|es)?" if key[-1:].isalpha() else "")
            parts.append(body + ending)
        # Not inside a host name or a path ("hub.docker.com", "/cdn-cgi/trace").
        pattern = r"(?<![\w./-])(?:" + "|".join(parts) + r")(?![\w-]|\.\w)"
        self._re = re.compile(pattern, re.I) if parts else None

    def finditer(self, text: str) -> Iterator[tuple[int, int, str, str]]:
        """(start, end, matched text, plainer words) for every term in ``text``."""
        if self._re is None:
            return
        for m in self._re.finditer(text):
            key = " ".join(m.group().lower().split())
            plainer = self._plainer.get(key)
            if plainer is None and key.endswith("s"):
                plainer = self._plainer.get(key[:-1]) or self._plainer.get(key[:-2])
            if plainer is None:
                prefix = next((p for p in self._prefixes if key.startswith(p)), "")
                plainer = self._plainer.get(prefix, "")
            yield m.start(), m.end(), m.group(), plainer

    def first(self, text: str) -> tuple[str, str] | None:
        """``(the term as written, plainer words)`` of the first term in ``text``, or ``None``."""
        found = next(self.finditer(text), None)
        return None if found is None else (found[2], found[3])


def parse_jargon(text: str, *, name: str = "jargon.tsv") -> list[Term]:
    """Terms from ``term<TAB>plainer words`` lines."""
    terms = []
    for number, line in data_lines(text):
        term, sep, plainer = line.partition("\t")
        if not sep or not term.strip() or not plainer.strip():
            raise JargonError(
                f"expected 'term<TAB>plainer words', got {line.strip()!r}",
                file=name,
                line=number,
                hint="separate the term and its plainer words with one tab",
            )
        terms.append(Term(term.strip(), plainer.strip()))
    return terms


def load_jargon(path: str | Path) -> list[Term]:
    """:func:`parse_jargon` on a file."""
    return parse_jargon(read_list(path, JargonError, "the jargon list"), name=str(path))


@cache
def _jargon(paths: tuple[str, ...]) -> Jargon:
    return Jargon(load_all(paths, load_jargon))


def jargon_for(extra: Sequence[str | Path] = ()) -> Jargon:
    """The shipped list plus the user's files (later ones override earlier terms), cached per set."""
    return _jargon(list_paths(default_jargon_path(), extra))


def default_prevention_path() -> Path:
    """The shipped prevention phrases."""
    return shipped_list("review", "prevention.tsv")


@dataclass(frozen=True)
class Phrase:
    kind: str
    pattern: re.Pattern[str]
    example: str


def parse_prevention(text: str, *, name: str = "prevention.tsv") -> list[Phrase]:
    """Phrases from ``kind<TAB>regex<TAB>example`` lines; each example must match its own pattern."""
    out = []
    for number, line in data_lines(text):
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].strip() not in KINDS or not parts[1].strip():
            raise PreventionListError(
                f"expected 'kind<TAB>pattern<TAB>example', got {line.strip()[:60]!r}",
                file=name,
                line=number,
                hint=f"kind is one of {', '.join(KINDS)}; separate the three parts with tabs",
            )
        kind, raw, example = (p.strip() for p in parts)
        try:
            pattern = re.compile(raw, re.IGNORECASE)
        except re.error as exc:
            raise PreventionListError(f"not a regular expression: {exc}", file=name, line=number) from None
        if example and not pattern.search(_normal(example)):
            raise PreventionListError(
                f"the example {example!r} does not match its pattern",
                file=name,
                line=number,
                hint="fix the pattern or the example: the example documents what the pattern catches",
            )
        out.append(Phrase(kind, pattern, example))
    return out


def load_prevention(path: str | Path) -> list[Phrase]:
    """:func:`parse_prevention` on a file."""
    return parse_prevention(read_list(path, PreventionListError, "the phrase list"), name=str(path))


def _normal(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def _as_is(text: str) -> str:
    return text


@dataclass(frozen=True)
class PreventionPhrases:
    """A compiled phrase list.

    ``mask`` blanks what a concrete pattern must not read as a measure: the reviewer passes one that
    blanks dates and clock times ("on 15 Jan 2025 at 12:58" is when, not a number), which it finds with
    its own prose clock.
    """

    phrases: tuple[Phrase, ...] = field(default_factory=tuple)
    mask: Callable[[str], str] = _as_is

    def _of(self, kind: str) -> Iterator[re.Pattern[str]]:
        return (p.pattern for p in self.phrases if p.kind == kind)

    def vague(self, text: str) -> list[re.Match[str]]:
        """The vague phrases in ``text``, first one per position."""
        text = _normal(text)
        found: list[re.Match[str]] = []
        for pattern in self._of("vague"):
            for m in pattern.finditer(text):
                if not any(m.start() < f.end() and f.start() < m.end() for f in found):
                    found.append(m)
        return sorted(found, key=lambda m: m.start())

    def concrete(self, text: str) -> bool:
        """Whether ``text`` names the thing being added, changed or removed."""
        bare = self.mask(_normal(text))
        return any(p.search(bare) for p in self._of("concrete"))

    def aside(self, text: str) -> bool:
        return any(p.search(_normal(text)) for p in self._of("aside"))

    def is_vague(self, text: str) -> str | None:
        """The first vague words of ``text`` when it promises no concrete change, else ``None``."""
        if self.concrete(text):
            return None
        return next((m.group() for m in self.vague(text)), None)


@cache
def _prevention(paths: tuple[str, ...], mask: Callable[[str], str]) -> PreventionPhrases:
    return PreventionPhrases(tuple(load_all(paths, load_prevention)), mask)


def prevention_for(
    extra: Iterable[str | Path] = (), *, mask: Callable[[str], str] = _as_is
) -> PreventionPhrases:
    """The shipped list plus the user's files, cached per set (and ``mask``)."""
    return _prevention(list_paths(default_prevention_path(), extra), mask)


__all__ = [
    "KINDS",
    "Jargon",
    "Phrase",
    "PreventionPhrases",
    "Term",
    "data_lines",
    "default_jargon_path",
    "default_prevention_path",
    "jargon_for",
    "list_paths",
    "load_all",
    "load_jargon",
    "load_prevention",
    "parse_jargon",
    "parse_prevention",
    "prevention_for",
    "read_list",
    "shipped_list",
]
