"""What a published report must never contain, checked on the parsed HTML and on the PDF with poppler.

Shared by the export tests. Parsing (not substring search) matters: a draft may legitimately *say*
"<script>" as text, which the report shows escaped; what it must not have is a script element.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

#: Elements a report may contain: our template's, plus what Markdown renders.
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "article", "header", "main", "section", "footer",
    "dl", "dt", "dd", "div", "span",
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip

SAFE_SRC = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$")
SAFE_HREF = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
SAFE_STYLE = re.compile(r"^text-align:\s*(left|right|center)$")
SAFE_META = {("charset", None), ("http-equiv", "Content-Security-Policy"), ("name", "referrer"),
             ("name", "viewport"), ("name", "generator"), ("name", "author")}  # fmt: skip


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_comment(self, data: str) -> None:
        self.elements.append(("!--", {"text": data}))

    def handle_decl(self, decl: str) -> None:
        self.elements.append(("!decl", {"text": decl}))

    def unknown_decl(self, data: str) -> None:  # <![CDATA[...]]>
        self.elements.append(("!decl", {"text": data}))

    def handle_pi(self, data: str) -> None:
        self.elements.append(("?pi", {"text": data}))


def elements(html: str) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements, parser.styles


#: Elements rendered Markdown may contain (a Markdown renderer with raw HTML allowed is the worst case).
MARKDOWN_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


#: Attributes whose value is only ever shown as text.
TEXT_ATTRIBUTES = {"title", "alt"}


def attribute_violations(tag: str, attrs: dict[str, str], *, host: str = "") -> list[str]:
    """Handlers, unsafe URLs and style tricks among one element's attributes."""
    found: list[str] = []
    for name, value in attrs.items():
        if name.startswith("on"):
            found.append(f"handler {name} on <{tag}>")
        if name == "href" and not SAFE_HREF.match(value):
            found.append(f"href {value!r}")
        if name == "src" and not SAFE_SRC.match(value):
            found.append(f"src {value[:60]!r}")
        if name == "style" and not SAFE_STYLE.match(value):
            found.append(f"style {value!r}")
        if name in {"action", "formaction", "data", "background", "poster", "srcset", "xlink:href"}:
            found.append(f"attribute {name} on <{tag}>")
        if name in TEXT_ATTRIBUTES:  # shown as text, never fetched or followed: a URL there is words
            continue
        if "javascript:" in value.lower().replace(" ", ""):
            found.append(f"javascript: in {name}")
        if host and host in value:
            found.append(f"{host} in {name} of <{tag}>")
    return found


def css_violations(styles: list[str], *, host: str = "") -> list[str]:
    """What a style sheet must not do: fetch (``url()``, ``@import``, fonts) or run anything."""
    found: list[str] = []
    for css in styles:
        found.extend(
            f"{needle} in CSS"
            for needle in ("url(", "@import", "@font-face", "expression(", "javascript:")
            if needle in css
        )
        if host and host in css:
            found.append(f"{host} in CSS")
    return found


def html_violations(html: str, *, host: str = "") -> list[str]:
    """Everything unsafe in a report's HTML, as readable strings (empty means safe)."""
    found: list[str] = []
    elems, styles = elements(html)
    for tag, attrs in elems:
        if tag == "!decl" and attrs["text"] == "DOCTYPE html":
            continue
        if tag not in ALLOWED_TAGS:
            found.append(f"element <{tag}>")
        found.extend(attribute_violations(tag, attrs, host=host))
        if tag == "meta":
            key = next((k for k in ("charset", "http-equiv", "name") if k in attrs), "")
            value = None if key == "charset" else attrs.get(key)
            if (key, value) not in SAFE_META:
                found.append(f"meta {attrs}")
    if len(styles) != 1:
        found.append(f"{len(styles)} style elements")
    found.extend(css_violations(styles, host=host))
    csp = [
        a.get("content") for t, a in elems if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    if csp != [CSP]:
        found.append(f"Content-Security-Policy is {csp}")
    return found


def poppler(tool: str, *args: str) -> str:
    """Run a poppler tool (pdftotext, pdfinfo, pdfimages) and return its stdout."""
    exe = shutil.which(tool)
    assert exe, f"{tool} is missing: `make test` installs poppler-utils"
    return subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout


def pdf_text(path: Path) -> str:
    return poppler("pdftotext", "-layout", str(path), "-")


def pdf_violations(path: Path, *, host: str = "", secrets: tuple[str, ...] = ()) -> list[str]:
    """JavaScript, non-web link annotations, embedded images, leaked secrets, anything pointing at host."""
    found: list[str] = []
    if poppler("pdfinfo", "-js", str(path)).strip():
        found.append("JavaScript in the PDF")
    for line in poppler("pdfinfo", "-url", str(path)).splitlines()[1:]:
        url = line.split(None, 2)[-1]
        if not SAFE_HREF.match(url) or (host and host in url):
            found.append(f"link {url!r}")
    images = poppler("pdfimages", "-list", str(path)).splitlines()[2:]
    if images:
        found.append(f"{len(images)} embedded image(s)")
    text = pdf_text(path)
    found.extend(f"secret {s!r} in the text" for s in secrets if s in text)
    raw = path.read_bytes()
    for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/EmbeddedFile", b"/SubmitForm"):
        if marker in raw:
            found.append(f"{marker.decode()} in the PDF")
    return found


def render_markdown_with_html(md: str) -> str:
    """Markdown as a renderer that lets raw HTML through would show it: markdown-it with ``html`` on, as
    JupyterLab's Markdown cells (marked, then a sanitiser that keeps remote images) and many status pages."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)


def markdown_violations(md: str, *, host: str = "") -> list[str]:
    """Everything unsafe in Markdown once rendered with raw HTML allowed: no element beyond what Markdown
    makes, no handler, no URL but web links and embedded raster images, nothing naming ``host``."""
    found: list[str] = []
    elems, styles = elements(render_markdown_with_html(md))
    for tag, attrs in elems:
        if tag not in MARKDOWN_TAGS:
            found.append(f"element <{tag}>")
        found.extend(attribute_violations(tag, attrs, host=host))
    found.extend(f"<style> {css[:40]!r}" for css in styles)
    return found
