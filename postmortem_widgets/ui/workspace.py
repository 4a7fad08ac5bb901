"""The workspace widget: a header, the status area and the seven steps as tabs.

``Workspace.open("incident.yaml")`` is all a notebook needs. A bad or missing file does not raise: the
form opens with the error in its status area and a box to open or start another incident.
"""

from __future__ import annotations

import importlib
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..app.session import Session
from ..errors import PostmortemError
from .base import DRAFT, EDITED, FIELDS, INPUTS, TIMELINE, VERSIONS, Context, Step, button
from .status import Status
from .style import stylesheet

#: (module, class) of each step, in the order the author walks through them.
STEPS: tuple[tuple[str, str], ...] = (
    ("import_step", "ImportStep"),
    ("timeline_step", "TimelineStep"),
    ("details_step", "DetailsStep"),
    ("prompt_step", "PromptStep"),
    ("draft_step", "DraftStep"),
    ("review_step", "ReviewStep"),
    ("export_step", "ExportStep"),
)
EVERYTHING = (INPUTS, TIMELINE, FIELDS, DRAFT, EDITED, VERSIONS)


def _step_classes() -> list[type[Step]]:
    """The step classes, imported when a workspace first opens an incident (they pull in pandas)."""
    return [getattr(importlib.import_module(f"{__package__}.{module}"), name) for module, name in STEPS]


def short_path(path: Path) -> str:
    """``folder/incident.yaml``: enough to recognise an incident without a long absolute path."""
    return "/".join(path.parts[-2:])


