"""What every step shares: the session, the status area, and a way to tell the other steps what changed.

Steps redraw lazily: a change marks the steps that depend on it stale, and a stale step redraws when
it is shown, so typing in one tab never recomputes the others.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets

if TYPE_CHECKING:
    from ..app.session import Session
    from .status import Status

#: What can change, and so what a step may depend on.
INPUTS, TIMELINE, FIELDS, VERSIONS = "inputs", "timeline", "fields", "versions"
#: The draft was replaced (generated, restored, redacted) / typed in the editor.
DRAFT, EDITED = "draft", "edited"


class Context:
    """Handed to each step: the session, the status area and the change notifier."""

    def __init__(self, session: Session, status: Status, notify: Callable[..., None]) -> None:
        self.session = session
        self.status = status
        self.notify = notify
        #: Told when work on another thread starts and ends (the workspace locks its tabs meanwhile).
        self.on_busy: list[Callable[[bool], None]] = []

    def busy(self, running: bool) -> None:
        for listener in self.on_busy:
            listener(running)


class Step:
    """One tab of the workspace. Subclasses build ``self.widget`` and implement :meth:`refresh`."""

    title = ""
    #: Changes that make this step stale.
    depends: frozenset[str] = frozenset()

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.stale = True
        #: Shown at least once (in some browser view): a change redraws it even when another tab is current.
        self.opened = False
        self.widget: widgets.Widget = widgets.VBox()

    @property
    def session(self) -> Session:
        return self.ctx.session

    def refresh(self) -> None:
        """Redraw from the session."""

    def settle(self) -> None:
        """Finish what typing left for a pause (a save), before another step reads the session."""

    def show(self) -> None:
        """Called when the tab is selected: redraw only if something changed."""
        self.opened = True
        if self.stale:
            self.stale = False
            self.refresh()


def help_text(html: str) -> widgets.HTML:
    """A line of guidance under a heading."""
    return widgets.HTML(f'<div class="pm-help">{html}</div>')


def heading(text: str) -> widgets.HTML:
    return widgets.HTML(f'<div class="pm-section">{escape(text)}</div>')


def button(
    description: str, *, style: str = "", icon: str = "", tooltip: str = "", width: str = ""
) -> widgets.Button:
    """A button sized to its label (ipywidgets' default width cuts labels off)."""
    b = widgets.Button(description=description, button_style=style, icon=icon, tooltip=tooltip or description)
    b.layout.width = width or "auto"
    b.layout.flex = "0 0 auto"
    return b


__all__ = [
    "DRAFT",
    "FIELDS",
    "INPUTS",
    "TIMELINE",
    "VERSIONS",
    "Context",
    "Step",
    "button",
    "heading",
    "help_text",
]
