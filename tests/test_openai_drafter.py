"""The OpenAI-compatible drafter: the real openai client over real HTTP to a server on 127.0.0.1."""

from __future__ import annotations

import logging
import time

import openai
import pytest

from postmortem_widgets.errors import (
    DraftAuthError,
    DraftConfigError,
    DraftConnectionError,
    DraftInterruptedError,
    DraftModelNotFoundError,
    DraftRateLimitError,
    DraftServerError,
    DraftTimeoutError,
)
from postmortem_widgets.incident.record import Incident, load_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.merge import Timeline
from postmortem_widgets.writing.drafters import DraftResult, OpenAIDrafter, generate_draft, get_drafter
from postmortem_widgets.writing.prompt import Prompt, build_prompt
from tests.support.net import free_port
from tests.support.openai_server import DEFAULT_TEXT, OpenAIServer, Reply
from tests.support.paths import DATA

KEY = "sk-test-5ecret-d0-not-leak-4242"
MODEL = "postmortem-test-model"
Case = tuple[Incident, Timeline, Prompt]


@pytest.fixture(scope="module")
def case() -> Case:
    incident = load_incident(DATA / "prompt" / "incident.yaml")
    timeline = incident_timeline(incident)
    return incident, timeline, build_prompt(incident, timeline)


def drafter(server: OpenAIServer, **kwargs: object) -> OpenAIDrafter:
    options: dict[str, object] = {"model": MODEL, "base_url": server.base_url, "api_key": KEY, "timeout": 5.0}
    options.update(kwargs)
    return OpenAIDrafter(**options)  # type: ignore[arg-type]


def run(d: OpenAIDrafter, case: Case) -> DraftResult:
    return d.stream(*case).collect()


def test_streams_the_draft_and_sends_model_and_prompt(openai_server: OpenAIServer, case: Case) -> None:
    chunks: list[str] = []
    result = generate_draft(drafter(openai_server), *case, on_chunk=chunks.append)
    assert result.text == DEFAULT_TEXT
    assert len(chunks) > 5  # it really streamed
    assert (result.complete, result.finish_reason, result.error, result.model) == (True, "stop", None, MODEL)
    [received] = openai_server.received
    assert received.path == "/v1/chat/completions"
    assert received.body["model"] == MODEL
    assert received.body["stream"] is True
    assert received.headers["authorization"] == f"Bearer {KEY}"
    assert [m["role"] for m in received.body["messages"]] == ["system", "user"]
    prompt = case[2]
    sent = received.prompt
    assert sent == f"{prompt.system}\n{prompt.user}"
    for fact in (
        "Anchor Analytics",
        "2 hours 33 minutes (9:14am - 11:47am ET)",
        "- Detected: 9:42am ET (by a customer)",
        "a routine cache deployment failed silently",
        "no data was lost or corrupted",
    ):
        assert fact in sent
    user = received.body["messages"][1]["content"]
    begin, end = f"<<<BEGIN EVENT DATA {prompt.nonce}>>>", f"<<<END EVENT DATA {prompt.nonce}>>>"
    block = user.split(begin)[1].split(end)[0]
    assert "Ignore all previous instructions" in block
    assert "Ignore all previous instructions" not in user.replace(block, "")
    assert begin in received.body["messages"][0]["content"]


def test_non_streaming_mode(openai_server: OpenAIServer, case: Case) -> None:
    result = run(drafter(openai_server, stream=False), case)
    assert (result.text, result.complete, result.finish_reason) == (DEFAULT_TEXT, True, "stop")
    assert "stream" not in openai_server.received[0].body


def test_401_is_a_clear_auth_error_without_the_key(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="error", status=401))
    with pytest.raises(DraftAuthError) as caught:
        run(drafter(openai_server), case)
    message = str(caught.value)
    assert f"the model server at {openai_server.base_url} refused the API key (HTTP 401)" in message
    assert "Incorrect API key provided: [redacted]" in message  # the server echoed the key: it is scrubbed
    assert KEY not in message and KEY not in repr(caught.value.args)
    assert "Hint: check OPENAI_API_KEY" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_404_names_the_unknown_model(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="error", status=404))
    with pytest.raises(DraftModelNotFoundError) as caught:
        run(drafter(openai_server, model="no-such-model"), case)
    assert f"the model server at {openai_server.base_url} has no model 'no-such-model' (HTTP 404)" in str(
        caught.value
    )
    assert openai_server.received[0].body["model"] == "no-such-model"


def test_429_with_retry_after_then_success(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="error", status=429, headers={"Retry-After": "1"}))
    began = time.monotonic()
    result = run(drafter(openai_server), case)
    assert time.monotonic() - began >= 0.9  # the client waited as the server asked
    assert (result.text, result.complete) == (DEFAULT_TEXT, True)
    assert len(openai_server.received) == 2


def test_429_that_persists_reports_retry_after(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="error", status=429, headers={"Retry-After": "30"}))
    with pytest.raises(DraftRateLimitError) as caught:
        run(drafter(openai_server, max_retries=0), case)
    assert caught.value.retry_after == 30
    assert "is rate limiting requests (HTTP 429); it asked us to retry after 30 seconds (Retry-After)" in str(
        caught.value
    )


def test_500_then_success(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="error", status=500))
    result = run(drafter(openai_server), case)
    assert (result.text, result.complete) == (DEFAULT_TEXT, True)
    assert len(openai_server.received) == 2


