"""Step 3, Details: the seed's 11 fields, prefilled from the timeline where it can, each with the seed's help.

A value derived from the timeline is shown but not written to the incident file until the author edits
it, so it keeps following the timeline; the author's own words always win.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from ..incident.record import FIELDS
from .base import FIELDS as FIELDS_CHANGED
from .base import INPUTS, TIMELINE, Context, Step, help_text

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


class DetailsStep(Step):
    title = "3 Details"
    depends = frozenset({INPUTS, TIMELINE, FIELDS_CHANGED})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.inputs: dict[str, widgets.Textarea] = {}
        self.badges: dict[str, widgets.HTML] = {}
        self._quiet = False
        rows: list[widgets.Widget] = [
            help_text(
                "The 11 facts the postmortem is written from. Fields marked <b>from the "
                "timeline</b> follow your "
                "imports until you edit them. Everything is saved to the incident file as you leave a field."
            )
        ]
        for name in FIELDS:
            label, help_, example = FIELD_HELP[name]
            box = widgets.Textarea(
                placeholder=f"e.g. {example}",
                continuous_update=False,
                rows=_ROWS.get(name, 2),
                layout=widgets.Layout(width="auto", flex="1 1 auto"),
            )
            box.observe(ctx.status.guard(f"saving {label.lower()}")(self._saver(name)), names="value")
            badge = widgets.HTML()
            self.inputs[name], self.badges[name] = box, badge
            left = widgets.VBox(
                [
                    widgets.HTML(f'<div class="pm-section" style="margin:2px 0">{escape(label)}</div>'),
                    widgets.HTML(f'<div class="pm-help">{escape(help_)}</div>'),
                    badge,
                ],
                layout=widgets.Layout(width="280px", min_width="200px", flex="0 0 280px"),
            )
            rows.append(
                widgets.HBox(
                    [left, box],
                    layout=widgets.Layout(
                        padding="4px 0",
                        border_bottom="1px solid var(--jp-border-color2, #e5e7eb)",
                    ),
                )
            )
        self.widget = widgets.VBox(rows, layout=widgets.Layout(padding="6px"))
        self.widget.add_class("pm-details")

    def _saver(self, name: str) -> Any:
        def save(change: dict[str, Any]) -> None:
            if self._quiet:
                return
            value = change["new"]
            filled = self.session.filled()
            if name in filled.filled and value == getattr(filled, name):
                return
            timeline_changed = self.session.set_field(name, value)
            self.ctx.notify(FIELDS_CHANGED, *((TIMELINE,) if timeline_changed else ()))
            self.ctx.status.ok(f"Saved {FIELD_HELP[name][0].lower()}.")

        return save

    def refresh(self) -> None:
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


__all__ = ["FIELD_HELP", "DetailsStep"]
