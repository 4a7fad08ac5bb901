"""The workspace widget: a header, the status area and the seven steps as tabs.

``Workspace.open("incident.yaml")`` is all a notebook needs. A bad or missing file does not raise: the
form opens with the error in its status area and a box to open or start another incident.
"""

from __future__ import annotations

import asyncio
import importlib
import weakref
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import CInt

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
#: How often an open form looks for what others saved (a stat of two files, usually).
POLL_SECONDS = 2.0
#: The live workspace of each incident file in this kernel: re-running the cell shows it again.
_OPEN: weakref.WeakValueDictionary[Path, Workspace] = weakref.WeakValueDictionary()
#: Shown only when the form is not connected to a running kernel (JupyterLab marks its views).
DEAD_FORM = (
    '<div class="pm-dead" role="alert">This form is not connected to a running kernel, so nothing typed '
    "here is saved. Run the cell again (Shift+Enter) to bring it back: it reopens this notebook's last "
    "incident, with everything that was saved.</div>"
)


_WARMED: list[bool] = []


def _warm_up_pdf_once() -> None:
    """Once the form shows, get the PDF renderer ready in the background (first export: 13 s -> 0.6 s)."""
    if not _WARMED:
        _WARMED.append(True)
        from ..export import warm_up_pdf

        warm_up_pdf()


