"""A small OpenAI-compatible chat-completions server on 127.0.0.1, for tests of the real openai client.

It speaks real HTTP/1.1: JSON replies, and server-sent events in chunked transfer encoding for
``stream: true``. Each request takes the next scripted :class:`Reply` (the default is a normal answer),
and every request is recorded so tests can assert what the client sent.

The suite runs one for the whole session (the ``openai_server`` fixture) and :meth:`OpenAIServer.reset`
puts it back to a fresh server's state around every test that uses it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_TEXT = (
    "## Summary\n\nOn April 15, 2024, Anchor Analytics had a 2-hour 33-minute incident.\n\n"
    "## What Happened (Timeline)\n\n- **9:14am ET:** Cache deployment completed\n"
)
#: How many stream chunks the answer is cut into.
DEFAULT_PIECES = 12
#: How long :meth:`OpenAIServer.reset` waits for requests still being answered.
SETTLE_SECONDS = 5.0


@dataclass
class Reply:
    """What the server does with one request.

    ``mode``: ``ok`` (answer; streamed if asked), ``error`` (``status`` with an OpenAI-style error body),
    ``cut`` (stream ``cut_after`` chunks, then drop the connection), ``length`` (finish_reason length),
    ``no_finish`` (stream ends cleanly but never gives a finish_reason), ``slow`` (sleep ``delay`` first),
    ``hang`` (never send the headers, until the server stops), ``stall`` (stream ``cut_after`` chunks, then
    send nothing more until the server stops), ``drip`` (stream each chunk ``delay`` seconds after the last),
    ``content_filter`` (stream ``cut_after`` chunks, then finish_reason content_filter).
    ``chunks`` replaces the text's even split with exactly these pieces (to split a key across chunks).
    """

    mode: str = "ok"
    status: int = 200
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut_after: int = 3
    text: str | None = None
    chunks: list[str] | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Every message's content, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


class OpenAIServer:
    """``with OpenAIServer() as server: ... server.base_url ...``"""

    def __init__(self, text: str = DEFAULT_TEXT, *, pieces: int = DEFAULT_PIECES) -> None:
        self.text = text
        self.pieces = pieces
        self.replies: deque[Reply] = deque()
        self.received: list[Received] = []
        #: Set to let ``slow`` replies give up waiting (on exit, and by :meth:`reset`).
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._answering = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="openai-server",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next requests, in order."""
        with self._lock:
            self.replies.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self.replies.popleft() if self.replies else Reply()

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def answering(self, delta: int) -> None:
        """Count a request in (``+1``) or out (``-1``): :meth:`reset` waits until none is being answered."""
        with self._settled:
            self._answering += delta
            self._settled.notify_all()

    def reset(self, text: str = DEFAULT_TEXT, *, pieces: int = DEFAULT_PIECES) -> bool:
        """Back to a fresh server's state: what one test scripted or received never reaches the next.

        Releases ``slow`` replies still waiting, waits up to :data:`SETTLE_SECONDS` for requests still being
        answered, then drops unused scripted replies and the received requests and restores ``text`` and
        ``pieces``. Returns whether every request had finished. The port stays the same.
        """
        self.stopping.set()
        with self._settled:
            settled = self._settled.wait_for(lambda: self._answering == 0, timeout=SETTLE_SECONDS)
            self.replies = deque()
            self.received = []
            self.text = text
            self.pieces = pieces
            self.stopping = threading.Event()
        return settled

    def __enter__(self) -> OpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def pieces_of(self, text: str) -> list[str]:
        size = max(1, -(-len(text) // self.pieces))
        return [text[i : i + size] for i in range(0, len(text), size)]


def usage_of(body: dict[str, Any], text: str) -> dict[str, int]:
    """The token counts this server reports: a token per 4 characters of the messages and of the answer."""
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    return {"prompt_tokens": -(-prompt // 4), "completion_tokens": -(-len(text) // 4)}


def _usage_chunk(model: str, usage: dict[str, int]) -> bytes:
    """The last chunk of a stream asked for ``stream_options.include_usage``: no choices, the usage."""
    payload = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1713186840,
        "model": model,
        "choices": [],
        "usage": {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]},
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def _chunk(model: str, *, content: str | None = None, finish: str | None = None, role: bool = False) -> bytes:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = "assistant"
    if content is not None:
        delta["content"] = content
    payload = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1713186840,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def _handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to ``server``: the HTTP server makes one instance per connection."""
    return type("Handler", (_Handler,), {"owner": server})


class _Handler(BaseHTTPRequestHandler):
    """Answers chat completions as :attr:`owner` scripts them."""

    owner: OpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read :attr:`OpenAIServer.received` instead."""

    def handle(self) -> None:
        """A client that hangs up (Stop, a timeout) ends its connection; that is no server error."""
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_POST(self) -> None:
        self.owner.answering(+1)
        try:
            self._answer()
        finally:
            self.owner.answering(-1)

    def _answer(self) -> None:
        body = self._read_body()
        self.owner.record(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(
                404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}}
            )
            return
        reply = self.owner.next_reply()
        model = str(body.get("model", ""))
        if reply.mode == "slow" and self.owner.stopping.wait(reply.delay):
            return
        if reply.mode == "hang":
            self.owner.stopping.wait()
            return
        if reply.mode == "error":
            self._error(reply, model)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._complete(reply, model, body)

    def _read_body(self) -> dict[str, Any]:
        """The request's JSON body; ``{}`` when it is empty or not JSON (the request is still recorded)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: dict[str, Any] = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {}
        return body

    def _complete(self, reply: Reply, model: str, body: dict[str, Any]) -> None:
        """The answer's text, streamed when the request asks for a stream, else as one JSON reply."""
        text = self.owner.text if reply.text is None else reply.text
        if reply.chunks is not None:
            text = "".join(reply.chunks)
        if body.get("stream"):
            options = body.get("stream_options") or {}
            usage = usage_of(body, text) if options.get("include_usage") else None
            self._stream(reply, model, reply.chunks or self.owner.pieces_of(text), usage)
        else:
            self._whole(reply, model, text)

    def _error(self, reply: Reply, model: str) -> None:
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        defaults = {
            401: (f"Incorrect API key provided: {key}.", "invalid_request_error", "invalid_api_key"),
            404: (
                f"The model `{model}` does not exist or you do not have access to it.",
                "invalid_request_error",
                "model_not_found",
            ),
            429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
        }
        message, kind, code = defaults.get(reply.status, ("The server had an error.", "server_error", None))
        payload = {"error": {"message": reply.message or message, "type": kind, "param": None, "code": code}}
        self._send_json(reply.status, payload, reply.headers)

    def _whole(self, reply: Reply, model: str, text: str) -> None:
        finish = reply.mode if reply.mode in ("length", "content_filter") else "stop"
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1713186840,
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
        }
        self._send_json(200, payload)

    def _stream(
        self, reply: Reply, model: str, pieces: list[str], usage: dict[str, int] | None = None
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._write_chunk(_chunk(model, role=True, content=""))
        for index, piece in enumerate(pieces):
            if index >= reply.cut_after and self._stop_early(reply, model):
                return
            if reply.mode == "drip" and self.owner.stopping.wait(reply.delay):
                return
            self._write_chunk(_chunk(model, content=piece))
        if reply.mode == "stall" and self._stop_early(reply, model):
            return
        if reply.mode != "no_finish":
            finish = reply.mode if reply.mode in ("length", "content_filter") else "stop"
            self._write_chunk(_chunk(model, finish=finish))
        if usage is not None:
            self._write_chunk(_usage_chunk(model, usage))
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _stop_early(self, reply: Reply, model: str) -> bool:
        """At chunk ``cut_after``: ``cut`` drops the connection, ``stall`` goes silent, ``content_filter``
        finishes; True when the stream has ended."""
        if reply.mode == "cut":
            time.sleep(0.05)
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return True
        if reply.mode == "stall":
            self.owner.stopping.wait()
            return True
        if reply.mode == "content_filter":
            self._write_chunk(_chunk(model, finish="content_filter"))
            self._write_chunk(b"data: [DONE]\n\n")
            self._write_chunk(b"")
            return True
        return False


class ManualClock:
    """A monotonic clock that moves only when told: ``sleep`` advances it, so retry waits take no time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
