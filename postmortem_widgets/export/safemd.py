"""Draft Markdown re-rendered as Markdown that stays inert wherever it is shown, in time linear in its size.

The GFM export and the report notebook's cells are Markdown, and the renderers that show them (a status
page, JupyterLab's Markdown cells) let raw HTML through. So the draft is parsed without raw HTML
(:mod:`.tree`) and written back from the tree by the renderer here, in mdformat's style (``-`` bullets,
numbered lists, ATX headings, ``*`` emphasis, padded tables, fenced code), with the HTML export's media
rule: a link survives only to ``http``, ``https`` or ``mailto``, an image only as a checked ``data:`` URI;
anything else becomes its text (and is listed in ``removed``).

Text is escaped so that it can only be read as that text: every ``<`` (no raw HTML, no autolink), ``\\``,
`````, ``*``, ``[`` and ``]``, an ``_`` that could start emphasis, a ``&`` that could start a character
reference, ``~~``, and at the start of a line whatever would start a block (``#``, ``>``, a list marker,
a thematic break, a setext underline, a table's delimiter row). An image's alt text and a title are
escaped harder (:func:`escape_all`), so a stray quote cannot end them. Links and images are always written
inline, so no reference definition (which may point anywhere) is written out. The ``notebook`` flavour
also escapes ``$``, which JupyterLab would read as LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from wcwidth import wcswidth

from .markdown import TOO_DEEP, is_safe_image, is_safe_link, plain_text
from .tree import Node, TooDeepError, inline_runs, normalize_source, parse_markdown, text_runs

__all__ = ["FLAVOURS", "escape_all", "normalize_markdown", "render_inert"]

#: ``gfm``: for a status page or an email's text part; ``notebook``: for a report notebook's cells.
FLAVOURS = ("gfm", "notebook")

#: What could start markup, end an alt text or a title, or open a table cell; escaped wherever it is.
_MARKUP = re.compile(r"([\\`*_\[\]()<>&\"!~|$])")
#: What is always escaped in text (``$`` only in the notebook flavour).
_TEXT = re.compile(r"[\\`]|<(?! )|(?<!\s)\*|\*(?!\s)")
_TEXT_NOTEBOOK = re.compile(r"[\\`$]|<(?! )|(?<!\s)\*|\*(?!\s)")
#: What :meth:`_Markdown.text` may change: text with none of it is written as it is.
_SPECIAL = re.compile(r"[\\`*_\[\]<&~\t]|  |\n\n")
_SPECIAL_NOTEBOOK = re.compile(r"[\\`*_\[\]<&~\t$]|  |\n\n")
_BRACKET = re.compile(r"[\[\]]")
_CHAR_REFERENCE = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_SPACES = re.compile(r" {2,}")
_ATX = re.compile(r"#{1,6}(?: |\t|$)")
_BULLET = re.compile(r"[-*+](?: |\t|$)")
_ORDERED = re.compile(r"([0-9]+)([.)])(?= |\t|$)")
_HR_CHARS = frozenset("-*_")
#: What a line starting with anything else but a space keeps, if it does not end in a space either.
_MAY_START_BLOCK = frozenset("#>=-+*_|:0123456789")
_TABLE_DELIMITER = frozenset("|-: ")
_THEMATIC_BREAK = "_" * 70
_ALIGN = {"left": "<", "right": ">", "center": "^"}


def escape_all(text: str) -> str:
    """Plain text as Markdown that can only be read as that text: every mark that could start markup
    escaped (CommonMark lets any ASCII punctuation be), line breaks (which could end a paragraph) made
    spaces."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _destination(url: str) -> str:
    """A link destination: parsed URLs are percent-encoded, so only parentheses and controls need ``<>``."""
    if not url or any(c in url for c in "()<> ") or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def _title(node: Node) -> str:
    title = node.meta.get("title")
    return f' "{escape_all(str(title))}"' if title else ""


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max(map(len, runs), default=0)


