"""Widget messages routed to a kernel subshell that is gone go to one that exists (ipykernel 7's routing)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from postmortem_widgets.ui.routes import guard_comm, guard_routes, tree


class FakeComm:
    """ipykernel 7's comm: incoming messages go where the kernel last replied from."""

    def __init__(self, subshells: list[str], last_reply: str | None) -> None:
        manager = SimpleNamespace(list_subshell=lambda: list(subshells))
        self.kernel = SimpleNamespace(shell_channel_thread=SimpleNamespace(manager=manager))
        self.last_reply = last_reply

    def _reply_subshell_for(self, data: Any, default: str | None) -> str | None:
        return self.last_reply


def test_a_deleted_subshell_is_replaced_by_the_one_addressed_or_the_main_shell() -> None:
    subshells = ["page-a", "page-b"]
    comm = FakeComm(subshells, last_reply="page-b")
    assert guard_comm(comm) and not guard_comm(comm)  # once
    assert comm._reply_subshell_for({}, "page-a") == "page-b"  # alive: ipykernel's choice stands
    subshells.remove("page-b")  # page B closed its last comm of the target: its subshell is gone
    assert comm._reply_subshell_for({}, "page-a") == "page-a"
    assert comm._reply_subshell_for({}, "gone-too") is None  # the main shell
    comm.last_reply = None
    assert comm._reply_subshell_for({}, "page-a") is None


def test_a_kernel_without_subshells_is_left_alone() -> None:
    comm = SimpleNamespace(kernel=SimpleNamespace(), _reply_subshell_for=lambda data, default: default)
    assert not guard_comm(comm)
    assert not guard_comm(SimpleNamespace())


def test_every_widget_in_the_tree_is_guarded() -> None:
    inner = SimpleNamespace(comm=FakeComm([], None), children=())
    box = SimpleNamespace(comm=FakeComm([], None), children=(inner, SimpleNamespace(comm=None)))
    assert len(list(tree(box))) == 3
    assert guard_routes(tree(box)) == 2
    assert guard_routes(tree(box)) == 0
