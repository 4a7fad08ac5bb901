"""The form's widget messages go to the kernel's main shell, never a subshell (ipykernel 7's routing)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from postmortem_widgets.ui.routes import guard_comm, guard_routes, tree


class FakeComm:
    """ipykernel 7's comm: incoming messages go where the kernel last replied from."""

    def __init__(self, last_reply: str | None) -> None:
        self.last_reply = last_reply

    def _reply_subshell_for(self, data: Any, default: str | None) -> str | None:
        return self.last_reply


def test_a_comm_is_routed_to_the_main_shell_whatever_subshell_it_came_on() -> None:
    comm = FakeComm(last_reply="page-b")
    assert comm._reply_subshell_for({}, "page-a") == "page-b"
    assert guard_comm(comm) and not guard_comm(comm)  # once
    assert comm._reply_subshell_for({}, "page-a") is None
    assert comm._reply_subshell_for({"content": {"id": "r1"}}, None) is None


def test_a_comm_without_subshell_routing_is_left_alone() -> None:
    assert not guard_comm(SimpleNamespace())
    assert not guard_comm(None)


def test_every_widget_in_the_tree_is_routed() -> None:
    inner = SimpleNamespace(comm=FakeComm(None), children=())
    box = SimpleNamespace(comm=FakeComm("x"), children=(inner, SimpleNamespace(comm=None)))
    assert len(list(tree(box))) == 3
    assert guard_routes(tree(box)) == 2
    assert guard_routes(tree(box)) == 0
    assert box.comm._reply_subshell_for({}, "x") is None
