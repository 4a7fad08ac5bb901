"""The workspace's audience toggle: the internal version has its own draft, store, review and exports."""

from __future__ import annotations

from pathlib import Path

from postmortem_widgets.incident.record import load_incident, save_incident
from postmortem_widgets.ui.draft_step import DraftStep
from postmortem_widgets.ui.export_step import ExportStep
from tests.support.ui import OpenWorkspace


def test_the_internal_version_is_drafted_stored_and_exported_apart(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    incident = load_incident(anchor_copy)
    incident.responders = ["Priya Patel"]
    save_incident(incident, anchor_copy)
    ws = open_workspace(anchor_copy)
    draft = ws.select("Draft")
    assert isinstance(draft, DraftStep)
    draft.generate.click()
    assert draft.wait(30)
    customer = ws.session.draft
    assert customer.startswith("## Summary\n") and "Priya Patel" not in customer

    draft.audience.value = "internal"
    assert ws.session.audience == "internal" and ws.session.draft == ""
    assert ws.status.text == "Editing the internal draft (versions in drafts/internal/)."
    draft.generate.click()
    assert draft.wait(30)
    internal = ws.session.draft
    assert internal.startswith("# Anchor Analytics: internal postmortem\n")
    assert "- **Priya Patel**: responder" in internal
    assert "[E1]" in internal
    assert ws.session.review().errors == 0  # the customer rules (names) do not apply to it
    folder = anchor_copy.parent / "drafts"
    [saved] = sorted((folder / "internal").glob("0*.md"))
    assert saved.name.startswith("0001-") and saved.read_text() == internal
    assert [p.read_text() for p in sorted(folder.glob("0*.md"))] == [customer]

    step = ws.select("Export")
    assert isinstance(step, ExportStep)
    assert "Exporting the <b>internal</b> version" in step.audience_note.value
    step.buttons["html"].click()
    assert ws.status.level == "ok", ws.status.text
    exported = anchor_copy.parent / "exports" / "anchor-analytics-postmortem-internal.html"
    assert "internal-banner" in exported.read_text() and "Priya Patel" in exported.read_text()
    assert 'download="anchor-analytics-postmortem-internal.html"' in step.links.value

    ws.select("Draft")
    draft.audience.value = "customer"
    assert ws.session.draft == customer
    step = ws.select("Export")
    assert isinstance(step, ExportStep)
    assert step.audience_note.value == "" and step.links.value == ""
    step.buttons["html"].click()
    assert ws.status.level == "ok", ws.status.text
    html = (anchor_copy.parent / "exports" / "anchor-analytics-postmortem.html").read_text()
    assert "Priya Patel" not in html and "INTERNAL" not in html
    assert 'download="anchor-analytics-postmortem.html"' in step.links.value
    assert "internal" not in step.links.value