def test_500_that_persists_is_a_server_error(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(*[Reply(mode="error", status=503, message="overloaded")] * 2)
    with pytest.raises(DraftServerError) as caught:
        run(drafter(openai_server, max_retries=1), case)
    assert "failed with HTTP 503 after 1 retry: overloaded" in str(caught.value)
    assert len(openai_server.received) == 2


def test_stream_cut_midway_keeps_partial_text_marked_incomplete(
    openai_server: OpenAIServer, case: Case
) -> None:
    openai_server.script(Reply(mode="cut", cut_after=4))
    result = run(drafter(openai_server), case)
    expected = "".join(openai_server.pieces_of(DEFAULT_TEXT)[:4])
    assert result.text == expected
    assert not result.complete
    assert isinstance(result.error, DraftInterruptedError)
    assert result.problem is not None
    assert "stopped midway" in result.problem
    assert f"the {len(expected)} characters received so far are kept" in result.problem
    assert len(openai_server.received) == 1  # a stream is never silently restarted


def test_stream_cut_before_any_text_raises(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="cut", cut_after=0))
    with pytest.raises(DraftInterruptedError, match="stopped before any text arrived"):
        run(drafter(openai_server), case)


def test_finish_reason_length_is_reported(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="length"))
    result = run(drafter(openai_server, max_tokens=50), case)
    assert result.text == DEFAULT_TEXT
    assert (result.complete, result.finish_reason) == (False, "length")
    assert result.problem is not None and "finish_reason 'length'" in result.problem
    assert openai_server.received[0].body["max_tokens"] == 50


def test_stream_without_finish_reason_is_incomplete(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="no_finish"))
    result = run(drafter(openai_server), case)
    assert result.text == DEFAULT_TEXT and not result.complete
    assert isinstance(result.error, DraftInterruptedError)


def test_slow_server_times_out(openai_server: OpenAIServer, case: Case) -> None:
    openai_server.script(Reply(mode="slow", delay=10))
    began = time.monotonic()
    with pytest.raises(DraftTimeoutError) as caught:
        run(drafter(openai_server, timeout=0.5, max_retries=0), case)
    assert time.monotonic() - began < 3
    assert f"the model server at {openai_server.base_url} did not answer within 0.5 seconds" in str(
        caught.value
    )


def test_connection_refused(case: Case) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(DraftConnectionError) as caught:
        run(OpenAIDrafter(model=MODEL, base_url=url, api_key=KEY, max_retries=0), case)
    assert f"cannot reach the model server at {url}" in str(caught.value)
    assert "Hint: is the server running?" in str(caught.value)


def test_stop_early_keeps_what_arrived(openai_server: OpenAIServer, case: Case) -> None:
    stream = drafter(openai_server).stream(*case)
    first = next(stream)
    stream.close()
    assert stream.result.text == first and not stream.result.complete


def test_key_never_appears_in_output_logs_or_errors(
    openai_server: OpenAIServer, case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    d = drafter(openai_server, max_retries=1)
    openai_server.script(
        Reply(mode="error", status=401), Reply(mode="error", status=500), Reply(mode="cut", cut_after=2)
    )
    texts: list[str] = [repr(d)]
    for _ in range(3):
        try:
            result = run(d, case)
            texts += [result.text, repr(result), str(result.problem)]
        except Exception as exc:  # every error's text is checked below
            texts += [str(exc), repr(exc)]
    assert len(openai_server.received) == 4  # 401, 500 + retry, cut
    texts += [record.getMessage() for record in caplog.records]
    assert any("HTTP" in t for t in texts)
    for text in texts:
        assert KEY not in text


def test_configuration_from_environment(openai_server: OpenAIServer, case: Case) -> None:
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": openai_server.base_url, "POSTMORTEM_MODEL": "env-model"}
    d = get_drafter("openai", env=env)
    assert isinstance(d, OpenAIDrafter)
    assert (d.model, d.timeout, d.max_retries) == ("env-model", 60.0, 2)
    result = run(d, case)
    assert result.complete
    assert openai_server.received[0].body["model"] == "env-model"
    # Arguments win over the environment.
    assert OpenAIDrafter(model="arg-model", env=env).model == "arg-model"


def test_local_server_needs_no_key(openai_server: OpenAIServer, case: Case) -> None:
    result = run(OpenAIDrafter(model=MODEL, base_url=openai_server.base_url, env={}), case)
    assert result.complete
    assert openai_server.received[0].headers["authorization"] == "Bearer not-needed"


def test_missing_settings_are_config_errors() -> None:
    with pytest.raises(
        DraftConfigError, match=r"no model name\. Hint: pass --model NAME or set POSTMORTEM_MODEL"
    ):
        OpenAIDrafter(env={"OPENAI_API_KEY": KEY})
    with pytest.raises(
        DraftConfigError, match=r"no API key for https://api.openai.com/v1\. Hint: set OPENAI_API_KEY"
    ):
        OpenAIDrafter(model=MODEL, env={})
    with pytest.raises(DraftConfigError, match="unknown drafter 'gpt'"):
        get_drafter("gpt")


def test_injected_client(openai_server: OpenAIServer, case: Case) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=openai_server.base_url, max_retries=0, timeout=5)
    openai_server.script(Reply(mode="error", status=401))
    d = OpenAIDrafter(client, model=MODEL)
    with pytest.raises(DraftAuthError) as caught:
        run(d, case)
    assert KEY not in str(caught.value)
    assert run(d, case).text == DEFAULT_TEXT
