"""Step 1, Import: upload exports or name files on disk, pick the time zone, see how each file read.

Uploaded bytes go straight to :meth:`Session.add_upload` (which keeps them next to the incident file) and
the upload widget is emptied at once, so the notebook's saved widget state never holds file contents.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .base import FIELDS, INPUTS, TIMELINE, Context, Step, button, heading, help_text
from .render import input_statuses

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


class ImportStep(Step):
    title = "1 Import"
    depends = frozenset({INPUTS, FIELDS})

    def __init__(self, ctx: Context, *, samples: list[tuple[str, str]] | None = None) -> None:
        super().__init__(ctx)
        guard = ctx.status.guard
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

        self.samples = samples if samples is not None else sample_exports()
        self.sample = widgets.Dropdown(options=self.samples, layout=widgets.Layout(width="330px"))
        self.load_sample = button("Load sample", icon="flask", tooltip="Import this sample export")
        self.load_sample.on_click(guard("loading the sample")(self._on_sample))
        sample_row = widgets.HBox([self.sample, self.load_sample]) if self.samples else widgets.HBox()

        self.files = widgets.VBox()
        self._quiet = False
        self.widget = widgets.VBox(
            [
                help_text(
                    "Add the exports of every tool that saw the incident: PagerDuty, Opsgenie, "
                    "Datadog, Grafana, "
                    "Alertmanager, CloudWatch, Statuspage, Zendesk, Slack, CSV tables, or a pasted timeline "
                    "(<code>9:14am: Deploy finished</code>, one event a line). Formats are detected for you."
                ),
                widgets.HBox([self.upload, self.path, self.add]),
                widgets.HBox([self.zone, self.date]),
                help_text(
                    "Times without an offset are read in this zone, and the postmortem tells times in it. "
                    "The date is only needed for a pasted timeline of bare clock times."
                ),
                sample_row,
                heading("Files"),
                self.files,
            ],
            layout=widgets.Layout(padding="6px"),
        )

    # -- handlers ------------------------------------------------------------------------------------

    def _on_upload(self, change: dict[str, Any]) -> None:
        entries = change["new"]
        if not entries:
            return
        try:
            names = ", ".join(e["name"] for e in entries)
            self.ctx.status.busy(f"Importing {names} ...")
            statuses = [self.session.add_upload(e["name"], bytes(e["content"])) for e in entries]
        finally:
            self.upload.value = ()
        self._after(statuses)

    def _on_add_path(self, _: object = None) -> None:
        self.ctx.status.busy(f"Importing {self.path.value.strip()} ...")
        status = self.session.add_path(self.path.value)
        if status.ok:
            self.path.value = ""
        self._after([status])

    def _on_sample(self, _: object = None) -> None:
        if not self.sample.value:
            return
        path = Path(self.sample.value)
        self.ctx.status.busy(f"Loading the sample {path.name} ...")
        status = self.session.load_sample(path)  # all or nothing: a failure changes nothing
        self._after([status])

    def _on_zone(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        value = (change["new"] or "").strip()
        if not value or value == self.session.incident.timezone:
            return
        try:
            self.session.set_timezone(value)
        except Exception:
            self._show_zone()  # the box says the zone the incident really has
            raise
        if self.zone.value != self.session.incident.timezone:
            self.zone.value = self.session.incident.timezone
        self.ctx.notify(INPUTS, TIMELINE)
        self._report_reload("Time zone set to " + self.session.incident.timezone)

    def _show_zone(self) -> None:
        self._quiet = True
        try:
            self.zone.value = self.session.incident.timezone or "UTC"
        finally:
            self._quiet = False

    def _on_date(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self.session.set_date(change["new"])
        self.ctx.notify(INPUTS, TIMELINE)
        self._report_reload(f"Incident date set to {change['new'].strip() or '(none)'}")

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
        events = sum(s.events for s in good)
        if not bad:
            self.ctx.status.ok(f"Imported {imported}: {events} events; the timeline now has {total}.")
        elif len(statuses) == 1:
            self.ctx.status.error(bad[0].error)
        else:
            done = "".join(f" Imported {s.name} ({s.format}, {s.events} events)." for s in good)
            self.ctx.status.error(
                f"{len(bad)} of {len(statuses)} files could not be read; the errors are listed "
                f"under Files.{done}"
            )

    def refresh(self) -> None:
        incident = self.session.incident
        self._quiet = True
        try:
            self.zone.value = incident.timezone or "UTC"
            self.date.value = incident.incident_date
        finally:
            self._quiet = False
        rows: list[widgets.Widget] = []
        _ = self.session.timeline  # reads the typed response timeline when no export is listed
        for status in self.session.statuses:
            line = widgets.HTML(input_statuses([status]), layout=widgets.Layout(flex="1 1 auto"))
            if status.origin == "field":
                rows.append(line)
                continue
            label, tip = (
                ("Remove", f"Stop using {status.name}") if status.origin == "file" else ("Dismiss", "Hide")
            )
            remove = button(label, icon="times" if status.origin == "file" else "", tooltip=tip)
            remove.on_click(
                self.ctx.status.guard("removing the file")(lambda _, n=status.name: self._remove(n))
            )
            rows.append(widgets.HBox([line, remove], layout=widgets.Layout(align_items="center")))
        self.files.children = rows or [widgets.HTML(input_statuses([]))]


__all__ = ["ImportStep", "sample_exports", "zone_options"]
