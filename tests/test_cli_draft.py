"""``postmortem prompt`` and ``postmortem draft``: output, atomic files, failures that keep earlier drafts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from tests.support.openai_server import DEFAULT_TEXT, OpenAIServer, Reply
from tests.support.paths import DATA
from tests.support.paths import SEED_INCIDENT as SEED

GOLDEN = DATA / "golden"
NONCE = "0123456789abcdef"
KEY = "sk-cli-test-key-never-printed-777"
EARLIER = "## Summary\n\nAn earlier draft the author edited by hand.\n"


def draft_with_model(server: OpenAIServer, target: Path) -> int:
    """``postmortem draft SEED --drafter openai --model m1 --base-url SERVER --revise 0 -o TARGET``: one
    call, no rounds (which would save versions next to the sample incident)."""
    argv = ["draft", str(SEED), "--drafter", "openai", "--model", "m1", "--base-url", server.base_url]
    argv += ["--revise", "0"]
    return main([*argv, "-o", str(target)])


def test_prompt_prints_the_assembled_prompt(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompt", str(SEED), "--nonce", NONCE]) == 0
    out = capsys.readouterr().out
    assert out == (GOLDEN / "prompt_anchor_analytics.txt").read_text()


def test_prompt_json_and_extra_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    incident = DATA / "prompt" / "incident.yaml"
    extra = DATA / "incident" / "relative" / "exports" / "notes.txt"
    assert main(["prompt", str(incident), "--timeline", str(extra), "--json", "--max-events", "5"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert set(payload) == {"system", "user", "nonce", "digest"}
    assert f"<<<BEGIN EVENT DATA {payload['nonce']}>>>" in payload["user"]
    assert "(5 of " in payload["user"]
    assert "duplicate event(s) across inputs were merged" in captured.err


def test_prompt_bad_incident_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    bad = DATA / "incident" / "bad" / "unknown_key.yaml"
    assert main(["prompt", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "postmortem prompt: error: " in err and "(key 'prodct_name'): unknown key 'prodct_name'" in err


def test_draft_offline_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", str(SEED)]) == 0
    assert capsys.readouterr().out == (GOLDEN / "draft_anchor_analytics.md").read_text()


def test_draft_offline_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "draft.md"
    target.write_text(EARLIER)
    assert main(["draft", str(SEED), "-o", str(target)]) == 0
    assert target.read_text() == (GOLDEN / "draft_anchor_analytics.md").read_text()
    assert capsys.readouterr().out == ""
    assert [p.name for p in tmp_path.iterdir()] == ["draft.md"]


def test_draft_with_a_model_to_file(openai_server: OpenAIServer, tmp_path: Path) -> None:
    target = tmp_path / "draft.md"
    code = draft_with_model(openai_server, target)
    assert code == 0
    assert target.read_text() == DEFAULT_TEXT
    assert openai_server.received[0].body["model"] == "m1"
    assert "Anchor Analytics" in openai_server.received[0].prompt


def test_cut_stream_leaves_earlier_draft_and_saves_partial(
    openai_server: OpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "draft.md"
    target.write_text(EARLIER)
    openai_server.script(Reply(mode="cut", cut_after=3))
    code = draft_with_model(openai_server, target)
    assert code == 1
    assert target.read_text() == EARLIER
    partial = tmp_path / "draft.md.partial"
    assert partial.read_text() == "".join(openai_server.pieces_of(DEFAULT_TEXT)[:3])
    err = capsys.readouterr().err
    assert "the draft is incomplete: the model's stream stopped midway" in err
    assert f"the partial text is in {partial}, and {target} was left as it was" in err


def test_model_failure_leaves_earlier_draft_and_never_prints_the_key(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    target = tmp_path / "draft.md"
    target.write_text(EARLIER)
    openai_server.script(Reply(mode="error", status=401))
    env = {
        **os.environ,
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": openai_server.base_url,
        "POSTMORTEM_MODEL": "m2",
    }
    env.pop("OPENAI_LOG", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_widgets",
            "draft",
            str(SEED),
            "--drafter",
            "openai",
            "--revise",
            "0",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("postmortem draft: error: the model server at")
    assert "refused the API key (HTTP 401): Incorrect API key provided: [redacted]" in done.stderr
    assert "Traceback" not in done.stderr and KEY not in done.stderr
    assert openai_server.received[0].headers["authorization"] == f"Bearer {KEY}"
    assert openai_server.received[0].body["model"] == "m2"
    assert target.read_text() == EARLIER
    assert [p.name for p in tmp_path.iterdir()] == ["draft.md"]


def test_draft_streams_to_stdout_and_reports_length(
    openai_server: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    openai_server.script(Reply(mode="length"))
    argv = ["draft", str(SEED), "--drafter", "openai", "--model", "m1", "--base-url", openai_server.base_url]
    argv += ["--revise", "0"]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == DEFAULT_TEXT
    assert "finish_reason 'length'" in captured.err


#: An Azure-style key: nothing about its shape says "key", only the configuration knows it.
HEX_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
ECHOED = [
    "## Summary\n\nThe model echoed the key it was sent: 0f1e2d3c4b5a",
    "69788796a5b4c3d2e1f0, and a token sk-proj-abc",
    "def1234567890XYZ too.\n",
]


@pytest.fixture
def server(openai_server: OpenAIServer) -> OpenAIServer:
    return openai_server


def draft_in_a_subprocess(
    server: OpenAIServer, target: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPENAI_API_KEY": HEX_KEY,
        "OPENAI_BASE_URL": server.base_url,
        "POSTMORTEM_MODEL": "m",
    }
    env.pop("POSTMORTEM_DEADLINE", None)
    argv = [sys.executable, "-m", "postmortem_widgets", "draft", str(SEED), "--drafter", "openai"]
    argv += ["--revise", "0"]
    return subprocess.run(
        [*argv, "-o", str(target), *extra], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_a_key_the_model_echoes_never_reaches_the_draft_file(server: OpenAIServer, tmp_path: Path) -> None:
    target = tmp_path / "draft.md"
    server.script(Reply(chunks=ECHOED))
    done = draft_in_a_subprocess(server, target)
    assert done.returncode == 0, done.stderr
    assert server.received[0].headers["authorization"] == f"Bearer {HEX_KEY}"
    assert target.read_text() == (
        "## Summary\n\nThe model echoed the key it was sent: [redacted], and a token [redacted] too.\n"
    )
    assert HEX_KEY[:12] not in done.stderr + done.stdout


def test_a_key_the_model_echoes_never_reaches_the_partial_file(server: OpenAIServer, tmp_path: Path) -> None:
    target = tmp_path / "draft.md"
    target.write_text(EARLIER)
    server.script(Reply(mode="cut", cut_after=2, chunks=ECHOED))
    done = draft_in_a_subprocess(server, target)
    assert done.returncode == 1
    partial = tmp_path / "draft.md.partial"
    assert partial.read_text() == (
        "## Summary\n\nThe model echoed the key it was sent: [redacted], and a token [redacted]"
    )
    assert target.read_text() == EARLIER
    assert "the model's stream stopped midway (the connection dropped; not retried)" in done.stderr


def test_draft_deadline_option(
    server: OpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "draft.md"
    server.script(Reply(mode="drip", delay=0.25))
    argv = ["draft", str(SEED), "--drafter", "openai", "--model", "m1", "--base-url", server.base_url]
    argv += ["--revise", "0"]
    assert main([*argv, "--deadline", "1", "-o", str(target)]) == 1
    partial = (tmp_path / "draft.md.partial").read_text()
    assert 0 < len(partial) < len(DEFAULT_TEXT) and not target.exists()
    err = capsys.readouterr().err
    assert (
        "postmortem draft: error: the draft is incomplete: the draft did not finish within the 1-second "
        f"deadline (the model was still writing; not retried); the {len(partial)} characters received so far "
        "are kept" in err
    )
