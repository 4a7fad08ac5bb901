"""The Review step (findings at their lines, one-click redaction) and Export & versions."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from postmortem_widgets.incident.record import load_incident, save_incident
from postmortem_widgets.ui.export_step import ExportStep
from postmortem_widgets.ui.review_step import ReviewStep
from postmortem_widgets.ui.workspace import Workspace
from tests.support import telemetry
from tests.support.ui import EmptyIncident, OpenWorkspace


@pytest.fixture
def generated(anchor_copy: Path, open_workspace: OpenWorkspace) -> Workspace:
    """The seed example with its offline draft generated."""
    path = anchor_copy
    incident = load_incident(path)
    incident.responders = ["Priya Patel"]
    save_incident(incident, path)
    ws = open_workspace(path)
    draft = ws.select("Draft")
    draft.generate.click()  # type: ignore[attr-defined]
    assert draft.wait(30)  # type: ignore[attr-defined]
    return ws


def review(ws: Workspace) -> ReviewStep:
    step = ws.select("Review")
    assert isinstance(step, ReviewStep)
    return step


def exports(ws: Workspace) -> ExportStep:
    step = ws.select("Export")
    assert isinstance(step, ExportStep)
    return step


def test_the_offline_draft_of_the_seed_passes_review(generated: Workspace) -> None:
    step = review(generated)
    assert step.review is not None and step.review.errors == 0
    assert 'data-review="pass"' in step.verdict.value
    assert "Review passed: no errors" in step.verdict.value


def test_findings_point_at_their_line_by_section(generated: Workspace) -> None:
    lines = generated.session.draft.splitlines()
    at = lines.index("## How We Responded") + 2
    lines.insert(at, "Priya Patel rolled back the cache at 10:22am ET.")
    generated.select("Draft").editor.value = "\n".join(lines)  # type: ignore[attr-defined]
    step = review(generated)
    assert step.review.errors >= 1
    assert "error(s)" in step.verdict.value
    names = [f for f in step.review.findings if "Priya" in f.message or f.line == at + 1]
    assert names and names[0].line == at + 1
    assert f'data-line="{at + 1}"' in step.findings.value
    assert "How We Responded" in step.findings.value
    assert f"{at + 1}: Priya Patel rolled back the cache" in step.findings.value
    marked = re.search(
        rf'<div style="background:#fdecec" id="pm-[0-9a-f]+-line-{at + 1}" data-line="{at + 1}">',
        step.draft.value,
    )
    assert marked is not None


def test_redaction_is_one_click_and_saved_as_a_version(generated: Workspace) -> None:
    draft = generated.select("Draft")
    draft.editor.value = generated.session.draft + "\nPriya Patel restarted db1.corp.example.com.\n"  # type: ignore[attr-defined]
    step = review(generated)
    step.redact.click()
    assert "Priya" not in generated.session.draft
    assert "db1.corp.example.com" not in generated.session.draft
    assert generated.status.level == "ok"
    assert re.fullmatch(r"Redacted \d+ internal detail\(s\); saved as version 2\.", generated.status.text)
    assert "<s>Priya Patel</s>" in step.changes.value
    assert generated.session.versions()[-1].read_text() == generated.session.draft
    assert "Priya" not in generated.select("Draft").editor.value  # type: ignore[attr-defined]


def test_export_html_writes_the_file_and_offers_a_download(generated: Workspace) -> None:
    step = exports(generated)
    step.buttons["html"].click()
    assert generated.status.level == "ok", generated.status.text
    path = generated.session.folder / "exports" / "anchor-analytics-postmortem.html"
    html = path.read_text()
    assert "Anchor Analytics" in html and "What Happened" in html
    link = re.search(
        r'download="anchor-analytics-postmortem.html" href="data:text/html;base64,([^"]+)"', step.links.value
    )
    assert link is not None
    assert base64.b64decode(link.group(1)) == path.read_bytes()
    assert generated.status.text.startswith("Exported HTML in ")
    assert generated.status.text.endswith("exports/anchor-analytics-postmortem.html (download link below).")


@pytest.mark.parametrize(
    ("fmt", "suffix", "magic"), [("md", ".md", b"## Summary"), ("email", ".eml", b"Subject:")]
)
def test_export_markdown_and_email(generated: Workspace, fmt: str, suffix: str, magic: bytes) -> None:
    step = exports(generated)
    step.buttons[fmt].click()
    assert generated.status.level == "ok", generated.status.text
    data = (generated.session.folder / "exports" / f"anchor-analytics-postmortem{suffix}").read_bytes()
    assert magic in data


def test_review_errors_block_export_unless_forced(generated: Workspace) -> None:
    generated.select("Draft").editor.value = generated.session.draft + "\nPriya Patel fixed it.\n"  # type: ignore[attr-defined]
    step = exports(generated)
    step.buttons["md"].click()
    assert generated.status.level == "error"
    assert "review error(s), so it was not exported" in generated.status.text
    assert not (generated.session.folder / "exports" / "anchor-analytics-postmortem.md").exists()
    step.force.value = True
    step.buttons["md"].click()
    assert generated.status.level == "ok"
    assert (generated.session.folder / "exports" / "anchor-analytics-postmortem.md").exists()


def test_save_list_diff_and_restore_versions(generated: Workspace) -> None:
    original = generated.session.draft
    generated.select("Draft").editor.value = original.replace("We're sorry", "We are sorry")  # type: ignore[attr-defined]
    step = exports(generated)
    step.author.value = "ana"
    step.note.value = "softer apology"
    step.save.click()
    assert generated.status.text == "Saved version 2."
    assert "<td>2</td>" in step.table.value and "<td>ana</td>" in step.table.value
    assert "softer apology" in step.table.value
    step.a.value, step.b.value = 1, 2
    step.show_diff.click()
    assert '<span class="del">-' in step.diff.value and '<span class="add">+' in step.diff.value
    step.pick.value = 1
    step.restore.click()
    assert generated.session.draft == original
    assert generated.status.text == "Restored version 1 as version 3; it is in the editor."
    assert generated.select("Draft").editor.value == original  # type: ignore[attr-defined]
    assert [v.restored_from for v in generated.session.versions()] == [None, None, 1]


def test_a_conflicting_save_is_reported_and_nothing_is_lost(generated: Workspace) -> None:
    store = generated.session.store
    store.save("Someone else's text\n", author="bo")
    generated.select("Draft").editor.value = "My text\n"  # type: ignore[attr-defined]
    step = exports(generated)
    step.save.click()
    assert generated.status.level == "error"
    assert "was saved by bo since version 1" in generated.status.text
    kept = list((generated.session.folder / "drafts" / "conflicts").glob("*.md"))
    assert [p.read_text() for p in kept] == ["My text\n"]


def test_a_finding_is_ignored_with_a_reason_and_kept_with_the_version(
    generated: Workspace, open_workspace: OpenWorkspace
) -> None:
    lines = generated.session.draft.splitlines()
    lines.insert(
        lines.index("## How We Responded") + 2, "Our Redis cache was rebuilt from the live database."
    )
    generated.select("Draft").editor.value = "\n".join(lines)  # type: ignore[attr-defined]
    step = review(generated)
    [index] = [i for i, f in enumerate(step.review.findings) if "'Redis'" in f.message]
    step.ignore_buttons[index].click()  # no reason yet
    assert generated.status.level == "warning" and "Say why" in generated.status.text
    assert step.review.warnings == 1
    step.reasons[index].value = "our customers run Redis themselves"
    step.ignore_buttons[index].click()
    assert generated.status.level == "ok", generated.status.text
    assert (step.review.warnings, len(step.review.ignored)) == (0, 1)
    assert "our customers run Redis themselves" in step.ignoring.children[-1].children[0].value
    version = generated.session.save_version(note="ignored a finding")
    assert version.ignores[0]["reason"] == "our customers run Redis themselves"
    reopened = open_workspace(generated.session.path)
    assert [i.reason for i in reopened.session.ignores] == ["our customers run Redis themselves"]
    assert reopened.session.review().warnings == 0
    back = review(reopened)
    back.unignore_buttons[0].click()
    assert back.review.warnings == 1 and reopened.session.ignores == []


def test_the_product_is_not_a_person_and_redaction_leaves_it(
    empty_incident: EmptyIncident, open_workspace: OpenWorkspace
) -> None:
    """The responder handle oncall-storage made "Tidewater Storage" a person's name; it is a product."""
    path = empty_incident(product_name="Tidewater Storage", responders=["oncall-storage"], timezone="UTC")
    ws = open_workspace(path)
    text = (
        "## Summary\n\nTidewater Storage uploads failed. Tidewater Storage downloads worked. Sam from our "
        "storage team restored Tidewater Storage uploads.\n"
    )
    ws.select("Draft").editor.value = text  # type: ignore[attr-defined]
    step = review(ws)
    names = [f.message for f in step.review.findings if f.rule == "person-name"]
    assert names == ["names 'Sam' ('Sam from our storage team'), a person"]
    step.redact.click()
    assert ws.session.draft.count("Tidewater Storage") == 3
    assert "An engineer from our storage team restored Tidewater Storage uploads." in ws.session.draft


