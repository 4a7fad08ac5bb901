"""Draft Markdown to safe HTML: markdown-it-py with raw HTML disabled, then nh3.

A postmortem is opened by customers, so what we publish must be inert whatever the draft holds. Two
independent layers make sure of it:

1. Parsing. Raw HTML is disabled (``<script>`` stays visible text), and :func:`safe_media` rewrites the
   tokens before rendering: a link survives only to ``http``, ``https`` or ``mailto``; an image survives only
   as a ``data:`` URI of a PNG, JPEG, GIF or WebP whose bytes really are that format. Anything else becomes
   its alt text or link text, so a remote image cannot leak who reads the report and ``![](../../.env)``
   cannot pull a local file into a PDF.
2. Sanitising. nh3 keeps an allowlist of tags and attributes (no ``style`` except table alignment, no
   event handlers, no relative or ``javascript:`` URLs), so a bug in layer 1 is not enough.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = [
    "RenderedMarkdown",
    "breakable",
    "is_safe_image",
    "is_safe_link",
    "render_markdown",
    "safe_media",
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


def _rewrite(children: list[Token], removed: list[str]) -> list[Token]:
    out: list[Token] = []
    dropping_link = False
    for token in children:
        if token.type == "image" and not is_safe_image(str(token.attrGet("src") or "")):
            removed.append(f"image {str(token.attrGet('src') or '')[:80]!r}")
            out.extend(token.children or [])
        elif token.type == "link_open" and not is_safe_link(str(token.attrGet("href") or "")):
            removed.append(f"link {str(token.attrGet('href') or '')[:80]!r}")
            dropping_link = True
        elif token.type == "link_close" and dropping_link:
            dropping_link = False
        else:
            out.append(token)
    return out


def safe_media(md: MarkdownIt) -> None:
    """markdown-it plugin: replace unsafe images by their alt text and unsafe links by their text.

    What was removed is listed in ``env["removed"]`` so the author can be told.
    """

    def rule(state: StateCore) -> None:
        removed: list[str] = state.env.setdefault("removed", [])
        for token in state.tokens:
            if token.type == "inline" and token.children:
                token.children = _rewrite(token.children, removed)

    md.core.ruler.push("postmortem_safe_media", rule)


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


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).use(safe_media)


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


def _break_long_runs(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in {"code_block", "fence"}:
            token.content = breakable(token.content)
        for child in token.children or ():
            if child.type in {"text", "code_inline"}:
                child.content = breakable(child.content)


def render_markdown(text: str, *, for_print: bool = False) -> RenderedMarkdown:
    """Draft Markdown as a safe HTML fragment; ``for_print`` gives long unbroken runs break opportunities."""
    env: dict[str, list[str]] = {}
    md = _parser()
    tokens = md.parse(text, env)
    if for_print:
        _break_long_runs(tokens)
    html = md.renderer.render(tokens, md.options, env)
    return RenderedMarkdown(html=sanitize_html(html), removed=tuple(env.get("removed", [])))
