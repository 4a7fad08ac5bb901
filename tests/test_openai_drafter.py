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
    DraftDeadlineError,
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
from postmortem_widgets.writing.drafters.scrubbing import HOLD_BACK
from postmortem_widgets.writing.prompt import Prompt, build_prompt
from tests.support.net import free_port
from tests.support.openai_server import DEFAULT_TEXT, ManualClock, OpenAIServer, Reply
from tests.support.paths import DATA

KEY = "sk-test-5ecret-d0-not-leak-4242"
MODEL = "postmortem-test-model"
Case = tuple[Incident, Timeline, Prompt]


@pytest.fixture(scope="module")
def case() -> Case:
    incident = load_incident(DATA / "prompt" / "incident.yaml")
    timeline = incident_timeline(incident)
    return incident, timeline, build_prompt(incident, timeline)


@pytest.fixture
def server(openai_server: OpenAIServer) -> OpenAIServer:
    return openai_server


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
    assert (d.model, d.timeout, d.max_retries, d.deadline) == ("env-model", 60.0, 2, 300.0)
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


# --- the key never reaches the draft ------------------------------------------------------------------

ECHO = [
    "## Summary\n\nThe model repeated the request header: Authorization: Bear",
    "er sk-test-5ecr",
    "et-d0-",
    "not-leak-4242 and then a GitHub token ghp_",
    "0123456789abcdefghijABCDEFGHIJ0123 in the same line.\n\n",
    "## What Happened (Timeline)\n\n- **9:14am ET:** Cache deployment completed\n",
]


def test_a_key_echoed_and_split_across_chunks_is_scrubbed_in_the_stream(
    server: OpenAIServer, case: Case
) -> None:
    server.script(Reply(chunks=ECHO))
    chunks: list[str] = []
    result = generate_draft(drafter(server), *case, on_chunk=chunks.append)
    assert result.complete
    assert result.text == (
        "## Summary\n\nThe model repeated the request header: Authorization: [redacted] and then a GitHub "
        "token [redacted] in the same line.\n\n"
        "## What Happened (Timeline)\n\n- **9:14am ET:** Cache deployment completed\n"
    )
    assert "".join(chunks) == result.text
    for chunk in chunks:  # no piece a consumer sees holds a piece of the key
        assert "5ecr" not in chunk and "not-leak" not in chunk and "ghp_" not in chunk


def test_a_key_in_a_whole_answer_is_scrubbed(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(text=f"## Summary\n\nThe key {KEY} leaked.\n"))
    result = run(drafter(server, stream=False), case)
    assert result.text == "## Summary\n\nThe key [redacted] leaked.\n"


def test_a_stream_cut_inside_the_key_keeps_no_part_of_it(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="cut", cut_after=3, chunks=ECHO))
    result = run(drafter(server), case)
    assert result.text == "## Summary\n\nThe model repeated the request header: Authorization: [redacted]"
    assert result.problem == (
        "the model's stream stopped midway (the connection dropped; not retried); the 76 characters "
        "received so far are kept but the draft is incomplete. Hint: run the draft again"
    )


def test_stop_inside_the_key_releases_none_of_it(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="drip", delay=0.05, chunks=ECHO))
    stream = drafter(server).stream(*case)
    seen = next(stream)  # all but the held-back tail
    stream.close()
    assert seen == stream.result.text == ECHO[0][: len(ECHO[0]) - HOLD_BACK]


# --- retries, said exactly ------------------------------------------------------------------------------


def test_429_with_a_retry_after_past_the_deadline_is_not_waited_for(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="error", status=429, headers={"Retry-After": "3600"}))
    clock = ManualClock()
    with pytest.raises(DraftRateLimitError) as caught:
        run(drafter(server, clock=clock, sleep=clock.sleep), case)
    assert str(caught.value) == (
        f"the model server at {server.base_url} is rate limiting requests (HTTP 429); it asked us to retry "
        "after 3600 seconds (Retry-After), past the 300-second deadline, so it was not retried: Rate limit "
        "reached for requests. Hint: wait and run the draft again, or check your plan's rate limits"
    )
    assert caught.value.retry_after == 3600
    assert (clock.sleeps, len(server.received)) == ([], 1)


