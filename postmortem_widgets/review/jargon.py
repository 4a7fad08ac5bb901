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
from typing import TYPE_CHECKING

from .errors import JargonError
from .model import Finding, finding

if TYPE_CHECKING:
    from .context import ReviewContext


def default_jargon_path() -> Path:
    """The shipped list (a data file next to the templates)."""
    from .._templates import templates_dir  # on first use: templating imports jinja2

    return templates_dir() / "review" / "jargon.tsv"


_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "an exception class name",
        re.compile(r"\b(?:[a-z_][\w]*\.)*[A-Z][A-Za-z0-9]*[a-z0-9](?:Exception|Error|Fault)\b"),
        'say what went wrong in plain words ("a software bug", "a timeout")',
    ),
    (
        "a stack trace",
        re.compile(
            r"Traceback \(most recent call last\)|^\s*at [\w.$<>]+\([\w.]*:\d+\)|File \"[^\"]+\", line \d+"
            r"|\b[\w/]+\.(?:java|py|go|js|ts|rb|cs|cpp|rs|kt|scala):\d+\b",
            re.M,
        ),
        "remove the trace; describe the failure in one plain sentence",
    ),
    (
        "a code identifier",
        re.compile(
            r"(?<![\w./@-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]{2,}[a-z0-9]*[A-Z][a-z0-9]+[A-Za-z0-9]*)(?:\(\))?(?![\w./@-])"
        ),
        "describe what the component does instead of naming it",
    ),
    (
        "an internal service or host name",
        re.compile(
            r"(?<![\w./@-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:prod|production|staging|stg|dev|qa|svc|service|worker|"
            r"db|api|cache|node|host|srv|cluster|primary|replica|master|\d+[a-z]?)(?![\w@-])"
        ),
        'describe the system in plain words ("our reporting service") instead of its internal name',
    ),
    ("code formatting", re.compile(r"`[^`\n]+`"), "write it as plain text a customer can read"),
)


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
            parts.append(body + (r"[\w-]*" if key.endswith("*") else ""))
        self._re = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.I) if parts else None

    def finditer(self, text: str) -> Iterable[tuple[int, int, str, str]]:
        """(start, end, matched text, plainer words) for every term in ``text``."""
        if self._re is None:
            return
        for m in self._re.finditer(text):
            key = " ".join(m.group().lower().split())
            plainer = self._plainer.get(key)
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


def check_language(ctx: ReviewContext) -> list[Finding]:
    """One warning per term or pattern, at its first use (the message lists further lines)."""
    doc = ctx.doc
    seen: dict[str, list[int]] = {}
    first: dict[str, tuple[str, str, str]] = {}

    def note(key: str, start: int, end: int, label: str, suggestion: str) -> None:
        if ctx.claimed(start, end):
            return
        line = doc.line_at(start)
        if key in seen:
            if line not in seen[key]:
                seen[key].append(line)
            return
        seen[key] = [line]
        first[key] = (label, suggestion, doc.section_of_line(line))

    for block in doc.blocks:
        if block.kind == "code":
            note(
                f"code@{block.line}",
                block.start,
                block.start,
                "a code block",
                "remove it; a customer-facing postmortem has no code, logs or traces",
            )
    text = doc.text
    for start, end, matched, plainer in ctx.jargon.finditer(text):
        if doc.is_code(start):
            continue
        note(
            matched.lower(),
            start,
            end,
            f"{' '.join(matched.split())!r} is jargon",
            f"say {plainer!r} instead",
        )
    for label, pattern, suggestion in _PATTERNS:
        for m in pattern.finditer(text):
            if doc.is_code(m.start()):
                continue
            note(m.group(), m.start(), m.end(), f"{m.group().strip()!r} is {label}", suggestion)
    out = []
    for key, (label, suggestion, section) in first.items():
        lines = seen[key]
        more = (
            f" (also line{'s' if len(lines) > 2 else ''} {', '.join(map(str, lines[1:]))})"
            if len(lines) > 1
            else ""
        )
        out.append(
            finding(
                "jargon", lines[0], f"{label}{more}", suggestion[0].upper() + suggestion[1:], section=section
            )
        )
    return out