class StepTabs(widgets.Tab):  # type: ignore[misc]
    """Tabs whose selection is each browser view's own: a click in one view does not move the others."""

    selected_index = CInt(allow_none=True, default_value=None).tag(sync=True, echo_update=False)


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
        #: Remember each incident opened here as the notebook's last (a form the notebook resumed).
        self.remember = False
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
        self.tabs = StepTabs()
        self.tabs.observe(self.status.guard("showing the step")(self._on_tab), names="selected_index")
        header = widgets.HBox(
            [self.title, widgets.HBox([self.path_box, self.open_button, self.new_button])],
            layout=widgets.Layout(
                justify_content="space-between", align_items="center", flex_flow="row wrap"
            ),
        )
        self.team = widgets.HTML()
        self.team.add_class("pm-team")
        self.conflict_box = widgets.VBox()
        self.widget = widgets.VBox(
            [
                stylesheet(),
                widgets.HTML(DEAD_FORM),
                header,
                self.status.widget,
                self.team,
                self.conflict_box,
                self.tabs,
            ]
        )
        self.widget.add_class("pm-workspace")
        self._poller: asyncio.TimerHandle | None = None
        self._presence: Any = None
        if session is not None:
            self.load(session)
        else:
            self._draw_title()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- opening -------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, **options: Any) -> Workspace:
        """The workspace for an incident file (created empty if it does not exist yet).

        In a kernel that already has this incident open, that live form is shown again (re-running the
        cell must not leave two forms on one file, nor close widgets an output still shows), after taking
        in whatever was saved meanwhile.
        """
        live = _OPEN.get(Path(path).expanduser().resolve())
        if live is not None and live.session is not None and not options:
            live.poll()
            return live
        workspace = cls(path=path, **options)
        workspace.status.busy(f"Opening {path} ...")
        try:
            workspace.load(Session.open(path, **workspace._options_for(Session)))
        except Exception as exc:
            workspace.status.report(exc, f"opening {path}")
        return workspace

    @classmethod
    def resume(cls, default: str | Path, **options: Any) -> Workspace:
        """The incident this notebook had open last (kept next to the notebook), else ``default``.

        ``POSTMORTEM_INCIDENT`` (set by ``postmortem lab INCIDENT``) wins over both. So restarting the
        kernel and running the cell again reopens the incident the author was working on.
        """
        import os

        from ..app.recent import last_incident

        chosen = os.environ.get("POSTMORTEM_INCIDENT") or last_incident() or default
        workspace = cls.open(chosen, **options)
        workspace.remember = True
        if workspace.session is not None:
            from ..app.recent import remember_incident

            remember_incident(workspace.session.path)
        return workspace

    @classmethod
    def new(cls, path: str | Path, **options: Any) -> Workspace:
        """A workspace on a new, empty incident file at ``path``."""
        workspace = cls(path=path, **options)
        workspace._on_new()
        return workspace

    def load(self, session: Session) -> None:
        """Show ``session``: build the steps and draw the first one."""
        from ..app.presence import Presence
        from ..app.recent import remember_incident
        from ..store import default_author

        self.close_steps()
        self.session = session
        self.path_box.value = str(session.path)
        for key in [k for k, v in _OPEN.items() if v is self]:
            del _OPEN[key]  # this form now shows another incident
        _OPEN[session.path.resolve()] = self
        if self.remember:
            remember_incident(session.path)
        session.on_merged.append(self._on_merged)
        self._presence = Presence(session.store.folder, default_author())
        self._presence.beat()
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
        self._draw_team()
        self._guard_routes()
        self._start_polling()
        _warm_up_pdf_once()

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
        """Mark the steps that depend on ``changes`` stale and redraw the visible one.

        Each browser view has its own tab, so the kernel cannot know which steps are on screen: a change
        other than typing also redraws every step a view has opened.
        """
        for step in self.steps:
            if step.depends & set(changes):
                step.stale = True
        if FIELDS in changes or INPUTS in changes or TIMELINE in changes:
            self._draw_title()
        self.show_current()
        if set(changes) - {EDITED}:
            for step in self.steps:
                if step.stale and step.opened:
                    self._show(step)

    def show_current(self) -> None:
        index = self.tabs.selected_index
        if index is not None and 0 <= index < len(self.steps):
            self._show(self.steps[index])

    def _show(self, step: Step) -> None:
        try:
            step.show()
        except PostmortemError as exc:
            self.status.report(exc, f"showing {step.title}")

    def _on_tab(self, _: dict[str, Any]) -> None:
        if not self._loading:
            for step in self.steps:
                step.settle()  # what was typed a moment ago is saved before the next step reads it
            if self.status.level == "ok":
                self.status.info(self.status.text)  # about the last step: no longer a fresh green tick
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
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        if self._presence is not None:
            self._presence.leave()

    # -- the team: others' saves, conflicts, who else is here ------------------------------------------

    def _start_polling(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no kernel loop (a test, a script): call poll() yourself
            return
        if self._poller is not None:
            self._poller.cancel()
        self._poller = loop.call_later(POLL_SECONDS, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            self.poll()
        except Exception as exc:  # a timer's error would vanish: show it
            self.status.report(exc, "looking for what others saved")
        finally:
            self._poller = loop.call_later(POLL_SECONDS, self._tick, loop)

    def poll(self) -> None:
        """Take in what others saved (incident fields merged, the working copy without RTC) and show who
        else has the incident open."""
        session = self.session
        if session is None:
            return
        session.sync()
        for step in self.steps:
            poller = getattr(step, "poll", None)
            if poller is not None:
                poller()
        if self._presence is not None:
            self._presence.beat()
        self._draw_team()
        self._guard_routes()

    def _guard_routes(self) -> None:
        """This form's widget messages are handled on the main shell (see :mod:`.routes`)."""
        from .routes import guard_routes, tree

        guard_routes(tree(self.widget))

    def _on_merged(self, merge: Any) -> None:
        # Redrawing saves what was typed here meanwhile ("Saved ..."): the line says that and what came in.
        with self.status.together():
            self.notify(INPUTS, TIMELINE, FIELDS)
            taken = ", ".join(k.replace("_", " ") for k in merge.theirs)
            if taken:
                self.status.info(f"Took in what someone else saved to the incident file: {taken}.")
        self._draw_conflicts()

    def _draw_team(self) -> None:
        from .team import team_html

        session = self.session
        if session is None:
            return
        forms = self._presence.others() if self._presence is not None else []
        draft = next((s for s in self.steps if hasattr(s, "shared")), None)
        shared = getattr(draft, "shared", None)
        peers = shared.text.peers() if shared is not None else []
        why_local = shared.why_local if shared is not None else ""
        value = team_html(forms, [p for p in peers if not p.form], why_local=why_local)
        if self.team.value != value:
            self.team.value = value

    def _draw_conflicts(self) -> None:
        from .team import conflict_rows

        session = self.session
        if session is None:
            return
        self.conflict_box.children = conflict_rows(session, self.status, on_resolved=self._on_resolved)

    def _on_resolved(self) -> None:
        self.notify(INPUTS, TIMELINE, FIELDS)
        self._draw_conflicts()


__all__ = ["StepTabs", "Workspace"]
