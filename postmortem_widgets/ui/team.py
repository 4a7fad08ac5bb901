"""What the form shows about the team: who else has the incident open, and conflicts to settle.

A conflict is a field both this form and someone else changed: the file keeps theirs, and the form shows
both texts with a button for each, so nothing typed is dropped without the author choosing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets as widgets

from .base import button
from .details_step import FIELD_HELP


def _label(key: str) -> str:
    mapping, _, entry = key.partition(".")
    if entry:
        what = {"milestones": "milestone", "roles": "the role of", "incidents": "the incident kept of"}
        return f"{what.get(mapping, mapping)} {entry}"
    return FIELD_HELP.get(key, (key.replace("_", " "), "", ""))[0]


def team_html(forms: Sequence[Any], editors: Sequence[Any], *, why_local: str = "") -> str:
    """One line: the other forms and the people in JupyterLab's editor on this incident's draft."""
    parts = []
    if forms:
        names = ", ".join(sorted({f.who for f in forms}))
        parts.append(f"also open in {len(forms)} other form(s) ({escape(names)})")
    if editors:
        names = ", ".join(sorted({p.name for p in editors}))
        parts.append(f"{len(editors)} person(s) editing drafts/working.md in JupyterLab ({escape(names)})")
    if not parts:
        return ""
    line = "👥 This incident is " + "; ".join(parts) + ". Saves merge: nobody's change is overwritten."
    if why_local and editors:
        line += f" The draft here is not live ({escape(why_local)})."
    return f'<div class="pm-who" data-others="{len(forms) + len(editors)}">{line}</div>'


def conflict_rows(session: Any, status: Any, *, on_resolved: Callable[[], None]) -> list[widgets.Widget]:
    """A box per conflict: both texts, and "Keep mine" / "Keep theirs"."""
    rows: list[widgets.Widget] = []
    for key, conflict in session.conflicts.items():
        text = widgets.HTML(
            f'<div class="pm-conflict" data-key="{escape(key)}"><b>Both you and someone else changed '
            f"{escape(_label(key))}.</b> The incident file has theirs; yours is kept here until you choose."
            f"<div>Theirs (in the file):</div><pre>{escape(conflict.theirs) or '(empty)'}</pre>"
            f"<div>Yours:</div><pre>{escape(conflict.mine) or '(empty)'}</pre></div>"
        )
        mine = button("Keep mine", icon="check", tooltip="Write your value to the incident file")
        theirs = button("Keep theirs", icon="times", tooltip="Leave the file as it is")

        def settle(keep: str, key: str = key) -> Callable[[object], None]:
            def run(_: object) -> None:
                session.resolve_conflict(key, keep=keep)
                status.ok(f"Kept {'your' if keep == 'mine' else 'their'} {_label(key)}.")
                on_resolved()

            return status.guard("settling the conflict")(run)  # type: ignore[no-any-return]

        mine.on_click(settle("mine"))
        theirs.on_click(settle("theirs"))
        rows.append(widgets.VBox([text, widgets.HBox([mine, theirs])]))
    return rows


__all__ = ["conflict_rows", "team_html"]
