"""The Draft step's check-and-mend rounds (a line per round, Stop in any round) and its section redraft,
through the session, against the local OpenAI-compatible server."""

from __future__ import annotations

import time
from html import unescape
from pathlib import Path

from postmortem_widgets.sections import section_named
from postmortem_widgets.ui import Workspace
from postmortem_widgets.ui.draft_step import OPENAI, DraftStep
from postmortem_widgets.writing.redraft import section_text, split_draft
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.paths import DATA
from tests.support.ui import OpenWorkspace

WRONG_TIME = (DATA / "revision" / "wrong_time.md").read_text()
WRONG_DURATION = (DATA / "revision" / "wrong_duration.md").read_text()
MENDED = (DATA / "revision" / "mended.md").read_text()
#: The offline draft of the Anchor example (its golden file).
OFFLINE = (DATA / "golden" / "draft_anchor_analytics.md").read_text()


def model_step(ws: Workspace, server: OpenAIServer) -> DraftStep:
    step = ws.select("Draft")
    assert isinstance(step, DraftStep)
    step.kind.value = OPENAI
    step.model.value = "test-model"
    step.base_url.value = server.base_url
    return step


def lines(step: DraftStep) -> list[str]:
    """The rounds' lines as shown, without their token counts."""
    items = step.rounds_view.value.split("<li>")[1:]
    return [unescape(item.split("</li>")[0]).split("; prompt ")[0] for item in items]


def test_the_rounds_are_shown_and_the_mended_draft_lands_in_the_editor(
    anchor_copy: Path, open_workspace: OpenWorkspace, openai_server: OpenAIServer
) -> None:
    openai_server.script(Reply(text=WRONG_TIME), Reply(text=WRONG_DURATION), Reply(text=MENDED))
    ws = open_workspace(anchor_copy, env={}, interval=0)
    step = model_step(ws, openai_server)
    assert step.revise.value == 2
    step.generate.click()
    assert step.wait(60)
    assert step.editor.value == MENDED
    assert lines(step) == [
        "round 1 (first draft): 1 error",
        "round 2 (revision): 1 error before, 1 after: rejected (adds an error: [fact-duration] says "
        "'3-hour 10-minute' (3 hours 10 minutes), but the incident lasted 2 hours 33 minutes "
        "(9:14am ET to 11:47am ET))",
        "round 3 (revision): 1 error before, 0 after: kept",
    ]
    assert "Kept round 3 of 3" in step.rounds_view.value
    assert ws.status.level == "ok", ws.status.text
    assert ws.status.text.startswith("Draft generated in ")
    assert " and saved as version 3. Kept round 3." in ws.status.text
    versions = ws.session.versions()
    assert [(v.number, v.extra.get("verdict"), v.model) for v in versions] == [
        (1, "first draft", "test-model"),
        (2, "rejected", "test-model"),
        (3, "kept", "test-model"),
    ]
    assert ws.session.draft_base == 3


def test_stop_in_a_revision_keeps_the_best_draft_so_far(
    anchor_copy: Path, open_workspace: OpenWorkspace, openai_server: OpenAIServer
) -> None:
    openai_server.script(Reply(text=WRONG_TIME), Reply(mode="drip", delay=0.2, text=MENDED))
    ws = open_workspace(anchor_copy, env={}, interval=0)
    step = model_step(ws, openai_server)
    step.generate.click()
    deadline = time.monotonic() + 30
    while not (step.rounds is not None and len(step.rounds.rounds) == 1 and step.rounds.current):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert step.stop.disabled is False
    step.stop.click()
    assert step.wait(30)
    assert step.editor.value == WRONG_TIME
    assert len(openai_server.received) == 2
    assert lines(step)[0] == "round 1 (first draft): 1 error"
    assert lines(step)[1].startswith("round 2 (revision): not checked: stopped (stopped after ")
    assert "Kept round 1 (stopped in round 2)." in ws.status.text
    assert not step.generate.disabled
    versions = ws.session.versions()
    assert [v.extra.get("verdict") for v in versions] == ["first draft", "stopped", None]
    assert versions[-1].read_text() == WRONG_TIME and versions[-1].note == "kept round 1"


