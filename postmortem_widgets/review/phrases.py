"""What makes a commitment vague or concrete: patterns and examples in a data file users extend.

The shipped list is ``templates/review/prevention.tsv`` (``kind<TAB>regex<TAB>example``): ``vague``
phrases promise without naming a change ("evaluate ways to", "harden our processes", "ensure this cannot
recur"); ``concrete`` ones name the thing being added, changed or removed (a check, an alert with its
condition, a limit, a test, a number, a schedule); an ``aside`` talks about commitments without making
one ("what we'll do to prevent this"). A concrete-sounding verb is not enough: "implementing enhanced
monitoring improvements" names nothing.

>>> phrases = prevention_for()
>>> [m.group() for m in phrases.vague("We are implementing enhanced monitoring improvements.")]
['enhanced monitoring']
>>> phrases.concrete("We're adding a cache accuracy check to every deployment.")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..errors import PreventionListError
from .clock import find_dates, find_times

KINDS = ("vague", "concrete", "aside")


def default_prevention_path() -> Path:
    """The shipped list (a data file next to the templates)."""
    from .._templates import templates_dir  # on first use: templating imports jinja2

    return templates_dir() / "review" / "prevention.tsv"


@dataclass(frozen=True)
class Phrase:
    kind: str
    pattern: re.Pattern[str]
    example: str


def parse_prevention(text: str, *, name: str = "prevention.tsv") -> list[Phrase]:
    """Phrases from ``kind<TAB>regex<TAB>example`` lines; each example must match its own pattern."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
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
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PreventionListError(f"cannot read the phrase list: {exc}", file=str(path)) from None
    return parse_prevention(text, name=str(path))


def _normal(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def _without_dates_and_times(text: str) -> str:
    """The text with dates and clock times blanked: "on 15 Jan 2025 at 12:58" is when, not a measure."""
    chars = list(text)
    spans = [(m.start, m.end) for m in find_dates(text)] + [(m.start, m.end) for m in find_times(text, ())]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@dataclass(frozen=True)
class PreventionPhrases:
    """A compiled phrase list."""

    phrases: tuple[Phrase, ...] = field(default_factory=tuple)

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
        bare = _without_dates_and_times(_normal(text))
        return any(p.search(bare) for p in self._of("concrete"))

    def aside(self, text: str) -> bool:
        return any(p.search(_normal(text)) for p in self._of("aside"))


@cache
def _compiled(paths: tuple[str, ...]) -> PreventionPhrases:
    phrases: list[Phrase] = []
    for path in paths:
        phrases.extend(load_prevention(path))
    return PreventionPhrases(tuple(phrases))


def prevention_for(extra: Sequence[str | Path] | Iterable[str | Path] = ()) -> PreventionPhrases:
    """The shipped list plus the user's files, cached per set."""
    return _compiled((str(default_prevention_path()), *(str(Path(p).resolve()) for p in extra)))
