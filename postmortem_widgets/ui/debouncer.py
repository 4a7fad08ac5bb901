"""Save once per pause in typing: a call ``delay`` seconds after the last poke, and at kernel exit."""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from collections.abc import Callable


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last :meth:`poke`, so typing saves once per pause.

    :meth:`flush` runs a pending call at once (before a version is saved, or when the kernel stops).
    A ``delay`` of 0 calls at every poke, which is what tests want.
    """

    def __init__(self, fn: Callable[[], None], delay: float) -> None:
        self.fn = fn
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._pending = False
        self._lock = threading.Lock()
        _DEBOUNCERS.add(self)

    def poke(self) -> None:
        with self._lock:
            self._pending = True
            if self._timer is not None:
                self._timer.cancel()
            if self.delay > 0:
                self._timer = threading.Timer(self.delay, self.flush)
                self._timer.daemon = True
                self._timer.start()
                return
        self.flush()

    @property
    def pending(self) -> bool:
        return self._pending

    def flush(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._pending:
                return
            self._pending = False
        self.fn()


class LoopDebouncer:
    """:class:`Debouncer` on the kernel's event loop: ``fn`` runs on the thread that handles the widgets'
    messages, between them, so it may read and redraw widgets the author is typing in without a race.

    Without a running loop (a test, a script) or with a ``delay`` of 0, every poke calls at once.
    """

    def __init__(self, fn: Callable[[], None], delay: float) -> None:
        self.fn = fn
        self.delay = delay
        self._handle: asyncio.TimerHandle | None = None
        self._pending = False
        _DEBOUNCERS.add(self)

    @property
    def pending(self) -> bool:
        return self._pending

    def poke(self) -> None:
        self._pending = True
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        try:
            loop = asyncio.get_running_loop() if self.delay > 0 else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.flush()
        else:
            self._handle = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._pending:
            self._pending = False
            self.fn()


#: Every live debouncer, flushed when the kernel stops (weakly held, so a closed session can be freed).
_DEBOUNCERS: weakref.WeakSet[Debouncer | LoopDebouncer] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    for debouncer in list(_DEBOUNCERS):
        debouncer.flush()


__all__ = ["Debouncer", "LoopDebouncer"]
