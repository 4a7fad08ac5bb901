"""The seed's six sections and the one sentence splitter, shared by the drafters, the reviewer, the export and
the workspace.

Each section has a ``key`` (what code calls it), the seed's ``heading``, a ``slug`` (the report's CSS class)
and the offline drafter's ``template``. Headings in real drafts vary, so :func:`section_for_heading` matches
them loosely (case, apostrophes, a trailing colon, common variants).

>>> [s.key for s in SECTIONS]
['summary', 'timeline', 'why', 'response', 'changes', 'apology']
>>> section_for_heading("What we are changing:").heading
"What We're Changing"
>>> count_sentences("We fixed it at 9:14 a.m. on Monday. Dr. Lee confirmed it.")
2
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Section:
    """One of the seed's sections."""

    key: str
    heading: str
    #: How headings people write for this section read once normalised (lower case, no colon): a regex.
    pattern: str

    @property
    def slug(self) -> str:
        """The report's CSS class suffix: ``section-timeline``."""
        return self.key

    def names(self, heading: str) -> bool:
        """Whether a heading, normalised (:func:`normalise_heading`), names this section."""
        return _compiled(self.pattern).fullmatch(heading) is not None

    @property
    def template(self) -> str:
        """The offline drafter's template for this section."""
        return f"drafts/{self.key}.md.j2"


SUMMARY = Section("summary", "Summary", r"(?:executive |incident )?summary|overview")
TIMELINE = Section(
    "timeline",
    "What Happened (Timeline)",
    r"what happened(?: \(timeline\)| and when)?|(?:incident )?timeline(?: of events)?",
)
WHY = Section(
    "why",
    "Why It Happened",
    r"why (?:it|this) happened|(?:the )?root cause|what caused (?:it|this|the \w+)",
)
RESPONSE = Section("response", "How We Responded", r"how we responded|our response|response")
CHANGES = Section(
    "changes",
    "What We're Changing",
    r"what we(?:'re| are| will be) (?:changing|doing(?: about it)?)|prevention|preventing a recurrence"
    r"|changes we(?:'re| are) making|next steps",
)
APOLOGY = Section(
    "apology",
    "Apology and Commitment",
    r"apology(?: and commitment)?|(?:our )?commitment|apology & commitment",
)
#: The seed's six sections, in the seed's order.
SECTIONS: tuple[Section, ...] = (SUMMARY, TIMELINE, WHY, RESPONSE, CHANGES, APOLOGY)
#: Their headings, in order.
HEADINGS: tuple[str, ...] = tuple(s.heading for s in SECTIONS)
BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}

#: Markdown emphasis markers (``**``, ``_``), which headings and prose are read without.
EMPHASIS = re.compile(r"\*+|(?<!\w)_{1,2}(?=\S)|(?<=\S)_{1,2}(?!\w)")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Patterns are compiled on first use: the CLI imports this module on every start."""
    return re.compile(pattern)


def normalise_heading(text: str) -> str:
    """A heading as the patterns read it: no emphasis, numbering, curly quotes or trailing colon."""
    key = EMPHASIS.sub("", text).replace("’", "'").replace("‘", "'").strip().rstrip(":").strip().lower()
    key = re.sub(r"^\d+[.)]\s*", "", key)
    return " ".join(key.split())


def section_for_heading(text: str) -> Section | None:
    """The seed section a heading names, or ``None`` for any other heading."""
    key = normalise_heading(text)
    return next((s for s in SECTIONS if s.names(key)), None)


def section_named(name: str) -> Section:
    """A section by its key (``why``) or any heading that names it (``Why It Happened``).

    Raises ``KeyError`` listing the keys when nothing matches.
    """
    found = BY_KEY.get(name.strip().lower()) or section_for_heading(name)
    if found is None:
        raise KeyError(f"no section {name!r}; sections are {', '.join(BY_KEY)}")
    return found


# --- sentences ---------------------------------------------------------------------------------------

#: Words whose full stop does not end a sentence.
ABBREVIATIONS = frozenset((
    "e.g", "i.e", "vs", "etc", "mr", "mrs", "ms", "dr", "inc", "ltd", "co", "st", "no", "approx", "a.m",
    "p.m", "u.s", "fig", "est", "dept", "jr", "sr"
))  # fmt: skip
_SENTENCE_END = r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|[.!?]+[\"'”’)\]]*\s*$"
_LAST_WORD = r"([\w.]+)\.*$"


def split_sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text[start:]``, stripped of surrounding space.

    A sentence ends at ``.``, ``!`` or ``?`` before a capital or a digit (closing quotes and brackets
    included), except after an abbreviation such as ``e.g.`` or ``a.m.``.
    """
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _compiled(_SENTENCE_END).finditer(text, start):
        word = _compiled(_LAST_WORD).search(text[begin : match.start()])
        if match.group().startswith(".") and word and word.group(1).lower().rstrip(".") in ABBREVIATIONS:
            continue
        _add(spans, text, begin, match.end())
        begin = match.end()
    _add(spans, text, begin, len(text))
    return spans


def _add(spans: list[tuple[int, int]], text: str, begin: int, end: int) -> None:
    piece = text[begin:end]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        spans.append((begin + lead, end - trail))


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph (line breaks read as spaces)."""
    flat = " ".join(text.split())
    return [flat[a:b] for a, b in split_sentences(flat)]


def count_sentences(text: str) -> int:
    """How many sentences a paragraph holds."""
    return len(sentences(text))


__all__ = [
    "APOLOGY",
    "BY_KEY",
    "CHANGES",
    "EMPHASIS",
    "HEADINGS",
    "RESPONSE",
    "SECTIONS",
    "SUMMARY",
    "TIMELINE",
    "WHY",
    "Section",
    "count_sentences",
    "normalise_heading",
    "section_for_heading",
    "section_named",
    "sentences",
    "split_sentences",
]
