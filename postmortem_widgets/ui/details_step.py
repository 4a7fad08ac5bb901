"""Step 3, Details: the seed's 11 fields, prefilled from the timeline where it can, each with the seed's help.

A value derived from the timeline is shown but not written to the incident file until the author edits
it, so it keeps following the timeline; the author's own words always win. Under each field, as the
author types, how the draft will read it (:func:`~postmortem_widgets.writing.preview.how_it_reads`) and a
one-line hint when it is too terse or too technical for customers.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import ipywidgets as widgets

from ..incident.record import FIELDS
from ..writing.preview import FieldPreview, duration_adjective, how_it_reads
from .base import FIELDS as FIELDS_CHANGED
from .base import INPUTS, TIMELINE, Context, Step, help_text
from .debouncer import LoopDebouncer

#: Label, help (the seed's own guidance and tips) and an example from the seed's worked example.
FIELD_HELP: dict[str, tuple[str, str, str]] = {
    "product_name": ("Product or service", "The name customers know it by.", "Anchor Analytics"),
    "incident_date": ("Incident date", "The day it started, written out.", "April 15, 2024"),
    "incident_duration": (
        "Duration",
        "How long customers were affected, with the window in your zone.",
        "2 hours 33 minutes (9:14am – 11:47am ET)",
    ),
    "affected_scope": (
        "Who was affected",
        "Which customers, plans or regions, and roughly how many.",
        "all Professional and Enterprise customers (approximately 200 accounts)",
    ),
    "customer_experience": (
        "What customers experienced",
        "What they saw, and what kept working.",
        "dashboards showed data from the previous day; exports and API were unaffected",
    ),
    "root_cause": (
        "Root cause",
        "Technical, but written accessibly: “a routine software update introduced a configuration error”, "
        "not “a null pointer exception in the load balancer”. Blame no individual.",
        "a routine cache deployment failed silently and served the previous day's snapshot",
    ),
    "detection": (
        "Detection",
        "How and when you became aware. The most trust-building sentence is often the honest admission "
        "of a monitoring gap: “we found out because a customer told us.”",
        "detected at 9:42am via a customer-submitted support ticket",
    ),
    "response_timeline": (
        "Response timeline",
        "Key events, one a line: when detected, when first action taken, when resolved. Include when the "
        "first customer reported it, even if that line is uncomfortable.",
        "9:42am: First customer support ticket received",
    ),
    "remediation": (
        "Remediation",
        "What you did to fix it.",
        "rolled back the cache deployment and rebuilt the cache",
    ),
    "prevention": (
        "Prevention",
        "What you're changing so it doesn't happen again. Be specific: “we're improving our monitoring” is "
        "not a change; “we're adding a cache accuracy check to every deployment” is.",
        "adding automated cache accuracy validation to the deployment pipeline",
    ),
    "data_impact": (
        "Data or security impact",
        "Known data or security impact, if any. Say so plainly when there was none.",
        "no data was lost or corrupted",
    ),
}
_ROWS = {"response_timeline": 7, "root_cause": 4, "prevention": 4, "detection": 3, "customer_experience": 3}
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def reads_html(preview: FieldPreview) -> str:
    """How a field will read, and its hint, as the small print under the field."""
    parts = []
    if preview.lines:
        lines = [_BOLD.sub(r"<b>\1</b>", escape(line)) for line in preview.lines]
        where = f"In {escape(preview.section)}" if preview.section else "In the draft"
        body = (
            "<ol>" + "".join(f"<li>{line}</li>" for line in lines) + "</ol>"
            if preview.numbered
            else f'<span class="pm-reads-text">{" ".join(lines)}</span>'
        )
        label = f'<span class="pm-reads-label">{where} it reads:</span>'
        parts.append(f'<div class="pm-reads">{label} {body}</div>')
    if preview.note:
        parts.append(f'<div class="pm-reads pm-reads-note">{escape(preview.note)}</div>')
    if preview.hint:
        parts.append(f'<div class="pm-hint" role="status">{escape(preview.hint)}</div>')
    return "".join(parts)


class DetailsStep(Step):
    title = "3 Details"
    depends = frozenset({INPUTS, TIMELINE, FIELDS_CHANGED})

    def __init__(self, ctx: Context, *, autosave_delay: float = 1.0, preview_delay: float = 0.3) -> None:
        super().__init__(ctx)
        self.inputs: dict[str, widgets.Textarea] = {}
        self.badges: dict[str, widgets.HTML] = {}
        #: Under each field: the sentences the draft makes of it, and a hint when it needs one.
        self.reads: dict[str, widgets.HTML] = {}
        self._quiet = False
        self._unsaved: set[str] = set()
        self._unshown: set[str] = set()
        #: Typing is saved once per pause (and before another step reads it), and previewed sooner.
        guard = ctx.status.guard
        self.autosave = LoopDebouncer(guard("saving the details")(self._save_typed), autosave_delay)
        self.previewer = LoopDebouncer(guard("previewing the details")(self._show_typed), preview_delay)
        rows: list[widgets.Widget] = [
            help_text(
                "The 11 facts the postmortem is written from. Fields marked <b>from the "
                "timeline</b> follow your "
                "imports until you edit them. Under each field, how the draft will read it. Everything is "
                "saved to the incident file as you pause typing."
            )
        ]
        for name in FIELDS:
            rows.append(self._row(name))
        self.widget = widgets.VBox(rows, layout=widgets.Layout(padding="6px"))
        self.widget.add_class("pm-details")

    def _row(self, name: str) -> widgets.HBox:
        label, help_, example = FIELD_HELP[name]
        box = widgets.Textarea(
            placeholder=f"e.g. {example}",
            continuous_update=True,
            rows=_ROWS.get(name, 2),
            layout=widgets.Layout(width="auto", flex="1 1 auto"),
        )
        box.observe(self.ctx.status.guard(f"saving {label.lower()}")(self._typer(name)), names="value")
        badge, reads = widgets.HTML(), widgets.HTML()
        reads.add_class("pm-reads-box")
        self.inputs[name], self.badges[name], self.reads[name] = box, badge, reads
        left = widgets.VBox(
            [
                widgets.HTML(f'<div class="pm-section" style="margin:2px 0">{escape(label)}</div>'),
                widgets.HTML(f'<div class="pm-help">{escape(help_)}</div>'),
                badge,
            ],
            layout=widgets.Layout(width="280px", min_width="200px", flex="0 0 280px"),
        )
        right = widgets.VBox([box, reads], layout=widgets.Layout(flex="1 1 auto", min_width="0"))
        return widgets.HBox(
            [left, right],
            layout=widgets.Layout(
                padding="4px 0", border_bottom="1px solid var(--jp-border-color2, #e5e7eb)"
            ),
        )

    def _typer(self, name: str) -> Any:
        def typed(_: dict[str, Any]) -> None:
            if self._quiet:
                return
            self._unsaved.add(name)
            self._unshown.add(name)
            self.previewer.poke()
            self.autosave.poke()

        return typed

    def _save_typed(self) -> None:
        """Save every field typed in since the last pause (the form's value, merged onto the file)."""
        names, self._unsaved = [n for n in FIELDS if n in self._unsaved], set()
        timeline_changed = False
        saved = []
        # A save that merged someone else's change in says so too (the workspace's "Took in ...").
        with self.ctx.status.together():
            for name in names:
                value = self.inputs[name].value
                filled = self.session.filled()
                if name in filled.filled and value == getattr(filled, name):
                    continue
                timeline_changed |= self.session.set_field(name, value)
                saved.append(FIELD_HELP[name][0].lower())
            if saved:
                self.ctx.notify(FIELDS_CHANGED, *((TIMELINE,) if timeline_changed else ()))
                self.ctx.status.ok(f"Saved {' and '.join(saved)}.")

    def _show_typed(self) -> None:
        names, self._unshown = set(self._unshown), set()
        self._draw_reads(names)

    def _draw_reads(self, names: set[str]) -> None:
        values = {name: box.value for name, box in self.inputs.items()}
        duration = duration_adjective(self.session.timeline)
        summary = {"product_name", "incident_date", "affected_scope"}
        if names & summary:
            names = names | summary  # they share the Summary's first sentence
        for name in names:
            self.reads[name].value = reads_html(how_it_reads(name, values[name], values, duration=duration))

    def settle(self) -> None:
        """Save what was typed before the pause came (another step is about to read the incident)."""
        self.autosave.flush()
        self.previewer.flush()

    def close_step(self) -> None:
        self.settle()

    def refresh(self) -> None:
        self.settle()
        filled = self.session.filled()
        self._quiet = True
        try:
            for name in FIELDS:
                self.inputs[name].value = getattr(filled, name)
                derived = name in filled.filled
                self.badges[name].value = (
                    '<span class="pm-badge" style="background:#6b7f99">from the timeline</span>'
                    if derived
                    else ""
                )
        finally:
            self._quiet = False
        self._draw_reads(set(FIELDS))


__all__ = ["FIELD_HELP", "DetailsStep", "reads_html"]