def test_stop_in_the_first_round_leaves_the_editor_as_it_was(
    anchor_copy: Path, open_workspace: OpenWorkspace, openai_server: OpenAIServer
) -> None:
    openai_server.script(Reply(mode="drip", delay=0.2, text=WRONG_TIME))
    ws = open_workspace(anchor_copy, env={}, interval=0)
    step = model_step(ws, openai_server)
    step.editor.value = "## Summary\n\nMy own words.\n"
    step.generate.click()
    deadline = time.monotonic() + 30
    while not (step.rounds is not None and step.rounds.current):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    step.stop.click()
    assert step.wait(30)
    assert step.editor.value == "## Summary\n\nMy own words.\n"
    assert ws.status.text.startswith("Stopped after ")
    assert "Your text in the editor is unchanged." in ws.status.text
    kept, aside = ws.session.versions()
    assert kept.read_text() == "## Summary\n\nMy own words.\n"
    assert aside.extra["verdict"] == "stopped" and WRONG_TIME.startswith(aside.read_text())


def test_redraft_a_section_in_the_workspace(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    why = section_text(OFFLINE, section_named("why"))  # the offline drafter's own section
    assert why is not None
    typed = MENDED.replace(
        str(section_text(MENDED, section_named("why"))), "## Why It Happened\n\nTo be written.\n\n"
    ).replace("Dashboards", "Your dashboards")
    ws = open_workspace(anchor_copy, interval=0)
    step = ws.select("Draft")
    assert isinstance(step, DraftStep)
    step.editor.value = typed
    step.section.value = "why"
    step.redraft.click()
    assert step.wait(30)
    assert step.editor.value == typed.replace("## Why It Happened\n\nTo be written.\n\n", why)
    part = next(p for p in split_draft(typed) if p.section is not None and p.section.key == "why")
    out = step.editor.value
    assert out.startswith(typed[: part.start]) and out.endswith(typed[part.end :])
    assert ws.status.text.startswith("Why It Happened redrafted in ")
    assert ws.session.versions()[-1].note == "redrafted Why It Happened"


SHORT = "## Summary\n\nOn April 15, 2024, Anchor Analytics had a 2-hour 33-minute incident.\n"


def test_chosen_warnings_go_back_to_the_model_too(
    anchor_copy: Path, open_workspace: OpenWorkspace, openai_server: OpenAIServer
) -> None:
    """A draft without errors is mended only for the warnings the author chose."""
    openai_server.script(Reply(text=SHORT), Reply(text=MENDED))
    ws = open_workspace(anchor_copy, env={}, interval=0)
    step = model_step(ws, openai_server)
    step.mend_warnings.value = "section-missing, summary-length"
    step.generate.click()
    assert step.wait(60)
    assert step.editor.value == MENDED
    revision = openai_server.received[1].prompt
    assert "[section-missing] the 'Why It Happened' section is missing" in revision
    assert "[summary-length] the Summary has 1 sentence; the seed asks for 3-5" in revision
    assert "[fact-resolution]" not in revision  # a warning of a rule not chosen
    assert lines(step) == [
        "round 1 (first draft): 0 errors",
        "round 2 (revision): 0 errors before, 0 after: kept",
    ]


def test_the_internal_version_s_rounds_leave_its_hosts_alone(
    anchor_copy: Path, open_workspace: OpenWorkspace, openai_server: OpenAIServer
) -> None:
    """The rounds check the team's version as the reviewer does: a host it names is no error to mend."""
    internal = MENDED.replace(
        "Cache rollback initiated", "Cache rollback initiated on cache-01.prod.anchor.internal"
    )
    openai_server.script(Reply(text=internal))
    ws = open_workspace(anchor_copy, env={}, interval=0)
    step = model_step(ws, openai_server)
    step.audience.value = "internal"
    step.generate.click()
    assert step.wait(60)
    assert lines(step) == ["round 1 (first draft): 0 errors"]
    assert len(openai_server.received) == 1
    assert step.editor.value == internal
