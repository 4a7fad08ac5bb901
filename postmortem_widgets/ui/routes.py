"""Widget messages from the browser reach the kernel even when the kernel subshell they are routed to is gone.

JupyterLab 4.6 sends comm messages over a kernel subshell (one per comm target and browser page), and
ipykernel 7 routes a comm's incoming messages to the subshell the kernel last replied on
(``BaseComm._reply_subshell_for``). A page that closes its last comm of a target deletes that subshell;
ipykernel then drops every later message routed there ("Cannot handle comm_msg ...: Unknown subshell_id",
ipython/ipykernel#1557, jupyterlab/jupyterlab#19722). With two pages on one kernel (a second browser, or
JupyterLab's own editor restoring the notebook tab) what is typed in the form showed in that browser and
never reached the kernel.

:func:`guard_routes` wraps each open widget comm's route: a subshell that no longer exists is replaced by
the one the message was sent to, or else the main shell, which always exists. Without subshells (older
ipykernel, other kernels) it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Marks a comm whose route is already guarded.
_GUARDED = "_postmortem_routes_guarded"


def _live_subshells(comm: Any) -> Callable[[], set[str]] | None:
    kernel = getattr(comm, "kernel", None)
    if kernel is None:
        try:
            from ipykernel.kernelbase import Kernel
        except ImportError:  # pragma: no cover - ipywidgets in a kernel always has ipykernel
            return None
        kernel = Kernel.instance() if Kernel.initialized() else None
    manager = getattr(getattr(kernel, "shell_channel_thread", None), "manager", None)
    listing = getattr(manager, "list_subshell", None)
    if listing is None:
        return None
    return lambda: set(listing())


def guard_comm(comm: Any) -> bool:
    """Guard one comm's route (see the module); ``False`` when there is nothing to guard."""
    route = getattr(comm, "_reply_subshell_for", None)
    if route is None or getattr(comm, _GUARDED, False):
        return False
    live = _live_subshells(comm)
    if live is None:
        return False

    def routed(data: Any, default: str | None) -> str | None:
        target: str | None = route(data, default)
        if target is None:
            return None
        known = live()
        if target in known:
            return target
        return default if default in known else None

    comm._reply_subshell_for = routed
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
    """Guard the comms of ``widgets`` not guarded yet (cheap to call on every poll); how many were new."""
    return sum(guard_comm(w.comm) for w in list(widgets) if getattr(w, "comm", None) is not None)


__all__ = ["guard_comm", "guard_routes", "tree"]
