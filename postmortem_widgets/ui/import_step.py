"""Step 1, Import: upload exports or name files on disk, pick the time zone, see how each file read.

Uploaded bytes go straight to :meth:`Session.add_upload` (which keeps them next to the incident file) and
the upload widget is emptied at once, so the notebook's saved widget state never holds file contents.

Each file's row says its format, events, series and (for a log) rows read, and offers its role: what the
file is, when its content suggests otherwise, and, for an export that holds several incidents, which one
is used. The window keeps only the events between two times. An import of large files
(``background_bytes`` or more) runs on another thread, so the kernel stays responsive: a progress bar shows
how far it has got, the form is locked meanwhile, and an error lands in the status area.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets

from ..timeline.telemetry.model import ROLES
from .base import FIELDS, INPUTS, TIMELINE, Context, Step, button, heading, help_text
from .render import input_statuses

if TYPE_CHECKING:
    from ..app.session import InputStatus
    from ..timeline.progress import Progress

T = TypeVar("T")

#: Imports of this many bytes or more run on another thread, with a progress bar.
BACKGROUND_BYTES = 5_000_000

#: What the upload button offers (it accepts anything; this only helps the file dialog).
ACCEPT = ".json,.ndjson,.jsonl,.csv,.tsv,.txt,.log,.md,.zip,.xlsx"
#: Zones offered first in the picker.
COMMON_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@cache
def zone_options() -> tuple[str, ...]:
    from zoneinfo import available_timezones

    rest = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return COMMON_ZONES + tuple(z for z in rest if z not in COMMON_ZONES)


#: Folders the workspace writes next to an incident: never offered as a sample export.
WORKSPACE_FOLDERS = frozenset({"uploads", "drafts", "exports", "conflicts", ".ipynb_checkpoints"})


def sample_root() -> Path:
    """The checkout's ``sample_data/`` (absent from an installed wheel, and then no sample is offered)."""
    return Path(__file__).resolve().parents[2] / "sample_data"


def sample_exports(root: Path | None = None) -> list[tuple[str, str]]:
    """(label, path) for each sample export: every file in ``sample_data/*/`` but the incident files."""
    root = root or sample_root()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("*/*")):
        if path.name.startswith(".") or path.name in ("incident.yaml", "incident.yml", "README.md"):
            continue
        if path.is_dir() and path.name in WORKSPACE_FOLDERS:
            continue
        found.append((f"{path.parent.name.replace('_', ' ').title()}: {path.name}", str(path)))
    return found


class ImportProgress:
    """The progress bar of a long import: hidden until an importer reports, redrawn at most every
    ``interval`` seconds (a widget update per batch would flood the browser)."""

    def __init__(self, *, interval: float = 0.2, clock: Callable[[], float] = time.monotonic) -> None:
        self.bar = widgets.FloatProgress(min=0.0, max=1.0, value=0.0, layout=widgets.Layout(width="260px"))
        self.label = widgets.HTML()
        self.label.add_class("pm-progress-label")
        self.widget = widgets.HBox([self.bar, self.label], layout=widgets.Layout(display="none"))
        self.widget.add_class("pm-progress")
        self.interval, self.clock = interval, clock
        self._last = -1e9
        #: The last size-based report of each file: a reader's bytes beat a summary's row count.
        self._sized: dict[str, Progress] = {}

    def __call__(self, progress: Progress) -> None:
        if progress.total:
            self._sized[progress.file] = progress
        shown = self._sized.get(progress.file, progress)
        now = self.clock()
        if now - self._last < self.interval:
            return
        self._last = now
        name = str(shown.file).replace("\\", "/").rsplit("/", 1)[-1]
        if shown.fraction is not None and shown.total:
            self.bar.value = shown.fraction
            text = f"{shown.fraction:.0%} of {shown.total / 1e6:,.1f} MB"
        else:
            text = f"{shown.done:,} {shown.unit}"
        rows = max(progress.rows, shown.rows)
        rows_text = f", {rows:,} rows" if rows and shown.unit != "rows" else ""
        self.label.value = f"Reading <b>{name}</b>: {text}{rows_text}"
        self.widget.layout.display = "flex"

    def start(self, what: str) -> None:
        self._sized.clear()
        self._last = -1e9
        self.bar.value = 0.0
        self.label.value = what
        self.widget.layout.display = "flex"

    def finish(self) -> None:
        self.widget.layout.display = "none"


