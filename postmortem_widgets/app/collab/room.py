"""jupyter-collaboration's room protocol, as one more client of a file's shared document.

1. ``PUT api/collaboration/session/{path}`` with ``{"format": "text", "type": "file"}`` (what JupyterLab's
   text editor uses for a ``.md`` file: another format would open a second room) gives the file id and the
   server's session id.
2. The WebSocket ``api/collaboration/room/text:file:{fileId}?sessionId=...`` speaks y-websocket: byte 0 is
   0 SYNC (then 0 step 1, 1 step 2, 2 update), 1 AWARENESS (who is there), 2 RAW (Jupyter's save request
   and reply). The server sends its step 1 at once; we send ours and answer its; its step 2 means synced.
3. From then on each side sends updates; the server echoes every update to everyone, and re-applying a
   known update does nothing. Only local changes are sent (a remote one came from the server already).

Everything here runs on the :class:`~.text.SharedText` thread's event loop, the one thread that touches
the pycrdt objects.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from pycrdt import (
    Awareness,
    Decoder,
    Doc,
    Encoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
    read_message,
)

from ...errors import CollabError
from .server import JupyterServer, quote_path

#: Jupyter's own message type: save requests and their replies, and conflict notices.
RAW = 2


class Room:
    """One WebSocket connection to a file's room, feeding a pycrdt ``Doc`` and its ``Awareness``."""

    def __init__(
        self,
        server: JupyterServer,
        path: str,
        doc: Doc[Any],
        awareness: Awareness,
        *,
        on_closed: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self.server = server
        self.path = path
        self.doc = doc
        self.awareness = awareness
        self.on_closed = on_closed
        self.session: dict[str, Any] = {}
        self.closed = False
        self.close_reason = ""
        self._ws: Any = None
        self._synced = asyncio.Event()
        self._remote = False
        self._saves: dict[int, asyncio.Future[str]] = {}
        self._save_id = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._subscription: Any = None

    async def open(self, timeout: float) -> None:
        """Open a session, connect, sync; raises :class:`CollabError` when any of it fails in time."""
        loop = asyncio.get_running_loop()
        status, body = await loop.run_in_executor(
            None,
            lambda: self.server.request(
                "PUT",
                f"api/collaboration/session/{quote_path(self.path)}",
                body={"format": "text", "type": "file"},
                timeout=timeout,
            ),
        )
        if status not in (200, 201):
            raise CollabError(f"the server refused a shared session for {self.path} (HTTP {status})")
        self.session = json.loads(body)
        try:
            await asyncio.wait_for(self._connect(timeout), timeout)
        except (TimeoutError, OSError) as exc:
            await self.close()
            raise CollabError(
                f"could not join the shared document of {self.path}: {exc or type(exc).__name__}"
                + (f" ({self.close_reason})" if self.close_reason else "")
            ) from None

    async def _connect(self, timeout: float) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        room = f"{self.session['format']}:{self.session['type']}:{self.session['fileId']}"
        query = urllib.parse.urlencode({"sessionId": self.session["sessionId"]})
        request = HTTPRequest(
            f"{self.server.ws_url}api/collaboration/room/{room}?{query}",
            headers=self.server.headers,
            connect_timeout=timeout,
            request_timeout=timeout,
        )
        self._ws = await websocket_connect(request, max_message_size=256 * 1024 * 1024)
        self._subscription = self.doc.observe(self._on_transaction)
        self._send(create_sync_message(self.doc))
        self._tasks.append(asyncio.create_task(self._read()))
        await self._synced.wait()
        self.send_awareness()

    # -- sending ---------------------------------------------------------------------------------------

    def _send(self, message: bytes) -> None:
        if self._ws is None or self.closed:
            return
        future = self._ws.write_message(message, binary=True)
        future.add_done_callback(lambda f: f.exception())  # a closed socket is reported by the reader

    def _on_transaction(self, event: Any) -> None:
        if not self._remote:
            self._send(create_update_message(event.update))

    def send_awareness(self) -> None:
        update = self.awareness.encode_awareness_update([self.awareness.client_id])
        self._send(create_awareness_message(update))

    async def request_save(self, timeout: float) -> str:
        """Ask the server to write the document to disk now: ``success``, ``skipped`` or ``failed``."""
        self._save_id += 1
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._saves[self._save_id] = future
        encoder = Encoder()
        encoder.write_var_uint(RAW)
        encoder.write_var_string("save")
        encoder.write_var_uint(self._save_id)
        self._send(encoder.to_bytes())
        return await asyncio.wait_for(future, timeout)

    # -- receiving -------------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            while True:
                message = await self._ws.read_message()
                if message is None:
                    break
                if isinstance(message, bytes) and message:
                    self._handle(message)
        finally:
            code = getattr(self._ws, "close_code", None)
            reason = getattr(self._ws, "close_reason", None)
            self.close_reason = f"closed by the server ({code} {reason or ''})".strip()
            self._finish()

    def _handle(self, message: bytes) -> None:
        kind = message[0]
        if kind == YMessageType.SYNC:
            self._remote = True
            try:
                reply = handle_sync_message(message[1:], self.doc)
            finally:
                self._remote = False
            if reply is not None:
                self._send(reply)
            if message[1] == YSyncMessageType.SYNC_STEP2:
                self._synced.set()
        elif kind == YMessageType.AWARENESS:
            self.awareness.apply_awareness_update(read_message(message[1:]), "remote")
        elif kind == RAW:
            self._raw(json.loads(Decoder(message[1:]).read_var_string()))

    def _raw(self, payload: dict[str, Any]) -> None:
        if payload.get("type") == "save":
            future = self._saves.pop(payload.get("responseTo", -1), None)
            if future is not None and not future.done():
                future.set_result(str(payload.get("status")))

    def _finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._subscription is not None:
            self.doc.unobserve(self._subscription)
        for future in self._saves.values():
            if not future.done():
                future.set_result("failed")
        self.on_closed(self.close_reason)

    async def close(self) -> None:
        """Say goodbye (an empty awareness state, so the others see us leave) and close the socket."""
        if self._ws is not None and not self.closed:
            update = Encoder()
            update.write_var_uint(1)
            update.write_var_uint(self.awareness.client_id)
            update.write_var_uint(self.awareness.meta.get(self.awareness.client_id, {}).get("clock", 0) + 1)
            update.write_var_string("null")
            self._send(create_awareness_message(update.to_bytes()))
            await asyncio.sleep(0.05)
            self._ws.close()
        for task in self._tasks:
            task.cancel()
        self.close_reason = self.close_reason or "closed by this form"
        self._finish()


__all__ = ["RAW", "CollabError", "Room"]
