"""Ports and servers on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    """A port nothing listens on (bound, then released): for a server to take, or to be refused on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str]
    image: bytes | None

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.image is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(self.image)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recording_server(image: bytes | None = None) -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that remembers the path of every request, as ``("127.0.0.1:port", hits)``: the
    tests that something is inert point its URLs here and expect no hits. It answers 404, or serves
    ``image`` as a PNG to every request, so a renderer that would show a fetched image gets one."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits, "image": image})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
