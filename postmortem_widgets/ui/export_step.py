"""Step 7, Export and versions: HTML, PDF, Markdown and email with download links; save, list, diff, restore.

Each export is written next to the incident (``exports/``) and offered as a download link that carries
the file itself (a ``data:`` URI), so it works however the notebook server maps paths.
"""

from __future__ import annotations

import base64
import re
import time
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..export.api import FORMATS
from .base import DRAFT, EDITED, TIMELINE, VERSIONS, Context, Step, button, heading, help_text
from .render import table_html

#: (button label, format, MIME type); the suffix is the export's own (``FORMATS``).
EXPORTS: tuple[tuple[str, str, str], ...] = (
    ("HTML", "html", "text/html"),
    ("PDF", "pdf", "application/pdf"),
    ("Markdown", "md", "text/markdown"),
    ("Email", "email", "message/rfc822"),
)
EXPORTS_DIR = "exports"


def slug(text: str) -> str:
    """A file-name stem: ``Anchor Analytics`` -> ``anchor-analytics``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "incident"


def export_stem(audience: str) -> str:
    """What an export's file name ends in before its suffix: the internal version's never passes for a
    customer's (``-postmortem-internal.pdf``)."""
    return "-postmortem-internal" if audience == "internal" else "-postmortem"


def download_link(name: str, data: bytes, mime: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    size = f"{len(data) / 1024:.0f} KB" if len(data) >= 1024 else f"{len(data)} bytes"
    return (
        f'<a class="pm-download" download="{escape(name)}" href="data:{mime};base64,{encoded}" '
        f'data-format="{escape(name.rsplit(".", 1)[-1])}">⬇ {escape(name)}</a> <span '
        f'class="pm-help">({size})</span>'
    )


def versions_html(versions: list[Any]) -> str:
    if not versions:
        return (
            '<div class="pm-empty">No versions yet. Generating a draft saves one; so does Save version.</div>'
        )
    rows = []
    for v in reversed(versions):
        by = v.model or v.drafter or ""
        review = v.review or {}
        checked = (
            f"{review.get('errors', 0)} errors, {review.get('warnings', 0)} warnings"
            if isinstance(review, dict) and review
            else ""
        )
        local = v.created.astimezone().strftime("%Y-%m-%d %H:%M")
        rows.append(
            f"<tr><td>{v.number}</td><td class='pm-time'>{local}</td><td>{escape(v.author)}</td>"
            f"<td>{escape(by)}</td><td>{escape(v.note or '')}</td><td>{escape(checked)}</td></tr>"
        )
    headings = ("#", "Saved", "Author", "Drafted by", "Note", "Review")
    return table_html(headings, rows, style="max-height:220px")


def warnings_html(warnings: list[str], *, shown: int = 8) -> str:
    """What the drafts folder listing skipped, one line each (the rest counted)."""
    lines = [f'<div class="pm-warn">⚠ {escape(w)}</div>' for w in warnings[:shown]]
    if len(warnings) > shown:
        lines.append(f'<div class="pm-warn">… and {len(warnings) - shown} more</div>')
    return "".join(lines)


def diff_html(diff: str) -> str:
    if not diff.strip():
        return '<div class="pm-empty">The two versions are identical.</div>'
    out = []
    for line in diff.splitlines():
        cls = "add" if line.startswith("+") and not line.startswith("+++") else ""
        cls = cls or ("del" if line.startswith("-") and not line.startswith("---") else "")
        cls = cls or ("hunk" if line.startswith("@@") else "")
        out.append(f'<span class="{cls}">{escape(line) or " "}</span>' if cls else escape(line) + "\n")
    return '<div class="pm-diff">' + "".join(out) + "</div>"


class ExportStep(Step):
    title = "7 Export & versions"
    depends = frozenset({DRAFT, EDITED, TIMELINE, VERSIONS})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        guard = ctx.status.guard
        self.buttons: dict[str, widgets.Button] = {}
        for label, fmt, _ in EXPORTS:
            b = button(label, icon="download", tooltip=f"Export the draft as {label}")
            b.on_click(guard(f"exporting {label}")(lambda _, f=fmt: self.export(f)))
            self.buttons[fmt] = b
        self.force = widgets.Checkbox(value=False, description="Export even with review errors", indent=False)
        self.force.layout.width = "auto"
        #: On whenever the timeline gains an impact window; an author's untick stands until it changes.
        self.figure = widgets.Checkbox(value=False, description="Include the impact figure", indent=False)
        self.figure.layout.width = "auto"
        self._had_impact: bool | None = None
        self.links = widgets.HTML()
        self.links.add_class("pm-links")
        self._links: dict[str, str] = {}
        #: The audience the links were made for: switching on the Draft step offers that one's exports.
        self._links_audience = self.session.audience
        self.audience_note = widgets.HTML()

        from ..store import default_author

        self.author = widgets.Text(
            value=default_author(), description="Author", layout=widgets.Layout(width="240px")
        )
        self.note = widgets.Text(placeholder="what changed (optional)", layout=widgets.Layout(width="300px"))
        self.save = button("Save version", style="success", icon="save")
        self.save.on_click(guard("saving the version")(self._on_save))
        self.table = widgets.HTML()
        self.a = widgets.Dropdown(description="Compare", layout=widgets.Layout(width="200px"))
        self.b = widgets.Dropdown(description="with", layout=widgets.Layout(width="170px"))
        self.b.style.description_width = "40px"
        self.show_diff = button("Show diff", icon="columns")
        self.show_diff.on_click(guard("comparing versions")(self._on_diff))
        self.pick = widgets.Dropdown(description="Version", layout=widgets.Layout(width="200px"))
        self.restore = button("Restore", icon="undo", tooltip="Bring this version back into the editor")
        self.restore.on_click(guard("restoring the version")(self._on_restore))
        self.diff = widgets.HTML()
        self.widget = widgets.VBox(
            [
                help_text(
                    "Exports are written to <code>exports/</code> next to the incident file and offered for "
                    "download. A draft with review errors is not exported unless you say so."
                ),
                self.audience_note,
                widgets.HBox(
                    [*self.buttons.values(), self.force, self.figure],
                    layout=widgets.Layout(align_items="center"),
                ),
                self.links,
                heading("Versions"),
                widgets.HBox([self.author, self.note, self.save]),
                self.table,
                widgets.HBox(
                    [self.a, self.b, self.show_diff, self.pick, self.restore],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.diff,
            ],
            layout=widgets.Layout(padding="6px"),
        )

    # -- export --------------------------------------------------------------------------------------

    def export(self, fmt: str) -> Path:
        """Write the draft as ``fmt`` next to the incident and offer it for download."""
        session = self.session
        session.flush()
        if not session.draft.strip():
            from ..errors import InputError

            raise InputError(
                "there is no draft to export yet", hint="generate or write one on the Draft step"
            )
        label, _, mime = next(e for e in EXPORTS if e[1] == fmt)
        suffix = FORMATS[fmt]
        incident = session.filled()
        stem = slug(incident.product_name or session.path.parent.name)
        name = f"{stem}{export_stem(session.audience)}{suffix}"
        path = session.folder / EXPORTS_DIR / name
        self.ctx.status.busy(f"Exporting {label} ...")
        for b in self.buttons.values():
            b.disabled = True
        started = time.monotonic()
        from ..errors import ReviewBlockedError

        try:
            session.export_draft(path, fmt, force=self.force.value, figure=self.figure.value)
        except ReviewBlockedError as exc:
            exc.hint = "fix them on the Review step, or tick “Export even with review errors”"
            raise
        finally:
            for b in self.buttons.values():
                b.disabled = False
        self._links[fmt] = download_link(name, path.read_bytes(), mime)
        self.links.value = (
            "<div>" + " ".join(self._links[f] for _, f, _ in EXPORTS if f in self._links) + "</div>"
        )
        shown = path.relative_to(session.folder).as_posix()
        self.ctx.status.ok(
            f"Exported {label} in {time.monotonic() - started:.1f} s: {shown} (download link below)."
        )
        return path

    # -- versions ------------------------------------------------------------------------------------

    def _on_save(self, _: object = None) -> None:
        if self.save.disabled:
            return  # a second click while the first is saving
        self.save.disabled = True
        try:
            before = self.session.draft_base
            version = self.session.save_version(
                author=self.author.value.strip() or None, note=self.note.value.strip()
            )
        finally:
            self.save.disabled = not self.session.draft.strip()
        self.note.value = ""
        self.ctx.notify(VERSIONS)
        if version.number == before:
            self.ctx.status.info(f"The draft is already saved as version {version.number}: nothing changed.")
        else:
            self.ctx.status.ok(f"Saved version {version.number}.")

    def _on_diff(self, _: object = None) -> None:
        if self.a.value is None or self.b.value is None:
            self.ctx.status.warning("Save at least one version to compare.")
            return
        self.diff.value = diff_html(self.session.diff_versions(self.a.value, self.b.value))
        self.ctx.status.info(f"Showing the changes from version {self.a.value} to version {self.b.value}.")

    def _on_restore(self, _: object = None) -> None:
        number = self.pick.value
        if number is None:
            return
        session = self.session
        kept = session.keep_draft("kept before restoring")
        if kept is not None:
            self.ctx.status.info(f"Your current text is kept as version {kept.number}.")
        version = session.restore_version(number, author=self.author.value.strip() or None)
        self.ctx.notify(DRAFT, VERSIONS)
        self.ctx.status.ok(f"Restored version {number} as version {version.number}; it is in the editor.")

    def _links_on_disk(self) -> None:
        """The exports already written for this incident (a reopened form offers them again)."""
        folder = self.session.folder / EXPORTS_DIR
        if self._links or not folder.is_dir():
            return
        stem = export_stem(self.session.audience)
        for _, fmt, mime in EXPORTS:
            found = sorted(folder.glob(f"*{stem}{FORMATS[fmt]}"), key=lambda p: p.stat().st_mtime)
            if found:
                self._links[fmt] = download_link(found[-1].name, found[-1].read_bytes(), mime)
        if self._links:
            self.links.value = (
                "<div>" + " ".join(self._links[f] for _, f, _ in EXPORTS if f in self._links) + "</div>"
            )

    def _figure_choice(self) -> None:
        """The figure is offered only with an impact window, and ticked when one appears."""
        has = self.session.has_impact
        if has != self._had_impact:
            self._had_impact, self.figure.value = has, has
        self.figure.disabled = not has
        self.figure.tooltip = (
            "The report shows the impact figure (HTML, PDF) or its line of evidence (Markdown, email)"
            if has
            else "There is no impact window: import monitoring data and pick a signal on the Timeline step"
        )

    def refresh(self) -> None:
        if self._links_audience != self.session.audience:
            self._links, self._links_audience, self.links.value = {}, self.session.audience, ""
        self.audience_note.value = (
            '<div class="pm-warn">Exporting the <b>internal</b> version, for the engineering team: names, '
            "hosts and event ids are kept and every page is marked INTERNAL. Switch to “For customers” on "
            "the Draft step for the customer version.</div>"
            if self.session.audience == "internal"
            else ""
        )
        self._figure_choice()
        self._links_on_disk()
        versions = self.session.versions()
        self.table.value = versions_html(versions) + warnings_html(self.session.draft_warnings())
        numbers = [(f"version {v.number}", v.number) for v in reversed(versions)]
        for dropdown, default in ((self.a, 1), (self.b, 0), (self.pick, 1)):
            current = dropdown.value
            dropdown.options = numbers
            values = [n for _, n in numbers]
            if current in values:
                dropdown.value = current
            elif values:
                dropdown.value = values[min(default, len(values) - 1)]
        self.save.disabled = not self.session.draft.strip()


__all__ = [
    "ExportStep",
    "diff_html",
    "download_link",
    "export_stem",
    "slug",
    "versions_html",
    "warnings_html",
]
