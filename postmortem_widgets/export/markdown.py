"""Draft Markdown to safe HTML: our renderer of the parsed tree (:mod:`.tree`), then nh3.

A postmortem is opened by customers, so what we publish must be inert whatever the draft holds. Two
independent layers make sure of it:

1. Rendering. The parser has no raw HTML rules (``<script>`` stays visible text), and the renderer writes
   only what Markdown makes: a link survives only to ``http``, ``https`` or ``mailto``; an image survives
   only as a ``data:`` URI of a PNG, JPEG, GIF or WebP whose bytes really are that format. Anything else
   becomes its alt text or link text (and is listed in ``removed``), so a remote image cannot leak who
   reads the report and ``![](../../.env)`` cannot pull a local file into a PDF.
2. Sanitising. nh3 keeps an allowlist of tags and attributes (no ``style`` except table alignment, no
   event handlers, no relative or ``javascript:`` URLs), so a bug in layer 1 is not enough.

The renderer writes what markdown-it's CommonMark renderer writes for the same tree, in time linear in it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import nh3

from .tree import Node, TooDeepError, inline_runs, normalize_source, parse_markdown, text_runs

__all__ = [
    "TOO_DEEP",
    "RenderedMarkdown",
    "breakable",
    "escape_html",
    "is_safe_image",
    "is_safe_link",
    "render_html",
    "render_markdown",
    "sanitize_html",
]

#: Schemes a published link may use.
LINK_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: Raster types an embedded image may be, with the bytes each must start with.
IMAGE_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}

_DATA_URI = re.compile(r"^data:(image/[a-z]+);base64,([A-Za-z0-9+/=\s]+)$", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

#: The tags a rendered draft may contain: what Markdown produces, nothing more.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}


def is_safe_image(src: str) -> bool:
    """True for a ``data:`` URI of a PNG, JPEG, GIF or WebP image whose bytes match its declared type."""
    match = _DATA_URI.match(src.strip())
    if match is None:
        return False
    magic = IMAGE_MAGIC.get(match[1].lower())
    if magic is None:
        return False
    try:
        head = base64.b64decode("".join(match[2].split())[:64] + "==", validate=False)
    except (binascii.Error, ValueError):
        return False
    if match[1].lower() == "image/webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    return head.startswith(magic)


def is_safe_link(href: str) -> bool:
    """True for an absolute ``http``, ``https`` or ``mailto`` URL; relative paths are never published."""
    match = _SCHEME.match(href.strip())
    return match is not None and match[1].lower() in LINK_SCHEMES


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_safe_image(value) else None
    if tag == "a" and attribute == "href":
        return value if is_safe_link(value) else None
    return value


def sanitize_html(html: str) -> str:
    """The allowlisted subset of an HTML fragment: defence in depth behind the Markdown renderer."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto", "data"},
        url_relative="deny",
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@dataclass(frozen=True)
class RenderedMarkdown:
    """Safe HTML and what was left out of it (for a warning to the author)."""

    html: str
    removed: tuple[str, ...] = ()


#: A run of this many characters without a space gets break opportunities in print (see below).
LONG_RUN = 48
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN},}}")
_ZWSP = "\u200b"


