"""A session's draft as a shared text: local at once, the server's shared ``working.md`` once joined.

The choice is made here, not in the form: join the room jupyter-collaboration keeps for the working copy
when this kernel's Jupyter server has RTC on; otherwise (no server found, RTC not installed or disabled,
the join failing or timing out) stay local, and the session writes ``working.md`` with the store's merging,
hash-checked write. Joining runs on a thread so the form shows at once; the form's editor waits for it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ...errors import PostmortemError
from ...textmerge import merge_text
from .server import RTC, find_server
from .text import SharedText

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["SharedDraft"]


class SharedDraft:
    """Owns the :class:`SharedText` the session's draft lives in (see the module)."""

    def __init__(
        self,
        session: Session,
        *,
        on_joined: Callable[[], None] = lambda: None,
        env: Mapping[str, str] | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.session = session
        self.on_joined = on_joined
        self.env = env
        self.timeout = timeout
        self.text = SharedText.local(session.draft)
        session.attach_shared(self.text)
        self.joining = False
        #: Why the draft is not the server's shared document (empty once it is).
        self.why_local = "not joined yet"
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def live(self) -> bool:
        return self.text.live

    def try_join(self) -> None:
        """Join the shared ``working.md`` in the background when this kernel's server offers it."""
        from ...store import default_author

        working = self.session.working_path
        server = find_server(working.parent, env=self.env)
        relative = server.relative(working) if server is not None else None
        if server is None or relative is None:
            self.why_local = "no Jupyter server serving this folder was found"
            return
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self.joining = True
        start = self.text.text

        def run() -> None:
            joined: SharedText | None = None
            try:
                mode = server.rtc_mode(timeout=self.timeout)
                if mode != RTC:
                    self.why_local = f"real-time collaboration is {mode.replace('-', ' ')} on this server"
                else:
                    if not working.exists():  # a room needs the file; nobody can have it open yet
                        self.session.save_working()
                    joined = SharedText.join(server, relative, user=default_author(), timeout=self.timeout)
            except (PostmortemError, OSError, TimeoutError) as exc:
                self.why_local = f"the shared document could not be joined: {exc}"
            self._deliver(lambda: self._adopt(joined, start))

        threading.Thread(target=run, name="postmortem-join", daemon=True).start()

    def _deliver(self, fn: Callable[[], None]) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn)
        else:
            fn()

    def _adopt(self, joined: SharedText | None, start: str) -> None:
        """On the kernel's loop: make the joined text the draft (the room's text wins; anything typed
        here while joining is merged onto it)."""
        self.joining = False
        if joined is not None:
            typed = self.text.text
            if typed != start:
                joined.set_text(merge_text(start, typed, joined.text).text)
            old, self.text = self.text, joined
            self.session.attach_shared(joined)
            self.why_local = ""
            joined.on_change(self._watch)
            old.close()
        self.on_joined()

    def _watch(self, _text: str, _local: bool) -> None:
        if not self.text.live and not self.why_local:
            self.why_local = f"the connection to the shared document was lost ({self.text.closed_reason})"
            # From now on the session writes working.md itself, merging onto what the server last saved.
            self._deliver(self._lost)

    def _lost(self) -> None:
        self.session.reread_working()
        self.on_joined()

    def close(self) -> None:
        self.session.detach_shared()
        self.text.close()
