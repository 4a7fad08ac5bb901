"""The export's one Markdown parser: markdown-it-pyrs (markdown-it in Rust), CommonMark with tables and
strikethrough, as a syntax tree.

Every format renders from this tree: the HTML (:mod:`.markdown`) and the inert Markdown (:mod:`.safemd`),
and the report's sections are split on its top-level headings (:mod:`.report`). Parsing a 100,000-line
draft takes about a second here, where markdown-it-py took 7-14 s; so a draft is parsed once per export.

The raw HTML rules (``html_block``, ``html_inline``) are never enabled: ``<script>`` is text in the tree,
and no renderer of ours has a raw HTML node to pass through. The tree's nodes:

- blocks: ``paragraph``, ``heading`` and ``lheading`` (``meta["level"]``), ``bullet_list``,
  ``ordered_list`` (``meta["start"]``), ``list_item``, ``blockquote``, ``fence`` and ``code_block``
  (``meta["content"]``, a fence's ``meta["info"]``), ``hr``, ``table`` (``meta["alignments"]``) with
  ``thead``, ``tbody``, ``trow`` and ``tcell``, and ``definition`` (a link reference, shown as nothing);
- inline: ``text`` and ``text_special`` (an entity or escape, already decoded; ``meta["content"]``),
  ``softbreak``, ``hardbreak``, ``em``, ``strong``, ``strikethrough``, ``code_inline``, ``link`` and
  ``image`` (``meta["url"]``, ``meta["title"]``), ``autolink``.

A tight list's items hold their paragraphs' inline nodes directly (a loose list's hold ``paragraph``
nodes). ``srcmap`` is ``(start, end)`` in bytes of the UTF-8 source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from markdown_it_pyrs import MarkdownIt, Node

__all__ = [
    "BLOCK_RULES",
    "INLINE",
    "MAX_NESTING",
    "RULES",
    "Node",
    "TooDeepError",
    "block_depth_bound",
    "inline_runs",
    "nesting_bound",
    "normalize_source",
    "parse_blocks",
    "parse_markdown",
    "text_runs",
]

#: CommonMark's rules without raw HTML, and GFM's tables and strikethrough. No linkify: a bare URL stays
#: text (a status page links it itself), so every link in a report was written as one and is checked.
RULES = (
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
    "table", "strikethrough",
)  # fmt: skip

#: The block rules: enough to find a draft's headings (a third of a full parse's time).
BLOCK_RULES = (*RULES[: RULES.index("autolink")], "table")

#: The inline node names; any other node is a block.
INLINE = frozenset(
    {"text", "text_special", "softbreak", "hardbreak", "em", "strong", "strikethrough", "code_inline",
     "link", "autolink", "image"}
)  # fmt: skip


#: How deeply a draft may nest before it is shown as plain text instead of parsed. The parser frees its
#: tree recursively, and a tree some 50,000 levels deep (``>`` repeated, or ``*`` around ``*`` ...)
#: overflows the stack and kills the process; no postmortem comes near.
MAX_NESTING = 10_000

#: What a line may open containers with: quote markers, list markers, indentation.
_PREFIX = re.compile(r"^[ \t>*+\-.)0-9]*", re.MULTILINE)
#: Where a paragraph surely ends, so inline markup cannot nest across: a blank line, a quote or list item.
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n|\n(?= {0,3}(?:>|[-*+][ \t]+\S|1[.)][ \t]+\S))")
#: What each inline level (emphasis, strikethrough, link, image) opens with.
_DELIMITERS = re.compile(r"[*_~\[]")


def block_depth_bound(text: str) -> int:
    """An upper bound of the block tree's depth, in linear time: each container a line opens (a quote, a
    list item) takes at least a character of the line's prefix (a tab up to four)."""
    return max((len(m[0]) + 3 * m[0].count("\t") for m in _PREFIX.finditer(text)), default=0) + 1


def nesting_bound(text: str) -> int:
    """An upper bound of the full tree's depth, in linear time: the blocks', and each inline level
    (emphasis, strikethrough, link, image) takes a delimiter of its paragraph."""
    blocks, delimiters = block_depth_bound(text), len(_DELIMITERS.findall(text))
    if delimiters <= MAX_NESTING // 2:  # the usual draft: no need to look at paragraphs
        return blocks + delimiters
    return blocks + max(len(_DELIMITERS.findall(chunk)) for chunk in _PARAGRAPH_END.split(text))


class TooDeepError(ValueError):
    """Markdown nested past :data:`MAX_NESTING` (or past what our recursive renderers can walk)."""


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("zero").enable_many(list(RULES))  # type: ignore[arg-type]


@cache
def _block_parser() -> MarkdownIt:
    return MarkdownIt("zero").enable_many(list(BLOCK_RULES))  # type: ignore[arg-type]


def parse_blocks(text: str) -> Node:
    """The block structure of Markdown passed through :func:`normalize_source`: each block's inline
    content is one unparsed ``text`` node. :class:`TooDeepError` past :data:`MAX_NESTING`."""
    if block_depth_bound(text) > MAX_NESTING:
        raise TooDeepError(f"Markdown nested more than {MAX_NESTING:,} levels deep")
    return _block_parser().tree(text)


def normalize_source(text: str) -> str:
    """Line endings as ``\\n`` and NUL as U+FFFD, as CommonMark reads them, before parsing: so ``srcmap``
    offsets index this very text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\0", "\ufffd") if "\0" in text else text


def parse_markdown(text: str) -> Node:
    """The syntax tree of Markdown already passed through :func:`normalize_source`.
    :class:`TooDeepError` past :data:`MAX_NESTING`."""
    if nesting_bound(text) > MAX_NESTING:
        raise TooDeepError(f"Markdown nested more than {MAX_NESTING:,} levels deep")
    return _parser().tree(text)


def inline_runs(children: Sequence[Node]) -> list[Node | list[Node]]:
    """A container's children with each run of inline nodes (a tight list item's paragraph) as a list;
    link reference definitions, which show nothing, are left out."""
    out: list[Node | list[Node]] = []
    for child in children:
        if child.name in INLINE:
            if out and isinstance(out[-1], list):
                out[-1].append(child)
            else:
                out.append([child])
        elif child.name != "definition":
            out.append(child)
    return out


def text_runs(nodes: Sequence[Node]) -> list[str | Node]:
    """Inline nodes with each run of adjacent text joined into one string (an entity or an escape splits
    the parser's text), so a renderer escapes a run as one: what both of our renderers walk."""
    out: list[str | Node] = []
    run: list[str] = []
    for node in nodes:
        if node.name == "text" or node.name == "text_special":
            run.append(str(node.meta.get("content", "")))
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(node)
    if run:
        out.append("".join(run))
    return out