def test_retry_after_is_honoured_up_to_the_deadline(server: OpenAIServer, case: Case) -> None:
    server.script(*[Reply(mode="error", status=429, headers={"Retry-After": "200"})] * 2)
    clock = ManualClock()
    with pytest.raises(DraftRateLimitError) as caught:
        run(drafter(server, clock=clock, sleep=clock.sleep), case)
    assert str(caught.value) == (
        f"the model server at {server.base_url} is rate limiting requests (HTTP 429) after 1 retry; it asked "
        "us to retry after 200 seconds (Retry-After), past the 300-second deadline, so it was not retried "
        "again: Rate limit reached for requests. Hint: wait and run the draft again, or check your plan's "
        "rate limits"
    )
    assert (clock.sleeps, len(server.received)) == ([200.0], 2)


def test_retries_are_counted_with_their_backoff(server: OpenAIServer, case: Case) -> None:
    server.script(*[Reply(mode="error", status=503, message="overloaded")] * 3)
    clock = ManualClock()
    with pytest.raises(DraftServerError) as caught:
        run(drafter(server, clock=clock, sleep=clock.sleep), case)
    assert str(caught.value) == (
        f"the model server at {server.base_url} failed with HTTP 503 after 2 retries: overloaded. Hint: the "
        "problem is on the server's side; try again later"
    )
    assert (clock.sleeps, len(server.received)) == ([0.5, 1.0], 3)
    # The SDK's client does not retry underneath: every attempt was one request the drafter made.
    assert [r.headers["x-stainless-retry-count"] for r in server.received] == ["0", "0", "0"]


def test_the_deadline_cuts_the_retries_short(server: OpenAIServer, case: Case) -> None:
    server.script(*[Reply(mode="error", status=500)] * 3)
    clock = ManualClock()
    with pytest.raises(DraftServerError) as caught:
        run(drafter(server, deadline=1.0, clock=clock, sleep=clock.sleep), case)
    assert str(caught.value) == (
        f"the model server at {server.base_url} failed with HTTP 500 after 1 retry; the 1-second deadline "
        "left no time to retry again: The server had an error. Hint: the problem is on the server's side; "
        "try again later"
    )
    assert (clock.sleeps, len(server.received)) == ([0.5], 2)


def test_a_timeout_is_not_retried(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="hang"))
    began = time.monotonic()
    with pytest.raises(DraftTimeoutError) as caught:
        run(drafter(server, timeout=0.5), case)  # default retries and deadline
    assert time.monotonic() - began < 2
    assert str(caught.value) == (
        f"the model server at {server.base_url} did not answer within 0.5 seconds (a timeout is not "
        "retried: the request may still be running on the server). Hint: try again, raise the timeout "
        "(--timeout), or use a smaller or faster model"
    )
    assert len(server.received) == 1


def test_a_hang_before_the_headers_ends_at_the_deadline(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="hang"))
    began = time.monotonic()
    with pytest.raises(DraftDeadlineError) as caught:
        run(drafter(server, timeout=30.0, deadline=0.5), case)
    assert time.monotonic() - began < 2
    assert str(caught.value) == (
        f"the model server at {server.base_url} had not answered when the 0.5-second deadline passed. Hint: "
        "try again later, raise the deadline (--deadline or POSTMORTEM_DEADLINE), or use a faster model"
    )


def test_a_timeout_after_a_retry_says_so(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="error", status=502), Reply(mode="hang"))
    clock = ManualClock()
    with pytest.raises(DraftTimeoutError) as caught:
        run(drafter(server, timeout=0.5, clock=clock, sleep=clock.sleep), case)
    assert str(caught.value).startswith(
        f"the model server at {server.base_url} did not answer within 0.5 seconds after 1 retry (a timeout "
        "is not retried"
    )
    assert (clock.sleeps, len(server.received)) == ([0.5], 2)


def test_connection_refused_is_retried_and_counted(case: Case) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    clock = ManualClock()
    with pytest.raises(DraftConnectionError) as caught:
        run(OpenAIDrafter(model=MODEL, base_url=url, api_key=KEY, clock=clock, sleep=clock.sleep), case)
    assert str(caught.value).endswith(
        ") after 2 retries. Hint: is the server running? check OPENAI_BASE_URL (or --base-url)"
    )
    assert clock.sleeps == [0.5, 1.0]


# --- why a stream stopped -------------------------------------------------------------------------------