def breakable(text: str, *, every: int = LONG_RUN // 2) -> str:
    """Long unbroken runs (a URL, a hash, ``xxxx...``) with a zero-width space every ``every`` characters.

    WeasyPrint breaks a word that does not fit (``overflow-wrap: anywhere``) by laying out the rest of the
    paragraph again for every line: quadratic in the word's length, so one 40,000-character word took 25 s.
    Invisible break opportunities make each line cheap to find.
    """
    if len(text) < LONG_RUN:
        return text
    return _LONG_RUN.sub(lambda m: _ZWSP.join(m[0][i : i + every] for i in range(0, len(m[0]), every)), text)


def escape_html(text: str) -> str:
    """Text as HTML text or an attribute value (``&``, ``<``, ``>`` and ``"`` escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def plain_text(nodes: Sequence[Node]) -> str:
    """What an image's ``alt`` holds: the text of its description, markup left out (CommonMark's rule)."""
    out: list[str] = []
    for node in nodes:
        if node.name in {"softbreak", "hardbreak"}:
            out.append("\n")
        elif node.children:
            out.append(plain_text(node.children))
        else:
            out.append(str(node.meta.get("content", "")))
    return "".join(out)


_ALIGNED = frozenset({"left", "right", "center"})
_CODE = frozenset({"fence", "code_block"})


class _HTML:
    """The tree as markdown-it's CommonMark renderer writes it, with our media rule: a link survives only to
    ``http``, ``https`` or ``mailto`` and an image only as a checked ``data:`` URI, else its text stays."""

    def __init__(self, *, for_print: bool) -> None:
        self.for_print = for_print
        self.removed: list[str] = []

    def blocks(self, nodes: Sequence[Node | list[Node]]) -> str:
        """Blocks as markdown-it writes them: a tight list item's paragraph (a run of inline nodes) bare,
        with a line break before a block tag that follows it (not before code, which has its own rule)."""
        out: list[str] = []
        after_inline = False
        for part in nodes:
            if isinstance(part, list):
                out.append(self.inline(part))
            elif after_inline and part.name not in _CODE:
                out.append("\n" + self.block(part))
            else:
                out.append(self.block(part))
            after_inline = isinstance(part, list)
        return "".join(out)

    def container(self, tag: str, node: Node) -> str:
        parts = inline_runs(node.children)
        if not parts:
            return f"<{tag}></{tag}>\n"
        return f"<{tag}>{'' if isinstance(parts[0], list) else chr(10)}{self.blocks(parts)}</{tag}>\n"

    def block(self, node: Node) -> str:
        render = _BLOCKS.get(node.name)
        return render(self, node) if render is not None else self.blocks(inline_runs(node.children))

    def paragraph(self, node: Node) -> str:
        return f"<p>{self.inline(node.children)}</p>\n"

    def heading(self, node: Node) -> str:
        level = int(node.meta.get("level", 1))
        return f"<h{level}>{self.inline(node.children)}</h{level}>\n"

    def bullet_list(self, node: Node) -> str:
        return "<ul>\n" + "".join(self.container("li", item) for item in node.children) + "</ul>\n"

    def ordered_list(self, node: Node) -> str:
        start = int(node.meta.get("start", 1))
        items = "".join(self.container("li", item) for item in node.children)
        return (f'<ol start="{start}">\n' if start != 1 else "<ol>\n") + items + "</ol>\n"

    def blockquote(self, node: Node) -> str:
        return self.container("blockquote", node)

    def code(self, node: Node) -> str:
        content = str(node.meta.get("content", ""))
        return f"<pre><code>{escape_html(breakable(content) if self.for_print else content)}</code></pre>\n"

    def hr(self, node: Node) -> str:
        return "<hr />\n"

    def table(self, node: Node) -> str:
        aligns = [str(a) for a in node.meta.get("alignments", ())]
        out = ["<table>\n"]
        for part in node.children:  # thead, tbody
            tag = "th" if part.name == "thead" else "td"
            out.append(f"<{part.name}>\n")
            for row in part.children:
                out.append("<tr>\n")
                for i, cell in enumerate(row.children):
                    align = aligns[i] if i < len(aligns) else ""
                    style = f' style="text-align:{align}"' if align in _ALIGNED else ""
                    out.append(f"<{tag}{style}>{self.inline(cell.children)}</{tag}>\n")
                out.append("</tr>\n")
            out.append(f"</{part.name}>\n")
        out.append("</table>\n")
        return "".join(out)

    def nothing(self, node: Node) -> str:
        return ""

    def inline(self, nodes: Sequence[Node]) -> str:
        """Inline nodes; adjacent text (an entity or escape splits it) is escaped as one run."""
        out: list[str] = []
        for part in text_runs(nodes):
            if isinstance(part, str):
                out.append(self.text(part))
                continue
            render = _INLINE.get(part.name)
            out.append(render(self, part) if render is not None else self.inline(part.children))
        return "".join(out)

    def text(self, text: str) -> str:
        return escape_html(breakable(text) if self.for_print else text)

    def softbreak(self, node: Node) -> str:
        return "\n"

    def hardbreak(self, node: Node) -> str:
        return "<br />\n"

    def em(self, node: Node) -> str:
        return f"<em>{self.inline(node.children)}</em>"

    def strong(self, node: Node) -> str:
        return f"<strong>{self.inline(node.children)}</strong>"

    def strikethrough(self, node: Node) -> str:
        return f"<s>{self.inline(node.children)}</s>"

    def code_inline(self, node: Node) -> str:
        return f"<code>{self.text(plain_text(node.children))}</code>"

    def link(self, node: Node) -> str:
        href = str(node.meta.get("url", ""))
        if not is_safe_link(href):
            self.removed.append(f"link {href[:80]!r}")
            return self.inline(node.children)
        title = node.meta.get("title")
        shown = f' title="{escape_html(str(title))}"' if title else ""
        return f'<a href="{escape_html(href)}"{shown}>{self.inline(node.children)}</a>'

    def image(self, node: Node) -> str:
        src = str(node.meta.get("url", ""))
        if not is_safe_image(src):
            self.removed.append(f"image {src[:80]!r}")
            return self.inline(node.children)
        title = node.meta.get("title")
        shown = f' title="{escape_html(str(title))}"' if title else ""
        return f'<img src="{escape_html(src)}" alt="{escape_html(plain_text(node.children))}"{shown} />'


_BLOCKS: dict[str, Callable[[_HTML, Node], str]] = {
    "paragraph": _HTML.paragraph,
    "heading": _HTML.heading,
    "lheading": _HTML.heading,
    "bullet_list": _HTML.bullet_list,
    "ordered_list": _HTML.ordered_list,
    "blockquote": _HTML.blockquote,
    "fence": _HTML.code,
    "code_block": _HTML.code,
    "hr": _HTML.hr,
    "table": _HTML.table,
    "definition": _HTML.nothing,
}
_INLINE: dict[str, Callable[[_HTML, Node], str]] = {
    "softbreak": _HTML.softbreak,
    "hardbreak": _HTML.hardbreak,
    "em": _HTML.em,
    "strong": _HTML.strong,
    "strikethrough": _HTML.strikethrough,
    "code_inline": _HTML.code_inline,
    "link": _HTML.link,
    "autolink": _HTML.link,
    "image": _HTML.image,
}


def render_html(blocks: Sequence[Node], *, for_print: bool = False) -> RenderedMarkdown:
    """Block nodes of a parsed draft as a safe HTML fragment (see the module's docstring); ``for_print``
    gives long unbroken runs break opportunities."""
    renderer = _HTML(for_print=for_print)
    html = renderer.blocks(inline_runs(blocks))
    return RenderedMarkdown(html=sanitize_html(html), removed=tuple(renderer.removed))


#: What ``removed`` says when a draft nests too deeply to be rendered as Markdown.
TOO_DEEP = "markup nested too deeply: shown as plain text"


def render_markdown(text: str, *, for_print: bool = False) -> RenderedMarkdown:
    """Draft Markdown as a safe HTML fragment; ``for_print`` gives long unbroken runs break opportunities.

    Markup nested past what the parser or our renderer can walk (a hostile draft: thousands of ``>``)
    is shown as preformatted text, and ``removed`` says so."""
    source = normalize_source(text)
    try:
        return render_html(parse_markdown(source).children, for_print=for_print)
    except (TooDeepError, RecursionError):
        shown = escape_html(breakable(source) if for_print else source)
        return RenderedMarkdown(html=sanitize_html(f"<pre><code>{shown}</code></pre>\n"), removed=(TOO_DEEP,))