class Workspace:
    """The postmortem authoring form for one incident file.

    It is not itself a widget (``Widget.open`` is taken by the comm machinery): it displays its
    :attr:`widget`, a VBox, when it is the last value of a cell.
    """

    def __init__(
        self, session: Session | None = None, *, path: str | Path | None = None, **options: Any
    ) -> None:
        self.status = Status()
        self.options = options
        self.session: Session | None = None
        self.steps: list[Step] = []
        self._loading = False
        self.title = widgets.HTML()
        self.title.add_class("pm-title")
        self.path_box = widgets.Text(
            value=str(path or (session.path if session else "")),
            placeholder="path/to/incident.yaml",
            description="Incident file",
            layout=widgets.Layout(width="460px"),
        )
        self.path_box.style.description_width = "initial"
        self.open_button = button("Open", icon="folder-open", tooltip="Open this incident file")
        self.new_button = button(
            "New incident",
            icon="plus",
            tooltip="Start an empty incident file at this path (it must not exist yet)",
        )
        self.open_button.on_click(self.status.guard("opening the incident")(self._on_open))
        self.new_button.on_click(self.status.guard("starting a new incident")(self._on_new))
        self.tabs = widgets.Tab()
        self.tabs.observe(self.status.guard("showing the step")(self._on_tab), names="selected_index")
        header = widgets.HBox(
            [self.title, widgets.HBox([self.path_box, self.open_button, self.new_button])],
            layout=widgets.Layout(
                justify_content="space-between", align_items="center", flex_flow="row wrap"
            ),
        )
        self.widget = widgets.VBox([stylesheet(), header, self.status.widget, self.tabs])
        self.widget.add_class("pm-workspace")
        if session is not None:
            self.load(session)
        else:
            self._draw_title()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- opening -------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, **options: Any) -> Workspace:
        """The workspace for an incident file (created empty if it does not exist yet)."""
        workspace = cls(path=path, **options)
        workspace.status.busy(f"Opening {path} ...")
        try:
            workspace.load(Session.open(path, **workspace._options_for(Session)))
        except Exception as exc:
            workspace.status.report(exc, f"opening {path}")
        return workspace

    @classmethod
    def new(cls, path: str | Path, **options: Any) -> Workspace:
        """A workspace on a new, empty incident file at ``path``."""
        workspace = cls(path=path, **options)
        workspace._on_new()
        return workspace

    def load(self, session: Session) -> None:
        """Show ``session``: build the steps and draw the first one."""
        self.close_steps()
        self.session = session
        self.path_box.value = str(session.path)
        ctx = Context(session, self.status, self.notify)
        ctx.on_busy.append(self._busy)
        self.steps = [cls(ctx, **self._options_for(cls)) for cls in _step_classes()]
        self._loading = True
        try:
            self.tabs.children = [s.widget for s in self.steps]
            self.tabs.titles = [s.title for s in self.steps]
            self.tabs.selected_index = 1 if len(session.timeline.events) else 0
        finally:
            self._loading = False
        self.notify(*EVERYTHING)
        self._greet()

    def _busy(self, running: bool) -> None:
        """Lock the tabs and the incident switcher while an import runs in the background."""
        self.open_button.disabled = self.new_button.disabled = running
        if running:
            self.widget.add_class("pm-busy")
        else:
            self.widget.remove_class("pm-busy")

    def _options_for(self, cls: type) -> dict[str, Any]:
        """The options (``Workspace.open(path, **options)``) that ``cls`` accepts: injected for tests."""
        import inspect

        accepted = inspect.signature(cls).parameters
        return {k: v for k, v in self.options.items() if k in accepted}

    def _greet(self) -> None:
        session = self.session
        assert session is not None
        timeline = session.timeline
        bad = [s for s in session.statuses if not s.ok]
        name = short_path(session.path)
        if bad:
            self.status.error(f"Opened {name}, but an input could not be read: {bad[0].error}")
        elif len(timeline.events):
            self.status.ok(
                f"Opened {name}: {len(timeline.events)} events from {len(session.statuses)} input(s). "
                "Check the milestones below, then fill in the Details."
            )
        else:
            self.status.info(
                f"Opened {name}. Start by importing the exports of the tools that saw the incident."
            )

    def _on_open(self, _: object = None) -> None:
        path = self.path_box.value.strip()
        if not path:
            self.status.error(
                "Type the path of an incident file first, e.g. ../incidents/2024-04-15/incident.yaml"
            )
            return
        self.status.busy(f"Opening {path} ...")
        self.load(Session.open(self._open_path(path, must_exist=True), **self._options_for(Session)))

    def _on_new(self, _: object = None) -> None:
        path = self._open_path(self.path_box.value.strip() or "incident.yaml", must_exist=False)
        if path.exists():
            from ..errors import InputError

            raise InputError(
                "this incident file already exists", file=str(path), hint="press Open to work on it"
            )
        self.load(Session.open(path, **self._options_for(Session)))
        self.status.ok(f"Started a new incident in {path}. Import its exports to begin.")

    @staticmethod
    def _open_path(text: str, *, must_exist: bool) -> Path:
        path = Path(text).expanduser()
        if path.is_dir():
            path = path / "incident.yaml"
        if must_exist and not path.exists():
            from ..errors import InputError

            raise InputError(
                "no such incident file", file=str(path), hint="check the path, or press New incident"
            )
        return path

    # -- changes -------------------------------------------------------------------------------------

    def notify(self, *changes: str) -> None:
        """Mark the steps that depend on ``changes`` stale and redraw the visible one."""
        for step in self.steps:
            if step.depends & set(changes):
                step.stale = True
        if FIELDS in changes or INPUTS in changes or TIMELINE in changes:
            self._draw_title()
        self.show_current()

    def show_current(self) -> None:
        index = self.tabs.selected_index
        if index is not None and 0 <= index < len(self.steps):
            try:
                self.steps[index].show()
            except PostmortemError as exc:
                self.status.report(exc, f"showing {self.steps[index].title}")

    def _on_tab(self, _: dict[str, Any]) -> None:
        if not self._loading:
            self.show_current()

    def select(self, title_part: str) -> Step:
        """Show the step whose title contains ``title_part`` (e.g. ``"Draft"``) and return it."""
        for i, step in enumerate(self.steps):
            if title_part.lower() in step.title.lower():
                self.tabs.selected_index = i
                return step
        raise KeyError(title_part)

    def step(self, title_part: str) -> Step:
        """The step whose title contains ``title_part``, without showing it."""
        return next(s for s in self.steps if title_part.lower() in s.title.lower())

    def _draw_title(self) -> None:
        if self.session is None:
            self.title.value = (
                "<h2>Postmortem workspace</h2><div class='pm-sub'>Open or start an incident.</div>"
            )
            return
        incident = self.session.filled()
        name = incident.product_name or "New incident"
        when = incident.incident_date or "date not known yet"
        self.title.value = (
            f"<h2>{escape(name)} — postmortem</h2><div class='pm-sub'>{escape(when)} · "
            f"{escape(self.session.incident.timezone or 'UTC')}</div>"
        )

    def close_steps(self) -> None:
        """Stop background work and save anything pending (before switching incidents)."""
        for step in self.steps:
            closer = getattr(step, "close_step", None)
            if closer is not None:
                closer()


__all__ = ["Workspace"]
