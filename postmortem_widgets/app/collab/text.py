"""The draft as a CRDT text on a thread of its own: local, or joined to the file's room on the server.

pycrdt objects must stay on one thread, so a :class:`SharedText` owns a thread and an event loop and every
public method runs its work there and waits (a fraction of a millisecond). Listeners are called *on that
thread*: they may read :attr:`SharedText.text` (a call from the thread itself runs at once) but should hand
any widget work to the kernel's own loop.

Edits made on an older state are never applied blindly. :meth:`SharedText.apply_edit` takes the text an
editor was showing and the snapshot it was at: when the document moved on meanwhile, the edit is replayed
on a copy of that snapshot and the copy's update merged in, so a concurrent edit by anyone else stays.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from pycrdt import Awareness, Doc, Text

from ...errors import CollabError
from .edits import diff_ops, utf8_offset
from .room import Room
from .server import JupyterServer

T = TypeVar("T")
#: ``listener(text, local)``: the text changed; ``local`` when this process made the change.
Listener = Callable[[str, bool], None]
#: An awareness state older than this is someone who left without saying so (JupyterLab renews every 15 s).
STALE_AFTER = 40.0
RENEW_EVERY = 15.0


@dataclass(frozen=True)
class Peer:
    """Someone else in the room: a JupyterLab editor or another form."""

    client_id: int
    name: str
    form: bool


def _apply(text: Text, current: str, ops: list[tuple[int, int, str]]) -> None:
    """Apply an edit script (indices in ``current``) back to front, converting to UTF-8 offsets."""
    for start, end, value in sorted(ops, reverse=True):
        begin, stop = utf8_offset(current, start), utf8_offset(current, end)
        if stop > begin:
            del text[begin:stop]
        if value:
            text.insert(begin, value)


class SharedText:
    """One text shared by every editor of it (see the module). Start it with :meth:`local` or :meth:`join`."""

    def __init__(self, *, thread_name: str = "postmortem-shared-text") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=thread_name, daemon=True)
        self._thread.start()
        self._listeners: list[Listener] = []
        self._remote = False
        self._last = ""
        self.room: Room | None = None
        self.path = ""
        self.closed_reason = ""
        self._renewer: asyncio.Task[None] | None = None
        self._doc, self._text, self.awareness = self._call(self._make)

    def _make(self) -> tuple[Doc[Any], Text, Awareness]:
        doc: Doc[Any] = Doc()
        text = doc.get("source", type=Text)
        text.observe(self._on_text)
        return doc, text, Awareness(doc)

    # -- starting ---------------------------------------------------------------------------------------

    @classmethod
    def local(cls, text: str = "") -> SharedText:
        """A text only this process edits (no collaboration on the server): the form saves it to disk."""
        shared = cls()
        if text:
            shared._call(lambda: shared._text.insert(0, text))
        return shared

    @classmethod
    def join(cls, server: JupyterServer, path: str, *, user: str, timeout: float = 15.0) -> SharedText:
        """The shared document the server keeps for ``path`` (relative to its root); its text is the truth.

        Raises :class:`~postmortem_widgets.errors.CollabError` if it cannot be joined in ``timeout`` s.
        """
        shared = cls()
        shared.path = path
        try:
            shared._run(shared._join(server, path, user, timeout), timeout + 5)
        except BaseException:
            shared.close()
            raise
        return shared

    async def _join(self, server: JupyterServer, path: str, user: str, timeout: float) -> None:
        self.awareness.set_local_state(
            {
                "user": {
                    "username": f"postmortem-form-{self.awareness.client_id}",
                    "name": f"{user} (postmortem form)",
                    "display_name": f"{user} (postmortem form)",
                    "initials": "PM",
                    "color": "#6b7f99",
                },
                "postmortem": {"form": True, "user": user},
            }
        )
        room = Room(server, path, self._doc, self.awareness, on_closed=self._on_closed)
        await room.open(timeout)
        self.room = room
        self._renewer = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while self.room is not None and not self.room.closed:
            await asyncio.sleep(RENEW_EVERY)
            state = self.awareness.get_local_state()
            if state is not None and self.room is not None:
                self.awareness.set_local_state(dict(state))
                self.room.send_awareness()

    def _on_closed(self, reason: str) -> None:
        import logging

        logging.getLogger("postmortem_widgets.collab").warning("left the room of %s: %s", self.path, reason)
        self.closed_reason = reason
        for listener in list(self._listeners):
            self._safely(listener, self._last, False)

    # -- the thread ---------------------------------------------------------------------------------------

    def _call(self, fn: Callable[[], T], timeout: float = 15.0) -> T:
        """Run ``fn`` on the text's thread (at once when already on it) and return its result."""
        if threading.current_thread() is self._thread:
            return fn()
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed back to the caller's thread
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result(timeout)

    def _run(self, coro: Awaitable[T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)  # type: ignore[arg-type]

    def _on_text(self, _event: Any) -> None:
        new = str(self._text)
        if new == self._last:
            return
        self._last = new
        local = self.room is None or not self.room._remote
        for listener in list(self._listeners):
            self._safely(listener, new, local)

    @staticmethod
    def _safely(listener: Listener, text: str, local: bool) -> None:
        try:
            listener(text, local)
        except Exception:  # a listener must never break the protocol loop
            import logging

            logging.getLogger("postmortem_widgets.collab").exception("a shared-text listener failed")

    # -- the text -----------------------------------------------------------------------------------------

    @property
    def live(self) -> bool:
        """Joined to the server's room and still connected: the server, not this process, saves the file."""
        return self.room is not None and not self.room.closed

    @property
    def joined(self) -> bool:
        """Joined to a room at some point (even if the connection was lost since)."""
        return self.room is not None

    @property
    def text(self) -> str:
        return self._call(lambda: str(self._text))

    def on_change(self, listener: Listener) -> None:
        self._call(lambda: self._listeners.append(listener))

    def snapshot(self) -> tuple[str, bytes]:
        """The text now and an opaque marker of this state, to pass to :meth:`apply_edit` later."""
        return self._call(lambda: (str(self._text), self._doc.get_update()))

    def set_text(self, new: str) -> None:
        """Make the text ``new`` with the smallest edit from the text *now* (a replacement the author asked
        for: generating, restoring, redacting)."""

        def run() -> None:
            current = str(self._text)
            with self._doc.transaction():
                _apply(self._text, current, diff_ops(current, new))

        self._call(run)

    def apply_edit(self, base_text: str, new_text: str, base: bytes) -> tuple[str, bytes]:
        """Apply an editor's change from ``base_text`` (the text at snapshot ``base``) to ``new_text``.

        Whatever anyone else changed since ``base`` is kept: the edit is rebased onto the live text. Returns
        ``new_text`` and a snapshot of "``base`` plus this edit", the base of that editor's next change.
        """
        return self._call(lambda: self._apply_edit(base_text, new_text, base))

    def _apply_edit(self, base_text: str, new_text: str, base: bytes) -> tuple[str, bytes]:
        ops = diff_ops(base_text, new_text)
        if not ops:
            return new_text, base
        current = str(self._text)
        if current == base_text:
            with self._doc.transaction():
                _apply(self._text, current, ops)
            return new_text, self._doc.get_update()
        fork: Doc[Any] = Doc()
        fork.apply_update(base)
        forked = fork.get("source", type=Text)
        if str(forked) != base_text:
            raise CollabError("an edit arrived on a state this document never had", hint="reload the form")
        before = fork.get_state()
        with fork.transaction():
            _apply(forked, base_text, ops)
        self._doc.apply_update(fork.get_update(before))
        return new_text, fork.get_update()

    # -- the room -----------------------------------------------------------------------------------------

    def peers(self) -> list[Peer]:
        """Everyone else in the room now (none when local)."""

        def run() -> list[Peer]:
            now = time.time() * 1000
            found = []
            for client_id, state in self.awareness.states.items():
                updated = self.awareness.meta.get(client_id, {}).get("lastUpdated", now)
                if client_id == self.awareness.client_id or not state or now - updated > STALE_AFTER * 1000:
                    continue
                user = state.get("user") or {}
                name = str(user.get("display_name") or user.get("name") or user.get("username") or "someone")
                found.append(Peer(client_id, name, form=bool(state.get("postmortem"))))
            return found

        return self._call(run)

    def request_save(self, timeout: float = 10.0) -> str:
        """Ask the server to write the file now (``success``, ``skipped``, ``failed``); ``local`` if local."""
        room = self.room
        if room is None or room.closed:
            return "local"
        return self._run(room.request_save(timeout), timeout + 2)

    def close(self) -> None:
        """Leave the room (others see us go) and stop the thread."""
        try:
            if self.room is not None and not self.room.closed:
                self._run(self.room.close(), 5)
            if self._renewer is not None:
                self._loop.call_soon_threadsafe(self._renewer.cancel)
        except Exception:  # closing must not raise: the kernel may be going away
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


__all__ = ["Listener", "Peer", "SharedText"]
