"""Run a drafter's stream in a background thread, so the kernel (and the form) stay responsive.

The thread pushes the text so far to ``on_update`` at most every ``interval`` seconds (a widget update
per token would flood the browser), calls ``on_finish`` exactly once, and stops between chunks when
asked, closing the stream so an HTTP response is released.

>>> done = []
>>> g = Generation(lambda: iter(["Hello", ", ", "world"]), on_update=lambda t: None,
...                on_finish=lambda text, error, stopped: done.append((text, error, stopped)))
>>> g.start().join(5)
True
>>> done
[('Hello, world', None, False)]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

OnUpdate = Callable[[str], None]
OnFinish = Callable[[str, BaseException | None, bool], None]


class Generation:
    """One streaming run: :meth:`start`, :meth:`stop`, :meth:`join`; the text so far in :attr:`text`."""

    def __init__(
        self,
        chunks: Callable[[], Iterable[str]],
        *,
        on_update: OnUpdate,
        on_finish: OnFinish,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._chunks = chunks
        self._on_update = on_update
        self._on_finish = on_finish
        self.interval = interval
        self.clock = clock
        self.text = ""
        self.started_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="postmortem-draft", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def elapsed(self) -> float:
        return 0.0 if self.started_at is None else self.clock() - self.started_at

    def start(self) -> Generation:
        self.started_at = self.clock()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the stream to end after the current chunk."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        error: BaseException | None = None
        stream: Iterable[str] | None = None
        last = self.clock()
        parts: list[str] = []
        try:
            stream = self._chunks()
            for chunk in stream:
                if self._stop.is_set():
                    break
                parts.append(chunk)
                now = self.clock()
                if now - last >= self.interval:
                    self.text = "".join(parts)
                    last = now
                    self._on_update(self.text)
        except Exception as exc:
            error = exc
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                try:
                    close()
                except Exception as exc:
                    error = error or exc
        self.text = "".join(parts)
        try:
            self._on_update(self.text)
        finally:
            self._on_finish(self.text, error, self._stop.is_set())


__all__ = ["Generation"]