@pytest.fixture
def checkout_generated(tmp_path: Path, open_workspace: OpenWorkspace) -> Workspace:
    """The synthetic checkout incident (a log with an impact window) with its offline draft generated."""
    ws = open_workspace(telemetry.write_checkout(tmp_path / "checkout"))
    draft = ws.select("Draft")
    draft.generate.click()  # type: ignore[attr-defined]
    assert draft.wait(30)  # type: ignore[attr-defined]
    return ws


def test_the_impact_figure_is_included_unless_unticked(checkout_generated: Workspace) -> None:
    step = exports(checkout_generated)
    assert (step.figure.value, step.figure.disabled) == (True, False)
    path = checkout_generated.session.folder / "exports" / "checkout-postmortem.html"
    step.buttons["html"].click()
    assert checkout_generated.status.level == "ok", checkout_generated.status.text
    html = path.read_text()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
    assert "Share of requests that failed" in html
    step.figure.value = False
    step.buttons["html"].click()
    assert checkout_generated.status.level == "ok", checkout_generated.status.text
    assert "<svg" not in path.read_text()
    step.buttons["md"].click()
    md = (checkout_generated.session.folder / "exports" / "checkout-postmortem.md").read_text()
    assert "From our monitoring data" not in md
    step.figure.value = True
    step.buttons["md"].click()
    md = (checkout_generated.session.folder / "exports" / "checkout-postmortem.md").read_text()
    assert "*From our monitoring data: the share of requests that failed was about 0.13% until" in md


def test_the_untick_stands_until_the_impact_window_changes(checkout_generated: Workspace) -> None:
    step = exports(checkout_generated)
    step.figure.value = False
    step.refresh()
    assert step.figure.value is False
    checkout_generated.session.set_signal("none")  # no impact window: nothing to include
    step.refresh()
    assert (step.figure.value, step.figure.disabled) == (False, True)
    assert step.figure.tooltip.startswith("There is no impact window")
    checkout_generated.session.set_signal(None)  # the clearest signal again: the figure is back, ticked
    step.refresh()
    assert (step.figure.value, step.figure.disabled) == (True, False)


def test_without_an_impact_window_the_figure_is_not_offered(generated: Workspace) -> None:
    step = exports(generated)
    assert generated.session.has_impact is False
    assert (step.figure.value, step.figure.disabled) == (False, True)