def test_a_stream_that_hangs_midway_says_so(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="stall", cut_after=4))
    began = time.monotonic()
    result = run(drafter(server, timeout=0.5), case)
    assert time.monotonic() - began < 3
    assert result.text == "".join(server.pieces_of(DEFAULT_TEXT)[:4])
    assert not result.complete and isinstance(result.error, DraftInterruptedError)
    assert result.problem == (
        "the model's stream stopped midway (it hung: no data for 0.5 seconds; not retried); the 52 "
        "characters received so far are kept but the draft is incomplete. Hint: run the draft again"
    )
    assert len(server.received) == 1


def test_a_stream_that_hangs_before_any_text_raises(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="stall", cut_after=0))
    with pytest.raises(DraftInterruptedError) as caught:
        run(drafter(server, timeout=0.5), case)
    assert str(caught.value) == (
        "the model's stream stopped before any text arrived (it hung: no data for 0.5 seconds; not "
        "retried). Hint: run the draft again"
    )


#: Six pieces longer than the scrubber holds back, so each one reaches the reader as it arrives.
DRIP = [f"{'#' if i == 0 else '-'} piece {i} " + "x" * 61 + "\n" for i in range(6)]


def test_a_slow_drip_stops_at_the_deadline(server: OpenAIServer, case: Case) -> None:
    """One piece every 3 seconds (on the test's clock) against a 10-second deadline: four pieces."""
    server.script(Reply(chunks=DRIP))
    clock = ManualClock()
    result = generate_draft(
        drafter(server, deadline=10.0, clock=clock, sleep=clock.sleep),
        *case,
        on_chunk=lambda _: clock.advance(3.0),
    )
    assert result.text == "".join(DRIP[:4])
    assert not result.complete and isinstance(result.error, DraftDeadlineError)
    assert result.problem == (
        "the draft did not finish within the 10-second deadline (the model was still writing; not "
        "retried); the 288 characters received so far are kept but the draft is incomplete. Hint: raise "
        "the deadline (--deadline or POSTMORTEM_DEADLINE), or use a faster model"
    )


def test_a_slow_drip_stops_at_the_deadline_in_real_time(server: OpenAIServer, case: Case) -> None:
    server.script(Reply(mode="drip", delay=0.25))
    began = time.monotonic()
    result = run(drafter(server, deadline=1.0), case)
    assert time.monotonic() - began < 2
    assert 0 < len(result.text) < len(DEFAULT_TEXT)
    assert result.problem == (
        "the draft did not finish within the 1-second deadline (the model was still writing; not retried); "
        f"the {len(result.text)} characters received so far are kept but the draft is incomplete. Hint: "
        "raise the deadline (--deadline or POSTMORTEM_DEADLINE), or use a faster model"
    )


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_the_content_filter_stopping_the_draft_says_so(
    server: OpenAIServer, case: Case, stream: bool
) -> None:
    server.script(Reply(mode="content_filter", cut_after=4))
    result = run(drafter(server, stream=stream), case)
    kept = "".join(server.pieces_of(DEFAULT_TEXT)[:4]) if stream else DEFAULT_TEXT
    assert result.text == kept
    assert (result.complete, result.finish_reason) == (False, "content_filter")
    assert result.problem == (
        "the model's content filter stopped the draft (finish_reason 'content_filter'); the "
        f"{len(kept)} characters received so far are kept but the draft is incomplete; look for event text "
        "or fields that could read as harmful, or draft offline"
    )


def test_the_deadline_comes_from_the_environment(server: OpenAIServer) -> None:
    env = {"OPENAI_API_KEY": KEY, "POSTMORTEM_MODEL": "m", "POSTMORTEM_DEADLINE": "45"}
    assert OpenAIDrafter(env=env).deadline == 45.0
    assert OpenAIDrafter(env=env, deadline=5).deadline == 5.0
    assert get_drafter("openai", env=env, deadline=7.5).deadline == 7.5  # type: ignore[attr-defined]
    with pytest.raises(DraftConfigError, match="POSTMORTEM_DEADLINE is not a number of seconds: 'soon'"):
        OpenAIDrafter(env={**env, "POSTMORTEM_DEADLINE": "soon"})
    with pytest.raises(DraftConfigError, match="the deadline must be a positive number of seconds, not 0"):
        OpenAIDrafter(env=env, deadline=0)
