"""The browser's messages to the form's widgets are handled on the kernel's main shell, never a subshell.

JupyterLab 4.6 sends comm messages over kernel subshells (one per comm target and browser page), and
ipykernel 7 hands each to that subshell's thread, or to the subshell the kernel last replied on
(``BaseComm._reply_subshell_for``). Two things then lose what is typed in the form:

* a page that closes its last comm of a target deletes that subshell, and ipykernel drops every later
  message routed there ("Cannot handle comm_msg ...: Unknown subshell_id", ipython/ipykernel#1557,
  jupyterlab/jupyterlab#19722): the text shows in that browser and never reaches the kernel;
* a callback on a subshell thread schedules its debounced save (and the editor's pushes) on that
  subshell's event loop, which stops with the subshell: the save never runs.

The form's timers, its poll and its shared text all live on the main shell's loop, so
:func:`guard_routes` routes each of its widget comms there (``None`` is the main shell, which always
exists). Without subshells (older ipykernel, other kernels) it does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

#: Marks a comm already routed to the main shell.
_GUARDED = "_postmortem_main_shell"


def _main_shell(_data: Any, _default: str | None) -> None:
    return None


def guard_comm(comm: Any) -> bool:
    """Route one comm's incoming messages to the main shell; ``False`` when there is nothing to do."""
    if getattr(comm, "_reply_subshell_for", None) is None or getattr(comm, _GUARDED, False):
        return False
    comm._reply_subshell_for = _main_shell
    setattr(comm, _GUARDED, True)
    return True


def tree(root: Any) -> Iterator[Any]:
    """``root`` and every widget inside it (boxes' and tabs' children)."""
    stack = [root]
    while stack:
        widget = stack.pop()
        yield widget
        stack.extend(getattr(widget, "children", ()) or ())


def guard_routes(widgets: Iterable[Any]) -> int:
    """Route the comms of ``widgets`` not routed yet (cheap to call on every poll); how many were new."""
    return sum(guard_comm(w.comm) for w in list(widgets) if getattr(w, "comm", None) is not None)


__all__ = ["guard_comm", "guard_routes", "tree"]
