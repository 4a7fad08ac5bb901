"""HTML to PDF with WeasyPrint, offline: every URL is refused except ``data:`` URIs.

WeasyPrint would otherwise fetch ``http`` images and read ``file:`` paths while rendering; a PDF made from
a hostile draft must not reach the network or the disk. The fetcher is the second lock behind the
Markdown sanitiser, and it remembers what it refused.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

__all__ = ["PDF_VARIANT", "OfflineURLFetcher", "html_to_pdf", "warm_up"]

_LOCAL = threading.local()
#: Every PDF is rendered on this one thread, so its font configuration (most of a render's fixed cost,
#: and not to be shared between threads) is built once, and :func:`warm_up` can build it ahead of time.
_WORKER_NAME = "postmortem-pdf"
_worker: ThreadPoolExecutor | None = None
_worker_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=_WORKER_NAME)
        return _worker


class OfflineURLFetcher(URLFetcher):
    """Fetches ``data:`` URIs only; anything else raises, so WeasyPrint leaves it out."""

    def __init__(self) -> None:
        URLFetcher.__init__(self, allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"postmortem reports fetch nothing: refused {url[:80]!r}")
        return URLFetcher.fetch(self, url, headers)


def _fonts() -> FontConfiguration:
    """One font configuration per thread (JupyterLab exports in a thread pool), built once: it is most of
    a warm render's fixed cost."""
    fonts: FontConfiguration | None = getattr(_LOCAL, "fonts", None)
    if fonts is None:
        fonts = _LOCAL.fonts = FontConfiguration()
    return fonts


#: Tagged PDF for assistive technology (PDF/UA-1): headings, lists and tables in the structure tree, and
#: the impact figure's ``<title>`` as its alternate text.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, *, fetcher: URLFetcher | None = None) -> bytes:
    """A tagged PDF (:data:`PDF_VARIANT`) of a self-contained HTML document, with the print stylesheet it
    carries (rendered on the PDF thread)."""
    if threading.current_thread().name.startswith(_WORKER_NAME):
        return _render(html, fetcher)
    return _pool().submit(_render, html, fetcher).result()


def warm_up(html: str = "<html><body><p>warm</p></body></html>") -> Future[bytes]:
    """Render ``html`` on the PDF thread in the background, so the first real export is quick (the first
    render in a process loads fonts and WeasyPrint's machinery: seconds)."""
    return _pool().submit(_render, html, None)


def _render(html: str, fetcher: URLFetcher | None) -> bytes:
    document = HTML(
        string=html, base_url=None, url_fetcher=fetcher or OfflineURLFetcher(), media_type="print"
    )
    return bytes(document.write_pdf(font_config=_fonts(), pdf_variant=PDF_VARIANT) or b"")
