"""Plain language: jargon a customer should not need, with plainer words.

Terms live in a data file (``templates/review/jargon.tsv``, ``term<TAB>plainer words``) that users extend
with their own files. Patterns no list can hold are built in: exception class names, stack trace lines,
code identifiers, internal service names and code blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import JargonError


def default_jargon_path() -> Path:
    """The shipped list (a data file next to the templates)."""
    from .._templates import templates_dir  # on first use: templating imports jinja2

    return templates_dir() / "review" / "jargon.tsv"


@dataclass(frozen=True)
class Term:
    term: str
    plainer: str


class Jargon:
    """A compiled jargon list: one regex for every term."""

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

    def finditer(self, text: str) -> Iterable[tuple[int, int, str, str]]:
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


def parse_jargon(text: str, *, name: str = "jargon.tsv") -> list[Term]:
    """Terms from ``term<TAB>plainer words`` lines."""
    terms = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
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
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise JargonError(f"cannot read the jargon list: {exc}", file=str(path)) from None
    return parse_jargon(text, name=str(path))


@cache
def _compiled(paths: tuple[str, ...]) -> Jargon:
    terms: list[Term] = []
    for path in paths:
        terms.extend(load_jargon(path))
    return Jargon(terms)


def jargon_for(extra: Sequence[str | Path] = ()) -> Jargon:
    """The shipped list plus the user's files (later ones override earlier terms), cached per set."""
    return _compiled((str(default_jargon_path()), *(str(Path(p).resolve()) for p in extra)))
