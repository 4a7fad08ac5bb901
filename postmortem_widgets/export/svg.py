"""The one SVG a report may inline: the impact figure, re-checked whenever a report notebook is converted.

The report notebook carries the figure as a cell attachment (``image/svg+xml``), so JupyterLab shows it
and ``jupyter nbconvert --to postmortem_html`` can render it. A notebook is a file anyone can edit, so the
exporter trusts no attachment: :func:`clean_svg` parses it (no DTD, no entities), accepts only the
elements and attributes the figure uses, with values that cannot name a URL or run script, and
writes it out again from the parsed tree. Anything else (a ``<script>``, an ``onload``, a
``<foreignObject>``, an ``href``, ``url(...)``, a ``style`` attribute) drops the whole figure.

Draft Markdown can never reach this path: its raw HTML is disabled and sanitised, and its images must be
raster ``data:`` URIs (:mod:`.markdown`), so a draft cannot inject SVG.

>>> clean_svg('<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>')
'<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>'
>>> clean_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') is None
True
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

__all__ = ["MAX_SVG_BYTES", "clean_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
#: A figure is a few tens of kB; anything much larger is not ours.
MAX_SVG_BYTES = 512 * 1024
_COMMON = frozenset({"fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "class", "id"})
_TEXT = frozenset({"x", "y", "text-anchor", "font-size", "font-weight", "font-family", "dx", "dy"})
#: Element -> the attributes it may have.
ALLOWED: dict[str, frozenset[str]] = {
    "svg": _COMMON
    | {"viewBox", "width", "height", "role", "aria-labelledby", "aria-label", "font-family", "xmlns"},
    "title": frozenset({"id"}),
    "desc": frozenset({"id"}),
    "g": _COMMON,
    "rect": _COMMON | {"x", "y", "width", "height", "rx", "ry"},
    "line": _COMMON | {"x1", "y1", "x2", "y2"},
    "polyline": _COMMON | {"points"},
    "circle": _COMMON | {"cx", "cy", "r"},
    "text": _COMMON | _TEXT,
    "tspan": _COMMON | _TEXT,
}
#: Attribute values: numbers, colours, names, lists of them. No quotes, brackets, colons or slashes.
_VALUE = re.compile(r"^[\w\s#.,%+-]*$")
_NO_MARKUP = re.compile(r"<!(?:DOCTYPE|ENTITY)|<\?", re.IGNORECASE)


def _local(tag: str) -> str | None:
    """The element's name when it is in the SVG namespace, else ``None``."""
    if not tag.startswith("{"):
        return None
    ns, _, name = tag[1:].partition("}")
    return name if ns == SVG_NS else None


def _write(element: ET.Element, out: list[str], *, root: bool) -> bool:
    name = _local(element.tag)
    if name is None or name not in ALLOWED:
        return False
    attributes = [' xmlns="http://www.w3.org/2000/svg"'] if root else []
    for key, value in element.attrib.items():
        if key not in ALLOWED[name] or not _VALUE.match(value) or "url" in value.lower():
            return False
        attributes.append(f' {key}="{escape(value, quote=True)}"')
    children = list(element)
    text = element.text or ""
    if not children and not text:
        out.append(f"<{name}{''.join(attributes)}/>")
    else:
        out.append(f"<{name}{''.join(attributes)}>{escape(text, quote=False)}")
        for child in children:
            if not _write(child, out, root=False):
                return False
            out.append(escape(child.tail or "", quote=False))
        out.append(f"</{name}>")
    return True


def clean_svg(text: object) -> str | None:
    """``text`` as a safe SVG document written anew, or ``None`` when it is anything but a figure's SVG."""
    if isinstance(text, list):  # nbformat may store a multi-line string as a list of lines
        text = "".join(str(t) for t in text)
    if not isinstance(text, str) or len(text.encode("utf-8")) > MAX_SVG_BYTES or _NO_MARKUP.search(text):
        return None
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if _local(root.tag) != "svg":
        return None
    out: list[str] = []
    return "".join(out) if _write(root, out, root=True) else None
