"""Step 6, Review: the checker's findings beside the draft, by section and severity, each at its line.

Lines with a finding are marked in the numbered draft on the right. One click redacts internal details
(names, hosts, tickets ...) through the reviewer's ``redact``; the result is saved as a new version. Each
finding can be ignored with a reason ("Ignore…"): the reason is kept with the draft and its versions, and
the export honours it; an ignored finding can be brought back.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from .base import DRAFT, EDITED, FIELDS, TIMELINE, VERSIONS, Context, Step, button, help_text

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def findings_html(review: Any, draft: str) -> str:
    """Findings grouped by section (in draft order), each with its severity, line, message and suggestion."""
    lines = draft.splitlines()
    if not review.findings:
        return '<div class="pm-pass">✓ No findings: the draft passes every check.</div>'
    groups = review.by_section()
    parts = []
    for section, findings in groups.items():
        parts.append(f'<div class="pm-section">{escape(section or "Before the first heading")}</div>')
        items = []
        for f in sorted(findings, key=lambda f: (f.line, _SEVERITY_ORDER.get(str(f.severity), 3))):
            text = lines[f.line - 1].strip() if 0 < f.line <= len(lines) else ""
            quote = f'<div class="pm-line">{f.line}: {escape(text[:160])}</div>' if text else ""
            tip = f'<div class="pm-help">→ {escape(f.suggestion)}</div>' if f.suggestion else ""
            items.append(
                f'<li class="pm-finding pm-sev-{escape(str(f.severity))}" data-rule="{escape(f.rule)}" '
                f'data-line="{f.line}"><div class="pm-where">{escape(str(f.severity).upper())} · '
                f"line {f.line} · "
                f"{escape(f.rule)}</div><div>{escape(f.message)}</div>{quote}{tip}</li>"
            )
        parts.append('<ul class="pm-findings">' + "".join(items) + "</ul>")
    return "".join(parts)


def verdict_html(review: Any) -> str:
    if review.errors:
        return (
            f'<div class="pm-fail">✖ {review.errors} error(s) and {review.warnings} warning(s): '
            "fix the errors "
            "before this goes to customers.</div>"
        )
    extra = f" ({review.warnings} warning(s) worth a look)" if review.warnings else ""
    return f'<div class="pm-pass" data-review="pass">✓ Review passed: no errors{escape(extra)}.</div>'


def numbered_draft(draft: str, marked: dict[int, str], *, anchor: str = "pm-line") -> str:
    """The draft with line numbers; lines with a finding get their severity's colour."""
    colours = {"error": "#fdecec", "warning": "#fdf6e3", "info": "#eaf1fc"}
    rows = []
    for number, line in enumerate(draft.splitlines(), start=1):
        severity = marked.get(number)
        style = f' style="background:{colours.get(severity, "#eee")}"' if severity else ""
        rows.append(
            f'<div{style} id="{anchor}-{number}" data-line="{number}">'
            '<span style="color:#9ca3af;display:inline-block;width:3em;'
            f'text-align:right;margin-right:8px">{number}</span>{escape(line)}</div>'
        )
    return '<div class="pm-pre" style="white-space:pre-wrap">' + "".join(rows) + "</div>"