class ImportStep(Step):
    title = "1 Import"
    depends = frozenset({INPUTS, FIELDS})

    def __init__(
        self,
        ctx: Context,
        *,
        samples: list[tuple[str, str]] | None = None,
        background_bytes: int = BACKGROUND_BYTES,
    ) -> None:
        super().__init__(ctx)
        guard = ctx.status.guard
        self.background_bytes = background_bytes
        #: The thread of the import running in the background, if any.
        self.worker: threading.Thread | None = None
        self.progress = ImportProgress()
        self.session.on_progress.append(self.progress)
        self.upload = widgets.FileUpload(accept=ACCEPT, multiple=True, description="Upload exports")
        self.upload.layout.width = "auto"
        self.upload.observe(guard("importing the upload")(self._on_upload), names="value")

        self.path = widgets.Text(
            placeholder="a file, folder or zip on disk, e.g. exports/pagerduty.json",
            layout=widgets.Layout(width="420px"),
        )
        self.add = button("Add path", icon="folder-open")
        self.add.on_click(guard("adding the path")(self._on_add_path))

        incident = self.session.incident
        self.zone = widgets.Combobox(
            value=incident.timezone or "UTC",
            options=zone_options(),
            ensure_option=False,
            continuous_update=False,
            description="Time zone",
            placeholder="e.g. America/New_York",
            layout=widgets.Layout(width="330px"),
        )
        self.zone.observe(guard("changing the time zone")(self._on_zone), names="value")
        self.date = widgets.Text(
            value=incident.incident_date,
            continuous_update=False,
            description="Incident date",
            placeholder="2024-04-15 (for times without a date)",
            layout=widgets.Layout(width="360px"),
        )
        self.date.style.description_width = "initial"
        self.date.observe(guard("changing the date")(self._on_date), names="value")
        self.window = widgets.Text(
            value=incident.window,
            continuous_update=False,
            description="Window",
            placeholder="keep only START..END, e.g. 14:00..16:30",
            tooltip="Keep only the events inside this span: ISO times, or clock times on the incident date",
            layout=widgets.Layout(width="360px"),
        )
        self.window.observe(guard("changing the window")(self._on_window), names="value")

        self.samples = samples if samples is not None else sample_exports()
        self.sample = widgets.Dropdown(options=self.samples, layout=widgets.Layout(width="330px"))
        self.load_sample = button("Load sample", icon="flask", tooltip="Import this sample export")
        self.load_sample.on_click(guard("loading the sample")(self._on_sample))
        sample_row = widgets.HBox([self.sample, self.load_sample]) if self.samples else widgets.HBox()

        self.files = widgets.VBox()
        self._quiet = False
        self._running = False
        self.widget = widgets.VBox(
            [
                help_text(
                    "Add the exports of every tool that saw the incident: PagerDuty, Opsgenie, "
                    "Datadog, Grafana, Alertmanager, CloudWatch, Statuspage, Sentry, Jira, incident.io, "
                    "FireHydrant, Rootly, Zendesk, Slack, Teams, Mattermost, CSV tables, or a pasted "
                    "timeline "
                    "(<code>9:14am: Deploy finished</code>, one event a line). Formats are detected for you."
                ),
                widgets.HBox([self.upload, self.path, self.add]),
                widgets.HBox([self.zone, self.date, self.window]),
                help_text(
                    "Times without an offset are read in this zone, and the postmortem tells times in it. "
                    "The date is only needed for a pasted timeline of bare clock times. The window keeps "
                    "only the events between its two times, when an export reaches beyond the incident."
                ),
                sample_row,
                self.progress.widget,
                heading("Files"),
                help_text(
                    "Each file's <b>role</b> says what it is: an incident tool's export, a machine "
                    "<b>log</b>, a <b>metric</b> export, a hand-written timeline, a chat or tickets. Logs "
                    "and metrics give the series the impact window is read from. Change it if the content "
                    "misled the detection; the file is read again. An export that holds several "
                    "incidents (a Statuspage incident list, an Opsgenie alert list over days) offers "
                    "them in its <b>incident</b> list: the most recent is used until you pick another."
                ),
                self.files,
            ],
            layout=widgets.Layout(padding="6px"),
        )

    # -- handlers ------------------------------------------------------------------------------------

    # -- running an import, here or on another thread ------------------------------------------------

    @property
    def running(self) -> bool:
        """An import is running in the background (the form is locked)."""
        return self._running

    def join(self, timeout: float | None = None) -> bool:
        """Wait for a background import; True when none is left running."""
        worker = self.worker
        if worker is not None:
            worker.join(timeout)
        return not self._running

    def _run(self, what: str, size: int, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """``done(work())``, on another thread (with the form locked) when ``size`` bytes are many."""
        self.ctx.status.busy(f"{what} ...")
        if size < self.background_bytes:
            try:
                result = work()
            finally:
                self.progress.finish()  # a quick import may have shown it too
            done(result)
            return
        self._lock(True)
        self.progress.start(f"{what} ...")

        def background() -> None:
            try:
                result = work()
            except Exception as exc:
                self._lock(False)
                self.ctx.status.report(exc, what[0].lower() + what[1:])
                self.ctx.notify(INPUTS, TIMELINE)
                return
            self._lock(False)
            self.ctx.status.guard(what[0].lower() + what[1:])(done)(result)

        self.worker = threading.Thread(target=background, name="postmortem-import", daemon=True)
        self.worker.start()

    def _controls(self) -> list[widgets.Widget]:
        rows = [w for row in self.files.children for w in getattr(row, "children", ())[1:]]
        fixed = [self.upload, self.path, self.add, self.zone, self.date, self.window]
        return [*fixed, self.sample, self.load_sample, *rows]

    def _lock(self, running: bool) -> None:
        """Lock the form while an import runs in the background (and unlock it)."""
        self._running = running
        for control in self._controls():
            control.disabled = running
        if not running:
            self.progress.finish()
        self.ctx.busy(running)

    # -- handlers ------------------------------------------------------------------------------------

    def _on_upload(self, change: dict[str, Any]) -> None:
        entries = change["new"]
        if not entries:
            return
        try:
            files = [(e["name"], bytes(e["content"])) for e in entries]
        finally:
            self.upload.value = ()
        names = ", ".join(name for name, _ in files)
        size = sum(len(data) for _, data in files)
        self._run(
            f"Importing {names}",
            size,
            lambda: [self.session.add_upload(name, data) for name, data in files],
            self._after,
        )

    def _on_add_path(self, _: object = None) -> None:
        text = self.path.value.strip()
        target = Path(text).expanduser()
        size = self.session.input_size(str(target)) if text else 0
        self._run(f"Importing {text}", size, lambda: [self.session.add_path(text)], self._added)

    def _added(self, statuses: list[InputStatus]) -> None:
        if statuses and statuses[0].ok:
            self.path.value = ""
        self._after(statuses)

    def _on_sample(self, _: object = None) -> None:
        if not self.sample.value:
            return
        path = Path(self.sample.value)
        self._run(
            f"Loading the sample {path.name}",
            path.stat().st_size if path.is_file() else 0,
            lambda: [self.session.load_sample(path)],  # all or nothing: a failure changes nothing
            self._after,
        )

    def _on_role(self, name: str, role: str) -> None:
        if self._quiet or not role or role not in ROLES:
            return
        current = next((s.role for s in self.session.statuses if s.name == name), "")
        if role == current:
            return
        self._reread(
            name,
            f"Reading {name} as {_a(role)} {role}",
            lambda: self.session.set_role(name, role),
            lambda status: f"{name} is read as {_a(role)} {role} now: {_counts(status)}.",
        )

    def _on_incident(self, name: str, incident: str) -> None:
        current = next((s.incident for s in self.session.statuses if s.name == name), "")
        if self._quiet or not incident or incident == current:
            return
        self._reread(
            name,
            f"Reading incident {incident} of {name}",
            lambda: self.session.set_incident(name, incident),
            lambda status: f"{name}: using incident {incident} now: {_counts(status)}.",
        )

    def _reread(
        self, name: str, what: str, change: Callable[[], InputStatus], said: Callable[[InputStatus], str]
    ) -> None:
        """Read one input again with ``change`` (its role or its incident), saying ``said(status)``."""

        def done(status: InputStatus) -> None:
            self.ctx.notify(INPUTS, TIMELINE)
            self.ctx.status.ok(said(status))

        try:
            self._run(what, self.session.input_size(name), change, done)
        except Exception:
            self.refresh()  # a role or incident the file cannot be read with goes back in its dropdown
            raise

    def _on_window(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        text = (change["new"] or "").strip()

        def done(_: None) -> None:
            self.ctx.notify(INPUTS, TIMELINE)
            self._report_reload(f"Window set to {text}" if text else "Window cleared")

        def work() -> None:
            try:
                self.session.set_window(text)
            except Exception:
                self._show_window()  # the box says the window the incident really has
                raise

        self._run("Reading the inputs again in the window", self._all_inputs_size(), work, done)

    def _show_window(self) -> None:
        self._quiet = True
        try:
            self.window.value = self.session.incident.window
        finally:
            self._quiet = False

    def _all_inputs_size(self) -> int:
        return sum(self.session.input_size(name) for name in self.session.incident.timeline)

    def _on_zone(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        value = (change["new"] or "").strip()
        if not value or value == self.session.incident.timezone:
            return

        def done(_: None) -> None:
            if self.zone.value != self.session.incident.timezone:
                self._show_zone()
            self.ctx.notify(INPUTS, TIMELINE)
            self._report_reload("Time zone set to " + self.session.incident.timezone)

        def work() -> None:
            try:
                self.session.set_timezone(value)
            except Exception:
                self._show_zone()  # the box says the zone the incident really has
                raise

        self._run(f"Reading the inputs again in {value}", self._all_inputs_size(), work, done)

    def _show_zone(self) -> None:
        self._quiet = True
        try:
            self.zone.value = self.session.incident.timezone or "UTC"
        finally:
            self._quiet = False

    def _on_date(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        text = change["new"]

        def done(_: None) -> None:
            self.ctx.notify(INPUTS, TIMELINE)
            self._report_reload(f"Incident date set to {text.strip() or '(none)'}")

        self._run(
            "Setting the incident date", self._all_inputs_size(), lambda: self.session.set_date(text), done
        )

    def _remove(self, name: str) -> None:
        self.session.remove_input(name)
        self.ctx.notify(INPUTS, TIMELINE)
        self.ctx.status.info(f"Removed {name} from the timeline (the file itself is kept).")

    # -- drawing -------------------------------------------------------------------------------------

    def _report_reload(self, what: str) -> None:
        bad = [s for s in self.session.statuses if not s.ok]
        if bad:
            self.ctx.status.error(f"{what}; {len(bad)} file(s) could not be read: {bad[0].error}")
        else:
            self.ctx.status.ok(f"{what}; {len(self.session.timeline.events)} events.")

    def _after(self, statuses: list[Any]) -> None:
        self.ctx.notify(INPUTS, TIMELINE)
        good = [s for s in statuses if s.ok]
        bad = [s for s in statuses if not s.ok]
        total = len(self.session.timeline.events)
        imported = ", ".join(f"{s.name} ({s.format})" for s in good)
        if not bad:
            self.ctx.status.ok(f"Imported {imported}: {_counts(*good)}; the timeline now has {total}.")
        elif len(statuses) == 1:
            self.ctx.status.error(bad[0].error)
        else:
            done = "".join(f" Imported {s.name} ({s.format}, {s.events} events)." for s in good)
            self.ctx.status.error(
                f"{len(bad)} of {len(statuses)} files could not be read; the errors are listed "
                f"under Files.{done}"
            )

    def _role_picker(self, status: InputStatus) -> widgets.Dropdown:
        """What the file is: one of the roles (a zip of mixed exports shows its mix until one is picked)."""
        options = [(role, role) for role in ROLES]
        if status.role not in ROLES:
            options.insert(0, (status.role or "?", status.role))
        picker = widgets.Dropdown(
            options=options,
            value=status.role,
            description="role",
            tooltip=f"What {status.name} is (read again as the role you pick)",
            layout=widgets.Layout(width="170px", flex="0 0 auto"),
        )
        picker.style.description_width = "32px"
        picker.add_class("pm-role")
        picker.observe(
            self.ctx.status.guard("changing the role")(lambda ch, n=status.name: self._on_role(n, ch["new"])),
            names="value",
        )
        return picker

    def _incident_picker(self, status: InputStatus) -> widgets.Dropdown:
        """Which of the incidents an export holds is used (listed newest first, as the warning does)."""
        picker = widgets.Dropdown(
            options=status.incidents,
            value=status.incident,
            description="incident",
            tooltip=f"{status.name} holds {len(status.incidents)} incidents: the one the timeline uses",
            layout=widgets.Layout(width="340px", flex="0 0 auto"),
        )
        picker.style.description_width = "56px"
        picker.add_class("pm-incident")
        picker.observe(
            self.ctx.status.guard("choosing the incident")(
                lambda ch, n=status.name: self._on_incident(n, ch["new"])
            ),
            names="value",
        )
        return picker

    def _row(self, status: InputStatus) -> widgets.Widget:
        line = widgets.HTML(input_statuses([status]), layout=widgets.Layout(flex="1 1 auto"))
        if status.origin == "field":
            return line
        label, tip = (
            ("Remove", f"Stop using {status.name}") if status.origin == "file" else ("Dismiss", "Hide")
        )
        remove = button(label, icon="times" if status.origin == "file" else "", tooltip=tip)
        remove.on_click(self.ctx.status.guard("removing the file")(lambda _, n=status.name: self._remove(n)))
        controls: list[widgets.Widget] = [self._role_picker(status)] if status.origin == "file" else []
        if status.origin == "file" and len(status.incidents) > 1:
            controls.append(self._incident_picker(status))
        for control in [*controls, remove]:
            control.disabled = self._running
        return widgets.HBox([line, *controls, remove], layout=widgets.Layout(align_items="center"))

    def refresh(self) -> None:
        incident = self.session.incident
        self._quiet = True
        try:
            self.zone.value = incident.timezone or "UTC"
            self.date.value = incident.incident_date
            self.window.value = incident.window
            _ = self.session.timeline  # reads the typed response timeline when no export is listed
            rows = [self._row(status) for status in self.session.statuses]
            self.files.children = rows or [widgets.HTML(input_statuses([]))]
        finally:
            self._quiet = False


def _a(role: str) -> str:
    """The article before a role's name."""
    return "an" if role[:1] in "aeiou" else "a"


def _counts(*statuses: InputStatus) -> str:
    """``3 events, 3 series, 20,004 rows``: what inputs gave, as the status line says it."""
    events = sum(s.events for s in statuses)
    series = sum(s.series for s in statuses)
    rows = [s.rows for s in statuses if s.rows is not None]
    parts = [f"{events:,} event{'s' if events != 1 else ''}"]
    if series:
        parts.append(f"{series} series")
    if rows:
        parts.append(f"{sum(rows):,} rows")
    return ", ".join(parts)


__all__ = ["BACKGROUND_BYTES", "ImportProgress", "ImportStep", "sample_exports", "zone_options"]
