"""Draft Markdown re-rendered as Markdown that stays inert wherever it is shown, in time linear in its size.

The GFM export and the report notebook's cells are Markdown, and the renderers that show them (a status
page, JupyterLab's Markdown cells) let raw HTML through. So the draft is parsed with raw HTML disabled and
unsafe links and images replaced by their text (:func:`~postmortem_widgets.export.markdown.safe_media`),
then written back by mdformat, which escapes what would otherwise become markup again (``\\<script>``).

Three of mdformat's renderers are replaced here:

- ``image`` writes its alt text and title unescaped: a kept (``data:``) image whose alt or title holds
  ``<img src=http://...>`` or a stray quote would come out as live HTML. Ours backslash-escapes every mark
  that could start markup or end them, so they stay text.
- ``link`` escapes ``"`` in a title but not ``\\``, so a title ending in a backslash closes early and the
  rest of it is read as HTML. Ours escapes both titles and URLs' surroundings like the image.
- ``list_item`` asks whether its whole list is tight, once per item: quadratic in the list's length (a
  50,000-item timeline took minutes). Ours asks once per list.

And ``text`` gets a fast path: a run of text with nothing mdformat would escape is written as it is (its
escaping runs a regular expression of every HTML entity name per run, half the time of a render);
anything else goes through mdformat's own.

Links and images are always written inline, so no reference definition (which may point anywhere) is
written out. The ``notebook`` flavour also escapes ``$``, which JupyterLab would read as LaTeX.
"""

from __future__ import annotations

import re
from functools import cache
from types import SimpleNamespace
from typing import Any

import mdformat.plugins
from markdown_it import MarkdownIt
from mdformat.renderer import DEFAULT_RENDERERS, MDRenderer, RenderContext, RenderTreeNode

from .markdown import safe_media

__all__ = ["FLAVOURS", "normalize_markdown"]

#: ``gfm``: for a status page or an email's text part; ``notebook``: for a report notebook's cells.
FLAVOURS = ("gfm", "notebook")

#: What could start markup, end an alt text or a title, or open a table cell; escaped wherever it is.
_MARKUP = re.compile(r"([\\`*_\[\]()<>&\"!~|$])")
_TIGHT = "postmortem_tight_lists"


def escape_all(text: str) -> str:
    """Plain text as Markdown that can only be read as that text: every mark that could start markup
    escaped (CommonMark lets any ASCII punctuation be), line breaks (which could end a paragraph) made
    spaces."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _plain(node: RenderTreeNode) -> str:
    """What an image's alt attribute holds: the text of its description, markup stripped."""
    if node.type in {"text", "code_inline"}:
        return node.content
    if node.type in {"softbreak", "hardbreak"}:
        return " "
    return "".join(_plain(child) for child in node.children)


def _destination(url: str) -> str:
    """A link destination: parsed URLs are percent-encoded, so only parentheses and controls need ``<>``."""
    if not url or any(c in url for c in "()<> ") or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def _title(node: RenderTreeNode) -> str:
    title = node.attrs.get("title")
    return f' "{escape_all(str(title))}"' if title else ""


def _image(node: RenderTreeNode, context: RenderContext) -> str:
    return f"![{escape_all(_plain(node))}]({_destination(str(node.attrs['src']))}{_title(node)})"


def _link(node: RenderTreeNode, context: RenderContext) -> str:
    href = str(node.attrs["href"])
    if node.info == "auto":  # <https://...>: the parser checked it is a URL, and percent-encoded it
        shown = node.children[0].content if node.children else href
        if href.startswith("mailto:") and not shown.startswith("mailto:"):
            href = href.removeprefix("mailto:")  # <ops@example.com> was written without the scheme
        return f"<{href}>"
    text = "".join(child.render(context) for child in node.children)
    return f"[{text}]({_destination(href)}{_title(node)})"


def _is_tight(list_node: RenderTreeNode, context: RenderContext) -> bool:
    """Whether a list is tight (no blank lines between its items), worked out once per list."""
    known: dict[int, bool] = context.env.setdefault(_TIGHT, {})
    key = id(list_node)
    if key not in known:
        known[key] = all(
            grandchild.hidden
            for child in list_node.children
            for grandchild in child.children
            if grandchild.type == "paragraph"
        )
    return known[key]


def _list_item(node: RenderTreeNode, context: RenderContext) -> str:
    separator = "\n" if node.parent is None or _is_tight(node.parent, context) else "\n\n"
    text = separator.join(out for out in (child.render(context) for child in node.children) if out)
    return text if text.strip() else ""


#: What mdformat's ``text`` renderer may change: text with none of these comes out as it went in.
_ESCAPED_IN_TEXT = frozenset("\t\\*_[]<`&")


def _text(node: RenderTreeNode, context: RenderContext) -> str:
    """mdformat's ``text``, skipped for a run it would return unchanged (most of a draft's text)."""
    content = node.content
    if (
        context.do_wrap
        or "  " in content
        or "\n\n" in content
        or content.endswith("!")
        or not _ESCAPED_IN_TEXT.isdisjoint(content)
    ):
        return str(DEFAULT_RENDERERS["text"](node, context))
    return content


def _extensions(flavour: str) -> list[Any]:
    """Our renderers, with mdformat-gfm's for strikethrough and tables.

    Its parser extensions are left out on purpose: its bare-URL autolinks bypass
    :func:`~postmortem_widgets.export.markdown.safe_media` and its inline text rule makes parsing half as
    slow again; the HTML export parses without them too (a status page links bare URLs itself). Task
    lists need no plugin: ``- [ ] item`` is written back as it was.
    """
    gfm = mdformat.plugins.PARSER_EXTENSIONS["gfm"]
    escape_strikethrough = gfm.POSTPROCESSORS["text"]

    def escape_text(text: str, node: RenderTreeNode, context: RenderContext) -> str:
        text = str(escape_strikethrough(text, node, context))
        return text.replace("$", "\\$") if flavour == "notebook" else text

    ours = SimpleNamespace(
        RENDERERS={
            "s": gfm.RENDERERS["s"],
            "image": _image,
            "link": _link,
            "list_item": _list_item,
            "text": _text,
        },
        POSTPROCESSORS={"text": escape_text},
    )
    return [ours, mdformat.plugins.PARSER_EXTENSIONS["tables"]]


@cache
def _parser(flavour: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}, renderer_cls=MDRenderer)  # type: ignore[arg-type]
    md.options["mdformat"] = {"number": True, "wrap": "keep"}
    md.options["store_labels"] = True
    md.options["codeformatters"] = {}
    md.options["parser_extension"] = _extensions(flavour)
    return md.enable(["table", "strikethrough"]).use(safe_media)


def normalize_markdown(text: str, *, flavour: str = "gfm", removed: list[str] | None = None) -> str:
    """Markdown re-rendered as safe, consistently formatted GFM; what was left out is added to ``removed``."""
    md = _parser(flavour)
    env: dict[str, Any] = {}
    out = str(md.renderer.render(md.parse(text, env), md.options, env))
    if removed is not None:
        removed.extend(env.get("removed", []))
    return out