class ReviewStep(Step):
    title = "6 Review"
    depends = frozenset({DRAFT, EDITED, FIELDS, TIMELINE})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        guard = ctx.status.guard
        self.review: Any = None
        self.recheck = button("Check again", icon="refresh")
        self.recheck.on_click(guard("reviewing the draft")(lambda _: self.refresh()))
        self.redact = button(
            "Redact internal details",
            icon="eraser",
            tooltip="Replace engineer names, hostnames, internal URLs and ticket ids; saved as a new version",
        )
        self.redact.on_click(guard("redacting the draft")(self._on_redact))
        self.verdict = widgets.HTML()
        self.findings = widgets.HTML(layout=widgets.Layout(flex="1 1 45%", min_width="0"))
        self.draft = widgets.HTML(layout=widgets.Layout(flex="1 1 55%", min_width="0"))
        self.changes = widgets.HTML()
        #: One row per finding: its reason box and its "Ignore…" button (in the findings' order).
        self.reasons: list[widgets.Text] = []
        self.ignore_buttons: list[widgets.Button] = []
        #: One "Bring back" button per ignored finding.
        self.unignore_buttons: list[widgets.Button] = []
        self.ignoring = widgets.VBox()
        self.widget = widgets.VBox(
            [
                help_text(
                    "Checks the draft against the timeline and the seed's advice: facts and "
                    "times that disagree "
                    "with the events, blame, internal names and jargon, missing sections, vague promises."
                ),
                widgets.HBox([self.recheck, self.redact]),
                self.verdict,
                self.changes,
                widgets.HBox([self.findings, self.draft], layout=widgets.Layout(width="100%")),
                self.ignoring,
            ],
            layout=widgets.Layout(padding="6px"),
        )

    def _on_redact(self, _: object = None) -> None:
        if not self.session.draft.strip():
            self.ctx.status.warning("There is no draft to redact yet.")
            return
        result, version = self.session.redact_draft()
        if version is None:
            self.changes.value = ""
            self.ctx.status.ok("Nothing internal to redact.")
            return
        items = "".join(
            f"<li><s>{escape(old)}</s> → {escape(new)} <span class='pm-help'>({escape(kind)})</span></li>"
            for old, new, kind in result.changes[:30]
        )
        self.changes.value = f'<div class="pm-help"><b>Redacted:</b><ul>{items}</ul></div>'
        self.ctx.notify(DRAFT, VERSIONS)
        self.ctx.status.ok(
            f"Redacted {len(result.changes)} internal detail(s); saved as version {version.number}."
        )

    def refresh(self) -> None:
        session = self.session
        if not session.draft.strip():
            self.review = None
            self.verdict.value = (
                '<div class="pm-empty">No draft yet: generate or write one on the Draft step.</div>'
            )
            self.findings.value = self.draft.value = ""
            self.ignoring.children = ()
            return
        self.review = session.review()
        self.verdict.value = verdict_html(self.review)
        anchor = f"pm-{self.draft.model_id[:8]}-line"
        self.findings.value = findings_html(self.review, session.draft)
        marked: dict[int, str] = {}
        for f in sorted(self.review.findings, key=lambda f: -_SEVERITY_ORDER.get(str(f.severity), 3)):
            marked[f.line] = str(f.severity)
        self.draft.value = numbered_draft(session.draft, marked, anchor=anchor)
        self._ignore_rows()

    def _ignore_rows(self) -> None:
        """A reason box and an "Ignore…" button per finding; the ignored ones, each with "Bring back"."""
        review = self.review
        self.reasons, self.ignore_buttons, self.unignore_buttons = [], [], []
        rows: list[widgets.Widget] = []
        for f in review.findings:
            reason = widgets.Text(placeholder="why it is fine here", layout=widgets.Layout(width="40%"))
            ignore = button("Ignore…", icon="eye-slash", tooltip="Set this finding aside, with the reason")
            ignore.on_click(self.ctx.status.guard("ignoring the finding")(self._ignorer(f, reason)))
            self.reasons.append(reason)
            self.ignore_buttons.append(ignore)
            label = widgets.HTML(f'<span class="pm-help">line {f.line} · {escape(f.rule)}</span>')
            rows.append(widgets.HBox([label, reason, ignore]))
        for f, ignore_rule in review.ignored:
            back = button("Bring back", icon="undo", tooltip="Count this finding again")
            back.on_click(self.ctx.status.guard("bringing the finding back")(self._unignorer(ignore_rule)))
            self.unignore_buttons.append(back)
            text = f"Ignored: line {f.line} · {f.rule}: {f.message} — {ignore_rule.reason}"
            rows.append(widgets.HBox([widgets.HTML(f'<span class="pm-help">{escape(text)}</span>'), back]))
        self.ignoring.children = tuple(rows)

    def _ignorer(self, finding: Any, reason: widgets.Text) -> Any:
        def on_click(_: object = None) -> None:
            if not reason.value.strip():
                self.ctx.status.warning(
                    f"Say why line {finding.line}'s {finding.rule} finding is fine first."
                )
                return
            self.session.ignore_finding(finding, reason.value)
            self.ctx.status.ok(f"Ignored line {finding.line}'s {finding.rule} finding; the reason is kept.")
            self.refresh()

        return on_click

    def _unignorer(self, ignore: Any) -> Any:
        def on_click(_: object = None) -> None:
            self.session.unignore(ignore)
            self.ctx.status.ok(f"Line {ignore.line}'s {ignore.rule} finding counts again.")
            self.refresh()

        return on_click


__all__ = ["ReviewStep", "findings_html", "numbered_draft", "verdict_html"]