def _escape_line(line: str) -> str:
    """One line of a paragraph, stripped, with what would start a block at its start escaped."""
    if not line:
        return line
    first = line[0]
    if first not in _MAY_START_BLOCK and not first.isspace() and not line[-1].isspace():
        return line
    line = line.strip()
    if not line:
        return line
    first = line[0]
    if (first == "#" and _ATX.match(line)) or first in ">=" or (first in "-+" and _BULLET.match(line)):
        return "\\" + line
    if first.isdigit() and (ordered := _ORDERED.match(line)) is not None:
        return f"{ordered[1]}\\{ordered[2]}{line[ordered.end() :]}"
    squeezed = line.replace(" ", "").replace("\t", "")
    if len(squeezed) >= 3 and len(set(squeezed)) == 1 and squeezed[0] in _HR_CHARS:
        return "\\" + line
    if first in "|:" and _TABLE_DELIMITER.issuperset(line):
        return line.replace("-", "\\-", 1)
    return line


class _Markdown:
    """The tree as inert Markdown (see the module's docstring)."""

    def __init__(self, *, notebook: bool) -> None:
        self.always = _TEXT_NOTEBOOK if notebook else _TEXT
        self.plain = (_SPECIAL_NOTEBOOK if notebook else _SPECIAL).search
        self.removed: list[str] = []

    # blocks

    def blocks(self, nodes: Sequence[Node | list[Node]], separator: str = "\n\n") -> str:
        out: list[str] = []
        previous, run = "", 0
        for part in nodes:
            if isinstance(part, list):
                out.append(self.paragraph_text(part))
                previous = ""
                continue
            if part.name in {"bullet_list", "ordered_list"}:
                # a list right after one of its kind takes the other marker, or the two would merge
                run = run + 1 if previous == part.name else 1
                out.append(self.list(part, alternate=run % 2 == 0))
            else:
                out.append(self.block(part))
            previous = part.name
        return separator.join(text for text in out if text)

    def block(self, node: Node) -> str:
        render = _BLOCKS.get(node.name)
        return render(self, node) if render is not None else self.blocks(inline_runs(node.children))

    def paragraph(self, node: Node) -> str:
        return self.paragraph_text(node.children)

    def paragraph_text(self, nodes: Sequence[Node]) -> str:
        return "\n".join(_escape_line(line) for line in self.inline(nodes).split("\n"))

    def heading(self, node: Node) -> str:
        text = self.inline(node.children).replace("\n", " ").strip()
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        return "#" * int(node.meta.get("level", 1)) + " " + text

    def code(self, node: Node) -> str:
        content = str(node.meta.get("content", ""))
        info = " ".join(str(node.meta.get("info", "")).split())
        mark = "~" if "`" in info else "`"
        fence = mark * max(3, _longest_run(content, mark) + 1)
        return f"{fence}{info}\n{content}{fence}"

    def hr(self, node: Node) -> str:
        return _THEMATIC_BREAK

    def blockquote(self, node: Node) -> str:
        text = self.blocks(inline_runs(node.children))
        return "\n".join(f"> {line}" if line else ">" for line in text.split("\n")) if text else ">"

    def list(self, node: Node, *, alternate: bool) -> str:
        items = node.children
        tight = all(child.name != "paragraph" for item in items for child in item.children)
        if node.name == "bullet_list":
            marker = "*" if alternate else "-"
            markers = [marker] * len(items)
        else:
            start = int(node.meta.get("start", 1))
            delimiter = ")" if alternate else "."
            width = len(str(start + len(items) - 1))
            markers = [f"{start + i:0{width}d}{delimiter}" for i in range(len(items))]
        indent = " " * (len(markers[-1]) + 1) if markers else ""
        rendered: list[str] = []
        for marker, item in zip(markers, items, strict=True):
            text = self.blocks(inline_runs(item.children), "\n" if tight else "\n\n")
            first, _, rest = (text if text.strip() else "").partition("\n")
            lines = [f"{marker} {first}" if first else marker]
            if rest:
                lines.extend(f"{indent}{line}" if line else "" for line in rest.split("\n"))
            rendered.append("\n".join(lines))
        return ("\n" if tight else "\n\n").join(rendered)

    def table(self, node: Node) -> str:
        rows: list[list[str]] = []
        for part in node.children:  # thead, tbody
            for tr in part.children:
                rows.append([self.inline(cell.children).replace("|", "\\|") for cell in tr.children])
        if not rows:
            return ""
        columns = len(rows[0])
        aligns = [_ALIGN.get(str(a), "") for a in node.meta.get("alignments", ())]
        aligns += [""] * (columns - len(aligns))
        for row in rows:
            row[len(row) :] = [""] * (columns - len(row))
        widths = [max(3, *(_width(row[i]) for row in rows)) for i in range(columns)]
        lines = ["| " + " | ".join(_pad(cell, widths[i], aligns[i]) for i, cell in enumerate(rows[0])) + " |"]
        lines.append("| " + " | ".join(_delimiter(widths[i], aligns[i]) for i in range(columns)) + " |")
        lines.extend(
            "| " + " | ".join(_pad(cell, widths[i], aligns[i]) for i, cell in enumerate(row[:columns])) + " |"
            for row in rows[1:]
        )
        return "\n".join(lines)

    def nothing(self, node: Node) -> str:
        return ""

    # inline

    def inline(self, nodes: Sequence[Node]) -> str:
        """Inline nodes; adjacent text (an entity or escape splits it) is escaped as one run."""
        out: list[str] = []
        for part in text_runs(nodes):
            if isinstance(part, str):
                out.append(self.text(part))
                continue
            render = _INLINE.get(part.name)
            text = render(self, part) if render is not None else self.inline(part.children)
            if text.startswith("[") and out and out[-1].endswith("!") and not out[-1].endswith("\\!"):
                out[-1] = out[-1][:-1] + "\\!"  # "!" then a link would be read as an image
            out.append(text)
        return "".join(out)

    def text(self, text: str) -> str:
        if self.plain(text) is None:  # most of a draft's text: nothing to escape
            return text
        if "\t" in text:
            text = text.replace("\t", " ")
        if "  " in text:
            text = _SPACES.sub(" ", text)
        text = self.always.sub(r"\\\g<0>", text)
        if "_" in text:
            text = re.sub("_", _underscore, text)
        if "[" in text or "]" in text:
            text = _escape_brackets(text)
        if "&" in text:
            text = _CHAR_REFERENCE.sub(r"\\&", text)
        if "~~" in text:
            text = text.replace("~", "\\~")
        return text.replace("\n\n", "&#10;&#10;") if "\n\n" in text else text

    def softbreak(self, node: Node) -> str:
        return "\n"

    def hardbreak(self, node: Node) -> str:
        return "\\\n"

    def em(self, node: Node) -> str:
        marker = str(node.meta.get("marker", "*"))
        return f"{marker}{self.inline(node.children)}{marker}"

    def strong(self, node: Node) -> str:
        marker = str(node.meta.get("marker", "*")) * 2
        return f"{marker}{self.inline(node.children)}{marker}"

    def strikethrough(self, node: Node) -> str:
        return f"~~{self.inline(node.children)}~~"

    def code_inline(self, node: Node) -> str:
        code = plain_text(node.children)
        longest = _longest_run(code, "`")
        if longest:
            fence = "`" * (longest + 1)
            return f"{fence} {code} {fence}"
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            return f"` {code} `"
        return f"`{code}`"

    def link(self, node: Node) -> str:
        href = str(node.meta.get("url", ""))
        if not is_safe_link(href):
            self.removed.append(f"link {href[:80]!r}")
            return self.inline(node.children)
        return f"[{self.inline(node.children)}]({_destination(href)}{_title(node)})"

    def autolink(self, node: Node) -> str:
        href = str(node.meta.get("url", ""))
        if not is_safe_link(href):
            self.removed.append(f"link {href[:80]!r}")
            return self.inline(node.children)
        shown = plain_text(node.children)
        if href.startswith("mailto:") and not shown.startswith("mailto:"):
            href = href.removeprefix("mailto:")  # <ops@example.com> was written without the scheme
        return f"<{href}>"  # the parser checked it is a URL, and percent-encoded it

    def image(self, node: Node) -> str:
        src = str(node.meta.get("url", ""))
        if not is_safe_image(src):
            self.removed.append(f"image {src[:80]!r}")
            return self.inline(node.children)
        return f"![{escape_all(plain_text(node.children))}]({_destination(src)}{_title(node)})"


