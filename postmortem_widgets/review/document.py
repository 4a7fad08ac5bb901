"""A Markdown draft as the reviewer sees it: lines, the seed's sections, blocks and sentences.

Only what the rules need is parsed: ATX headings, list items, paragraphs and fenced code. Rules run their
regexes over :attr:`Document.plain` (the text with emphasis markers blanked, same length) and map match
offsets back to 1-based lines, so every finding points at a real line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from ..sections import (
    APOLOGY,
    CHANGES,
    EMPHASIS,
    FENCE_LINE,
    HEADING_LINE,
    seed_headings,
    split_sentences,
)
from ..timeline.clock import timed_item

#: Sections that state what happened: times, dates and durations in them are facts to check.
#: What We're Changing and the Apology speak of the future ("every 5 minutes", "within 48 hours").
FACT_SECTIONS_EXCLUDED: frozenset[str] = frozenset({CHANGES.heading, APOLOGY.heading})

_ITEM_RE = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
#: What a reader does not read as prose: link targets, reference definitions, bare and bracketed URLs.
_LINK_TARGET_RE = re.compile(
    r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)|^ {0,3}\[[^\]]+\]:\s+\S+.*$|<(?:https?|mailto):[^>\s]+>"
    r"|\b(?:https?|ftp)://[^\s<>)\]]+",
    re.M,
)


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str
    #: The seed section it names, or ``None`` for any other heading.
    section: str | None


@dataclass(frozen=True)
class Block:
    """A paragraph, a list item, a heading or a fenced code block."""

    kind: str
    #: The section the block is in: a seed section name, another top heading's text, or "".
    section: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


class Document:
    """A parsed draft. Cheap to build: one pass over the lines."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.plain = EMPHASIS.sub(lambda m: " " * len(m.group()), self.text)
        #: :attr:`plain` with link targets and URLs blanked (same length): the words a reader reads.
        self.reading = _LINK_TARGET_RE.sub(lambda m: " " * len(m.group()), self.plain)
        self.lines = self.text.split("\n")
        self.line_starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.line_starts.append(offset)
            offset += len(line) + 1
        self.headings: list[Heading] = []
        self.blocks: list[Block] = []
        self._parse()

    def line_at(self, offset: int) -> int:
        """The 1-based line holding ``offset``."""
        return bisect.bisect_right(self.line_starts, offset)

    def section_at(self, offset: int) -> str:
        """The section holding ``offset``."""
        return self.section_of_line(self.line_at(offset))

    def section_of_line(self, line: int) -> str:
        index = bisect.bisect_right(self._section_lines, line) - 1
        return self._section_names[index] if index >= 0 else ""

    def seed_headings(self) -> list[Heading]:
        return [h for h in self.headings if h.section is not None]

    def blocks_in(self, section: str, kind: str | None = None) -> list[Block]:
        return [b for b in self.blocks if b.section == section and (kind is None or b.kind == kind)]

    def block_text(self, block: Block) -> str:
        return self.plain[block.start : block.end]

    def indent(self, block: Block) -> int:
        """How far the block's first line is indented (a nested list item is indented further)."""
        line = self.lines[block.line - 1]
        return len(line) - len(line.lstrip(" \t"))

    def is_code(self, offset: int) -> bool:
        return any(b.start <= offset < b.end for b in self._code_blocks)

    def prose(self) -> Iterator[Block]:
        """Paragraphs and list items: the text a customer reads."""
        return (b for b in self.blocks if b.kind in ("paragraph", "item"))

    def sentences(self, block: Block) -> list[Sentence]:
        """The block's sentences (split by :func:`~.sections.split_sentences`), list marker skipped."""
        text = self.plain[block.start : block.end]
        marker = _ITEM_RE.match(text) if block.kind == "item" else None
        skip = marker.end() if marker else 0
        return [Sentence(block.start + a, block.start + b, text[a:b]) for a, b in split_sentences(text, skip)]

    @cached_property
    def _code_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "code"]

    def _seed_sections(self) -> dict[int, str]:
        """The seed section each heading line (0-based) names (see :func:`~.sections.seed_headings`)."""
        return {i: s.heading for i, s in seed_headings(self.lines, timed=timed_item).items()}

    def _parse(self) -> None:
        self._seeds = self._seed_sections()
        section = ""
        section_level = 0
        self._section_lines: list[int] = [1]
        self._section_names: list[str] = [""]
        current: tuple[str, int] | None = None  # (kind, first line index)
        fence: str | None = None

        def close(end_index: int) -> None:
            nonlocal current
            if current is None:
                return
            kind, first = current
            start = self.line_starts[first]
            end = self.line_starts[end_index] + len(self.lines[end_index])
            self.blocks.append(Block(kind, section, first + 1, start, end))
            current = None

        for index, line in enumerate(self.lines):
            if fence is not None:
                if line.strip().startswith(fence):
                    close(index)
                    fence = None
                continue
            fenced = FENCE_LINE.match(line)
            if fenced:
                close(index - 1)
                fence = fenced.group(1)
                current = ("code", index)
                continue
            heading = HEADING_LINE.match(line)
            if heading:
                close(index - 1)
                section, section_level = self._heading(index, heading, section, section_level)
                continue
            if not line.strip():
                close(index - 1)
                continue
            if _ITEM_RE.match(line):
                close(index - 1)
                current = ("item", index)
            elif current is None:
                current = ("paragraph", index)
            # Otherwise the line continues the open paragraph or item (indented or lazy continuation).
        close(len(self.lines) - 1)

    def _heading(self, index: int, match: re.Match[str], section: str, level: int) -> tuple[str, int]:
        """Record the heading at line ``index``; returns the section (and its level) that it opens.

        A seed heading opens its section; another heading opens a section of its own name unless it is
        nested under the current one (a ``###`` inside a seed ``##`` section stays in that section).
        """
        depth, text = len(match.group(1)), match.group(2)
        seed = self._seeds.get(index)
        if seed is not None:
            section, level = seed, depth
        elif not level or depth <= level:
            section, level = EMPHASIS.sub("", text).strip(), depth
        self.headings.append(Heading(index + 1, depth, text, seed))
        self._section_lines.append(index + 1)
        self._section_names.append(section)
        start = self.line_starts[index]
        self.blocks.append(Block("heading", section, index + 1, start, start + len(self.lines[index])))
        return section, level


def sentence_around(text: str, start: int, end: int) -> str:
    """The rough sentence holding ``text[start:end]``: between the nearest ., !, ? or line breaks."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    right = min((i for i in (text.find(c, end) for c in ".!?\n") if i >= 0), default=len(text))
    return text[left + 1 : right]


_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)([^\n]+?)(?<!`)\1(?!`)")


def mask_code_spans(text: str) -> str:
    """``text`` with the inside of every inline code span blanked (same length, so lines stay put).

    The internal version quotes event text as code (`` `Resolved by Priya at 14:52` ``): evidence as the
    tools wrote it, not the draft's own claims, so the facts rules must not read its times and durations.
    """
    return _CODE_SPAN_RE.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(1), text)


def parse_document(text: str) -> Document:
    return Document(text)
