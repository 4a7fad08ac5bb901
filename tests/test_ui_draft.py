"""The Draft step: threaded generation with Stop, the key kept out of the notebook, autosave and restore."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from postmortem_widgets.store import DraftStore
from postmortem_widgets.ui.draft_step import OPENAI, DraftStep
from postmortem_widgets.ui.workspace import Workspace
from postmortem_widgets.writing.drafters import DraftResult, DraftStream
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.ui import OpenWorkspace, saved_widget_state


def draft_step(ws: Workspace) -> DraftStep:
    step = ws.select("Draft")
    assert isinstance(step, DraftStep)
    return step


def test_offline_generation_streams_into_the_editor_and_saves_a_version(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    path = anchor_copy
    ws = open_workspace(path)
    step = draft_step(ws)
    step.generate.click()
    assert step.wait(30)
    text = step.editor.value
    assert text.startswith("## Summary\n\nOn April 15, 2024, Anchor Analytics experienced a 2-hour 33-minute")
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Summary",
        "## What Happened (Timeline)",
        "## Why It Happened",
        "## How We Responded",
        "## What We're Changing",
        "## Apology and Commitment",
    ]
    assert "<h2>Summary</h2>" in step.preview.value
    assert ws.status.level == "ok"
    assert ws.status.text.startswith("Draft generated in ")
    assert ws.status.text.endswith("saved as version 1. Edit it here, then check it on the Review step.")
    assert (step.generate.disabled, step.stop.disabled, step.editor.disabled) == (False, True, False)
    version = DraftStore.for_incident(path).latest()
    assert version is not None and version.number == 1 and version.drafter == "offline"
    assert version.read_text() == text


class SlowDrafter:
    """Yields a chunk, then waits until released: lets a test press Stop mid-stream."""

    name = "slow"
    model = "slow-model"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.closed = threading.Event()
        self.first = threading.Event()

    def stream(self, incident: Any, timeline: Any, prompt: Any) -> DraftStream:
        def chunks(result: DraftResult) -> Iterator[str]:
            try:
                yield "## Summary\n\nPartial text"
                self.first.set()
                self.release.wait(10)
                yield " that the author stopped."
                result.complete = True
            finally:
                self.closed.set()

        return DraftStream(chunks, DraftResult(drafter=self.name))


def test_generation_runs_in_a_thread_and_stop_keeps_the_editor_text_and_the_output_beside_it(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    slow = SlowDrafter()
    ws = open_workspace(anchor_copy, make_drafter=lambda *a, **k: slow, interval=0)
    step = draft_step(ws)
    step.editor.value = "My own notes."
    step.generate.click()
    assert slow.first.wait(10)
    # The kernel is free: the click returned while the stream is still open.
    assert step.running
    assert (step.generate.disabled, step.stop.disabled) == (True, False)
    assert ws.status.level == "busy"
    step.stop.click()
    slow.release.set()
    assert step.wait(10)
    assert slow.closed.is_set()
    assert step.editor.value == "My own notes."  # a stopped run costs the author nothing
    assert ws.status.level == "warning"
    assert ws.status.text == (
        "Stopped after 24 characters. Its 24 characters are kept as version 1 (Export & versions: Restore "
        "to use them). Your text in the editor is unchanged."
    )
    assert (step.generate.disabled, step.stop.disabled) == (False, True)
    assert ws.session.working_path.read_text() == "My own notes."
    (aside,) = ws.session.versions()
    assert aside.read_text() == "## Summary\n\nPartial text" and "not in the editor" in (aside.note or "")


def test_editing_autosaves_and_reopening_restores_the_text(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    path = anchor_copy
    ws = open_workspace(path)
    step = draft_step(ws)
    step.editor.value = "## Summary\n\nTyped by hand, not yet a version."
    assert (
        path.parent / "drafts" / "working.md"
    ).read_text() == "## Summary\n\nTyped by hand, not yet a version."
    assert "Autosaved at" in step.saved.value
    assert "<h2>Summary</h2>" in step.preview.value

    reopened = open_workspace(path)
    assert draft_step(reopened).editor.value == "## Summary\n\nTyped by hand, not yet a version."


def test_debounced_autosave_writes_once_after_a_pause(
    anchor_copy: Path, open_workspace: OpenWorkspace
) -> None:
    path = anchor_copy
    ws = open_workspace(path, autosave_delay=0.2)
    step = draft_step(ws)
    for text in ("a", "ab", "abc"):
        step.editor.value = text
    working = path.parent / "drafts" / "working.md"
    assert not working.exists()
    assert "Unsaved changes" in step.saved.value
    step.autosave._timer.join(2)  # type: ignore[union-attr]
    assert working.read_text() == "abc"


def test_the_api_key_is_kept_in_memory_only(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy, env={})
    step = draft_step(ws)
    step.kind.value = OPENAI
    assert step.model_box.layout.display == "flex"
    step.key.value = "sk-test-SECRET-9f8e7d"
    assert step.key.value == ""
    assert "key entered (…8e7d), held in memory only" in step.key_note.value
    assert "sk-test-SECRET-9f8e7d" not in saved_widget_state()
    assert ws.status.text == "API key kept in memory for this session only; it is not saved anywhere."
    step.model.value = "gpt-test"
    step.base_url.value = "http://127.0.0.1:9/v1"
    assert step.drafter()._key == "sk-test-SECRET-9f8e7d"


def test_openai_without_a_model_says_what_to_set(anchor_copy: Path, open_workspace: OpenWorkspace) -> None:
    ws = open_workspace(anchor_copy, env={})
    step = draft_step(ws)
    step.kind.value = OPENAI
    step.generate.click()
    assert ws.status.level == "error"
    assert ws.status.text.startswith("no model name. Hint:")
    assert not step.running


@pytest.fixture
def server(openai_server: OpenAIServer) -> OpenAIServer:
    """The shared local server, streaming its answer in 8 pieces (the reset after the test undoes that)."""
    openai_server.pieces = 8
    return openai_server


def test_openai_path_streams_from_the_local_server(
    anchor_copy: Path, open_workspace: OpenWorkspace, server: OpenAIServer
) -> None:
    ws = open_workspace(anchor_copy, env={}, interval=0)
    # A wrong duration: the review's error must reach the status line instead of a green "generated".
    server.text = server.text.replace("2-hour 33-minute", "3-hour 10-minute")
    step = draft_step(ws)
    step.kind.value = OPENAI
    step.model.value = "test-model"
    step.base_url.value = server.base_url
    updates: list[str] = []
    step.preview.observe(lambda c: updates.append(c["new"]), names="value")
    step.generate.click()
    assert step.wait(30)
    assert step.editor.value == server.text
    assert len(updates) >= 3  # it arrived in pieces beside the editor, not at the end
    assert server.received[0].body["stream"] is True
    assert "Anchor Analytics" in server.received[0].prompt
    assert ws.status.level == "warning", ws.status.text
    assert "The review finds 1 error(s): see the Review step." in ws.status.text
    version = ws.session.versions()[-1]
    assert (version.drafter, version.model) == ("openai", "test-model")


def test_openai_failure_is_shown_with_the_partial_text_kept(
    anchor_copy: Path, open_workspace: OpenWorkspace, server: OpenAIServer
) -> None:
    server.script(Reply(mode="error", status=401))
    ws = open_workspace(anchor_copy, env={})
    step = draft_step(ws)
    step.kind.value = OPENAI
    step.model.value = "test-model"
    step.base_url.value = server.base_url
    step.key.value = "sk-wrong-key-123456"
    step.generate.click()
    assert step.wait(30)
    assert ws.status.level == "error"
    assert "refused the API key (HTTP 401)" in ws.status.text
    assert "sk-wrong-key-123456" not in ws.status.text
    assert not step.generate.disabled


def test_a_key_the_model_echoes_never_reaches_the_editor_or_a_version(
    anchor_copy: Path, open_workspace: OpenWorkspace, server: OpenAIServer
) -> None:
    key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # Azure-style: only the configuration knows it is a key
    server.script(
        Reply(
            chunks=[
                "## Summary\n\nThe model echoed its key: 0f1e2d3c",
                "4b5a69788796a5b4c3d2e1f0 and went on",
                " writing.\n",
            ]
        )
    )
    ws = open_workspace(anchor_copy, env={}, interval=0)
    step = draft_step(ws)
    step.kind.value = OPENAI
    step.model.value = "test-model"
    step.base_url.value = server.base_url
    step.key.value = key
    updates: list[str] = []
    step.editor.observe(lambda c: updates.append(c["new"]), names="value")
    step.generate.click()
    assert step.wait(30)
    assert server.received[0].headers["authorization"] == f"Bearer {key}"
    expected = "## Summary\n\nThe model echoed its key: [redacted] and went on writing.\n"
    assert step.editor.value == expected
    assert all("0f1e2d3c" not in text for text in updates)
    version = ws.session.versions()[-1]
    assert version.read_text() == expected
    drafts = anchor_copy.parent.rglob("*")
    assert all("0f1e2d3c" not in p.read_text(errors="replace") for p in drafts if p.is_file())
