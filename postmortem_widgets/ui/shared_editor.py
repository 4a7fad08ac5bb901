"""A Textarea bound live, both ways, to a :class:`~postmortem_widgets.app.collab.SharedText`.

Measured before this existed: two browser views of one form typing into one Textarea at once lost 10 of
24 characters. Each view sends its whole value on every keystroke; the kernel echoed each value to the
other view, which replaced what that person was typing (and moved their caret), and the last value won.

So:

* the value is not echoed between views (``echo_update=False``): a view shows what its person typed;
* the Textarea is one more replica of the shared text. A value from a view is diffed against the state
  that view was showing (the closest of the recent states, since a view does not say which) and rebased
  onto the live text, so what anyone else typed meanwhile, in another view, another form or JupyterLab's
  editor, is kept;
* the merged text is pushed back to the views only once nobody has typed for ``idle`` seconds, because
  setting a Textarea's value moves its caret to the end. A push makes every view show the same text, so
  the states before it stop being candidate bases ``grace`` seconds later (what was in flight has arrived).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from traitlets import Unicode

from ..app.collab import SharedText
from ..app.collab.edits import cost, diff_ops
from ..textmerge import merge_text

log = logging.getLogger("postmortem_widgets.collab")


class SharedTextarea(widgets.Textarea):  # type: ignore[misc]
    """A Textarea whose value is not echoed from one browser view to the others."""

    value = Unicode(help="String value").tag(sync=True, echo_update=False)


class Binding:
    """Keeps a :class:`SharedTextarea` and a shared text in step (see the module)."""

    def __init__(
        self,
        textarea: widgets.Textarea,
        shared: SharedText,
        *,
        idle: float = 0.8,
        grace: float = 2.0,
        history: int = 64,
        on_edit: Callable[[str], None] = lambda text: None,
        on_remote: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.textarea = textarea
        self.shared = shared
        self.idle = idle
        self.grace = grace
        self._pushed_at = 0.0
        self._stale_views = False
        self.on_edit = on_edit
        self.on_remote = on_remote
        self.pushes = 0
        #: Recent states a view may be showing: (text, snapshot, the time a later push superseded it).
        self._bases: deque[list[Any]] = deque(maxlen=history)
        self._lock = threading.RLock()
        self._pushing = False
        self._last_edit = 0.0
        self._timer: Any = None
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # no kernel loop (a test, a script): pushes run on a timer thread
            self._loop = None
        self._push(*shared.snapshot())
        textarea.observe(self._on_widget, names="value")
        shared.on_change(self._on_shared)

    # -- the views -> the shared text ---------------------------------------------------------------------

    def _on_widget(self, change: dict[str, Any]) -> None:
        with self._lock:
            if self._pushing:
                return
            new = change["new"]
            now = self._last_edit = time.monotonic()
            candidates = [b for b in reversed(self._bases) if b[2] is None or now - b[2] <= self.grace]
            base_text, base, _ = min(candidates, key=lambda b: cost(diff_ops(b[0], new)))
            try:
                text, snapshot = self.shared.apply_edit(base_text, new, base)
            except Exception:  # never drop a keystroke: merge it in as text instead
                log.exception("a rebased edit failed; merging it as text")
                self.shared.set_text(merge_text(base_text, new, self.shared.text).text)
                text, snapshot = self.shared.snapshot()
            self._bases.append([text, snapshot, None])
            self._stale_views = True  # the other views have not seen this value (it is not echoed)
        self.on_edit(new)
        self._schedule()  # after a pause, every view is brought to the shared text

    # -- the shared text -> the views ---------------------------------------------------------------------

    def _on_shared(self, text: str, local: bool) -> None:
        """On the shared text's thread: hand the push to the kernel's loop (never block here)."""
        if local:
            return
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._schedule)
        else:
            threading.Thread(target=self._schedule, daemon=True).start()

    def _schedule(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            wait = max(0.0, self._last_edit + self.idle - time.monotonic())
            if self._loop is not None:
                self._timer = self._loop.call_later(wait, self._push_if_idle)
            else:
                self._timer = threading.Timer(wait, self._push_if_idle)
                self._timer.daemon = True
                self._timer.start()

    def _push_if_idle(self) -> None:
        with self._lock:
            self._timer = None
            if time.monotonic() - self._last_edit < self.idle:
                self._schedule()
                return
            text, snapshot = self.shared.snapshot()
            changed = text != self.textarea.value
            if not changed and not self._stale_views:
                return
            self._push(text, snapshot)
        if changed:
            self.on_remote(text)

    def _push(self, text: str, snapshot: bytes) -> None:
        """Show ``text`` in every view; the states before it are superseded."""
        with self._lock:
            now = self._pushed_at = time.monotonic()
            for base in self._bases:
                if base[2] is None:
                    base[2] = now
            self._bases.append([text, snapshot, None])
            self._pushing = True
            try:
                if self.textarea.value != text:
                    self.textarea.value = text
                elif self._stale_views:
                    self.textarea.send_state("value")  # the views that typed something else
            finally:
                self._pushing = False
                self._stale_views = False
            self.pushes += 1

    def refresh(self) -> None:
        """Show the shared text now (after a replacement the author asked for: generate, restore)."""
        self._push(*self.shared.snapshot())

    def unbind(self) -> None:
        self.textarea.unobserve(self._on_widget, names="value")
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


__all__ = ["Binding", "SharedTextarea"]
