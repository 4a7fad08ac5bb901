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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Section:
    """One of the seed's sections."""

    key: str
    heading: str
    #: How headings people write for this section read once normalised (lower case, no colon): a regex.
    pattern: str
    #: Looser variants ("What happened", "Next steps") that name the section only in context: when no
    #: heading matches :attr:`pattern` and the section's content fits (see :func:`loose_section`).
    loose: str = ""

    @property
    def slug(self) -> str:
        """The report's CSS class suffix: ``section-timeline``."""
        return self.key

    def names(self, heading: str) -> bool:
        """Whether a heading, normalised (:func:`normalise_heading`), names this section."""
        return _compiled(self.pattern).fullmatch(heading) is not None

    def may_name(self, heading: str) -> bool:
        """Whether a normalised heading is one of the looser variants, which name it only in context."""
        return bool(self.loose) and _compiled(self.loose).fullmatch(heading) is not None

    @property
    def template(self) -> str:
        """The offline drafter's template for this section."""
        return f"drafts/{self.key}.md.j2"


SUMMARY = Section(
    "summary",
    "Summary",
    r"(?:executive |incident |issue |event |outage )?summary|summary of (?:the )?(?:incident|issue|outage)"
    r"|tl;?dr",
    loose=r"(?:incident |issue )?overview",
)
TIMELINE = Section(
    "timeline",
    "What Happened (Timeline)",
    r"what happened \(timeline\)|what happened and when|(?:incident "
    r"|detailed )?timeline(?: of (?:the )?events)?"
    r"|timeline \(\w+\)|chronology|sequence of events",
    loose=r"what happened\??|what went wrong\??",
)
WHY = Section(
    "why",
    "Why It Happened",
    r"why (?:it|this) happened\??|how did (?:it|this) happen\??|(?:the )?root cause(?: analysis)?"
    r"|what caused (?:it|this|the \w+)\??"
    r"|cause(?:s)?(?: of the (?:incident|outage|issue))?",
)
RESPONSE = Section(
    "response",
    "How We Responded",
    r"how we responded|our response|how we (?:resolved|fixed) it\??|how (?:it was|was it) (?:resolved"
    r"|fixed)\??"
    r"|resolution",
    loose=r"response|remediation|mitigation",
)
CHANGES = Section(
    "changes",
    "What We're Changing",
    r"what we(?:'re| are| will be) (?:changing|doing(?: about it| next)?)"
    r"|what we(?:'re| are) doing to prevent (?:future incidents|this|a recurrence|recurrence)"
    r"(?: from happening again)?"
    r"|prevention(?: plan| steps)?|preventing (?:a recurrence|future incidents)|changes we(?:'re| are) making"
    r"|action items|follow-?up actions|remediation (?:actions|items|plan)"
    r"|remedial action plan(?: & next steps)?",
    loose=r"next steps|improvements|what's next",
)
APOLOGY = Section(
    "apology",
    "Apology and Commitment",
    r"apology(?: and commitment)?|(?:our )?commitment(?: to you)?|apology & commitment|an apology",
    loose=r"conclusion|closing|in closing",
)
#: Who a draft is written for: customers (the seed's six sections, the default) or the engineering team
#: (the internal version: people, hosts, the full timeline; never published to customers).
AUDIENCES: tuple[str, ...] = ("customer", "internal")
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


def loose_section(text: str) -> Section | None:
    """The seed section a heading may name in context ("What happened", "Next steps"), or ``None``.

    A reader decides with the content: "What happened" is the Timeline only when it holds time-stamped
    bullets, "Next steps" is What We're Changing only when no other heading is.

    >>> loose_section("What happened?").heading, section_for_heading("Issue summary").heading
    ('What Happened (Timeline)', 'Summary')
    """
    key = normalise_heading(text)
    return next((s for s in SECTIONS if s.may_name(key)), None)


#: An ATX heading line: its ``#`` marks and its text.
HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
#: The line that opens (or closes) a fenced code block.
FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)")


def heading_lines(lines: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(index, depth, text)`` of each heading line, outside fenced code (a ``# comment`` in a fenced shell
    snippet is not a heading).

    >>> heading_lines(["# Title", "```", "# not a heading", "```", "## Summary"])
    [(0, 1, 'Title'), (4, 2, 'Summary')]
    """
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
            continue
        if (opened := FENCE_LINE.match(line)) is not None:
            fence = opened.group(1)
            continue
        if (match := HEADING_LINE.match(line)) is not None:
            found.append((index, len(match.group(1)), match.group(2)))
    return found


def seed_headings(lines: Sequence[str], *, timed: Callable[[str], bool]) -> dict[int, Section]:
    """The seed section each heading line (by index) names, with the loose variants read in context.

    A loose variant ("What happened", "Next steps") names a section only when no other heading names it
    plainly; "What happened" is the Timeline only when a line under it is a timeline bullet (``timed``:
    the readers' test for one, :func:`~postmortem_widgets.timeline.clock.timed_item`). The reviewer and the
    section redraft read a draft's sections here, so they agree on where each one is.
    """
    headings = heading_lines(lines)
    named: dict[int, Section] = {}
    for index, _, text in headings:
        found = section_for_heading(text)
        if found is not None:
            named[index] = found
    taken = set(named.values())
    for position, (index, depth, text) in enumerate(headings):
        loose = loose_section(text) if index not in named else None
        if loose is None or loose in taken:
            continue
        end = next((i for i, d, _ in headings[position + 1 :] if d <= depth), len(lines))
        if loose is TIMELINE and not any(timed(line) for line in lines[index + 1 : end]):
            continue
        named[index] = loose
        taken.add(loose)
    return named


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
    "p.m", "u.s", "fig", "est", "dept", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec"
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
    "AUDIENCES",
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
    "loose_section",
    "normalise_heading",
    "section_for_heading",
    "section_named",
    "sentences",
    "split_sentences",
]
