"""The status area: one visible line that says what happened, because ipywidgets swallows callback errors.

Every button and field handler runs through :meth:`Status.guard`. A :class:`PostmortemError` shows its
own message (file, line, hint); anything unexpected shows a short line and the traceback goes to the log.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from html import escape
from typing import Any, TypeVar

import ipywidgets as widgets

from ..errors import PostmortemError

log = logging.getLogger("postmortem_widgets.ui")

F = TypeVar("F", bound=Callable[..., Any])

_ICONS = {"info": "ℹ", "ok": "✓", "busy": "⏳", "warning": "⚠", "error": "✖"}
#: Which level a joined line takes (see :meth:`Status.together`): the most pressing of its parts.
_RANK = {"info": 0, "ok": 1, "busy": 2, "warning": 3, "error": 4}


class Status:
    """A one-line message with a level (info, ok, busy, warning, error)."""

    def __init__(self) -> None:
        self.widget = widgets.HTML(layout=widgets.Layout(width="100%", min_height="30px"))
        self.widget.add_class("pm-status")
        self.level = "info"
        self.text = ""
        #: The messages shown inside :meth:`together`, joined when it ends (``None``: not inside).
        self._gathered: list[tuple[str, str]] | None = None

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Join the messages shown inside into one line, so one does not hide another: a save that took in
        someone else's change says both, whichever handler spoke last. Nested uses join into the outermost."""
        if self._gathered is not None:
            yield
            return
        self._gathered = []
        try:
            yield
        finally:
            gathered, self._gathered = self._gathered, None
            texts = list(dict.fromkeys(text for _, text in gathered))
            if len(texts) > 1:
                level = max((lv for lv, _ in gathered), key=lambda lv: _RANK.get(lv, 0))
                self.show(level, " ".join(texts))

    def show(self, level: str, text: str) -> None:
        from .wording import in_form_words

        text = in_form_words(text)
        if self._gathered is not None:
            self._gathered.append((level, text))
        self.level, self.text = level, text
        icon = _ICONS.get(level, "")
        self.widget.value = (
            f'<div class="pm-status-line pm-{level}" role="status" data-level="{level}">'
            f'<span class="pm-status-icon">{icon}</span> {escape(text)}</div>'
        )

    def info(self, text: str) -> None:
        self.show("info", text)

    def ok(self, text: str) -> None:
        self.show("ok", text)

    def busy(self, text: str) -> None:
        self.show("busy", text)

    def warning(self, text: str) -> None:
        self.show("warning", text)

    def error(self, text: str) -> None:
        self.show("error", text)

    def report(self, exc: BaseException, action: str) -> None:
        """Show an exception: ours as it is, anything else briefly (the traceback goes to the log)."""
        if isinstance(exc, PostmortemError):
            self.error(str(exc))
        else:
            log.error("unexpected error while %s", action, exc_info=exc)
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            self.error(
                f"Unexpected error while {action}: {type(exc).__name__}{': ' + detail if detail else ''}"
            )

    def guard(self, action: str) -> Callable[[F], F]:
        """Decorate a widget callback so that its errors show here instead of vanishing."""

        def decorate(fn: F) -> F:
            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return fn(*args, **kwargs)
                except Exception as exc:
                    self.report(exc, action)
                    return None

            return wrapper  # type: ignore[return-value]

        return decorate


__all__ = ["Status"]