def _underscore(match: re.Match[str]) -> str:
    """An ``_`` escaped unless it cannot open or close emphasis: between two letters or digits, or two
    spaces."""
    text, at = match.string, match.start()
    before, after = text[at - 1 : at] if at else "", text[at + 1 : at + 2]
    if (before.isspace() and after.isspace()) or (before.isalnum() and after.isalnum()):
        return "_"
    return "\\_"


def _escape_brackets(text: str) -> str:
    """Square brackets escaped unless they enclose bracket-free text not followed by ``(`` or ``:``: such
    a pair is no link, since no reference definition is ever written (mdformat's rule)."""
    escape: list[int] = []
    opened: int | None = None
    for match in _BRACKET.finditer(text):
        at = match.start()
        if match[0] == "[":
            if opened is not None:
                escape.append(opened)
            opened = at
        elif opened is None:
            escape.append(at)
        else:
            if text[at + 1 : at + 2] in {"(", ":"}:
                escape.extend((opened, at))
            opened = None
    if opened is not None:
        escape.append(opened)
    if not escape:
        return text
    out, last = [], 0
    for at in sorted(escape):
        out.append(text[last:at])
        last = at
    out.append(text[last:])
    return "\\".join(out)


def _width(text: str) -> int:
    width = wcswidth(text) if not text.isascii() else len(text)
    return width if width >= 0 else len(text)


