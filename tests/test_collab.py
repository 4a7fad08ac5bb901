"""The kernel-side client of jupyter-collaboration: finding the server, its mode, and the shared text."""

from __future__ import annotations

import time
from pathlib import Path

from postmortem_widgets.app.collab import JupyterServer, SharedText
from postmortem_widgets.app.collab.draft import SharedDraft
from postmortem_widgets.app.collab.edits import diff_ops, utf8_offset
from postmortem_widgets.app.collab.server import NO_RTC, RTC, find_server, pick_server
from postmortem_widgets.app.session import Session
from postmortem_widgets.incident.record import Incident, save_incident
from tests.support.lab import running_lab


def test_the_server_that_started_the_kernel_is_picked_first(tmp_path: Path) -> None:
    infos = [
        {"url": "http://127.0.0.1:1/", "token": "a", "root_dir": str(tmp_path), "pid": 10},
        {"url": "http://127.0.0.1:2/", "token": "b", "root_dir": "/elsewhere", "pid": 20},
    ]
    assert pick_server(infos, near=tmp_path, parent_pid=20, env={}).token == "b"  # type: ignore[union-attr]
    assert pick_server(infos, near=tmp_path / "x", parent_pid=99, env={}).token == "a"  # type: ignore[union-attr]
    assert pick_server(infos, near=Path("/nowhere"), parent_pid=99, env={}) is None


def test_the_environment_can_name_the_server(tmp_path: Path) -> None:
    env = {"POSTMORTEM_JUPYTER_URL": "http://hub/user/x", "POSTMORTEM_JUPYTER_ROOT": str(tmp_path)}
    server = find_server(tmp_path, env=env)
    assert server is not None and server.url == "http://hub/user/x/"
    assert server.relative(tmp_path / "drafts" / "working.md") == "drafts/working.md"


def test_edit_scripts_and_utf8_offsets() -> None:
    assert diff_ops("abc", "abc") == []
    assert diff_ops("héllo wörld", "héllo, wörld!") == [(5, 5, ","), (11, 11, "!")]
    assert utf8_offset("héllo", 5) == 6


def test_without_a_server_the_draft_stays_local_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    save_incident(Incident(product_name="A"), path)
    session = Session.open(path)
    shared = SharedDraft(session, env={"JUPYTER_RUNTIME_DIR": str(tmp_path / "no-runtime")})
    try:
        shared.try_join()
        assert not shared.joining and not shared.live
        assert "no Jupyter server" in shared.why_local
        assert session.draft_is_shared is False
    finally:
        shared.close()


def test_two_clients_of_a_real_room_see_each_other_and_the_server_saves(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "drafts").mkdir(parents=True)
    (root / "drafts" / "working.md").write_text("# héllo\n\nline\n")
    with running_lab(root, tmp_path / "scratch") as lab:
        server = JupyterServer(lab.base + "/", lab.token, root)
        assert server.rtc_mode() == RTC
        assert JupyterServer("http://127.0.0.1:9/", "", root).rtc_mode(timeout=1) == NO_RTC
        a = SharedText.join(server, "drafts/working.md", user="alice")
        b = SharedText.join(server, "drafts/working.md", user="bob")
        try:
            assert a.text == b.text == "# héllo\n\nline\n"
            base_text, base = a.snapshot()
            b.set_text(b.text + "bob\n")
            deadline = time.monotonic() + 10
            while "bob" not in a.text and time.monotonic() < deadline:
                time.sleep(0.05)
            a.apply_edit(base_text, base_text.replace("# héllo", "# héllo world"), base)  # a stale base
            while b.text != a.text and time.monotonic() < deadline:
                time.sleep(0.05)
            assert a.text == b.text == "# héllo world\n\nline\nbob\n"
            assert [p.name for p in a.peers()] == ["bob (postmortem form)"]
            assert a.request_save() == "success"
            assert (root / "drafts" / "working.md").read_text() == "# héllo world\n\nline\nbob\n"
        finally:
            a.close()
            b.close()