def _pad(text: str, width: int, align: str) -> str:
    room = max(0, width - _width(text))
    if align == ">":
        return " " * room + text
    if align == "^":
        return " " * (room // 2) + text + " " * (room - room // 2)
    return text + " " * room


def _delimiter(width: int, align: str) -> str:
    left = ":" if align in "<^" and align else "-"
    right = ":" if align in ">^" and align else "-"
    return left + "-" * max(0, width - 2) + right


_BLOCKS: dict[str, Callable[[_Markdown, Node], str]] = {
    "paragraph": _Markdown.paragraph,
    "heading": _Markdown.heading,
    "lheading": _Markdown.heading,
    "blockquote": _Markdown.blockquote,
    "fence": _Markdown.code,
    "code_block": _Markdown.code,
    "hr": _Markdown.hr,
    "table": _Markdown.table,
    "definition": _Markdown.nothing,
}
_INLINE: dict[str, Callable[[_Markdown, Node], str]] = {
    "softbreak": _Markdown.softbreak,
    "hardbreak": _Markdown.hardbreak,
    "em": _Markdown.em,
    "strong": _Markdown.strong,
    "strikethrough": _Markdown.strikethrough,
    "code_inline": _Markdown.code_inline,
    "link": _Markdown.link,
    "autolink": _Markdown.autolink,
    "image": _Markdown.image,
}


def render_inert(blocks: Sequence[Node], *, flavour: str = "gfm", removed: list[str] | None = None) -> str:
    """Block nodes of a parsed draft as inert Markdown; what was left out is added to ``removed``."""
    renderer = _Markdown(notebook=flavour == "notebook")
    out = renderer.blocks(inline_runs(blocks))
    if removed is not None:
        removed.extend(renderer.removed)
    return out + "\n" if out else ""


def normalize_markdown(text: str, *, flavour: str = "gfm", removed: list[str] | None = None) -> str:
    """Markdown re-rendered as safe, consistently formatted GFM; what was left out is added to ``removed``.

    Markup nested past what the parser or our renderer can walk is written as one fenced code block."""
    source = normalize_source(text)
    try:
        return render_inert(parse_markdown(source).children, flavour=flavour, removed=removed)
    except (TooDeepError, RecursionError):
        if removed is not None:
            removed.append(TOO_DEEP)
        fence = "`" * max(3, _longest_run(source, "`") + 1)
        return f"{fence}\n{source.rstrip(chr(10))}\n{fence}\n"
