"""The working copy never overwrites someone else's change: a stale write merges; the shared text rebases."""

from __future__ import annotations

from pathlib import Path

from postmortem_widgets.app.collab import SharedText
from postmortem_widgets.app.session import Session
from postmortem_widgets.incident.record import Incident, save_incident
from postmortem_widgets.store import DraftStore

TEXT = "## Summary\n\nIt broke.\n\n## Why It Happened\n\nA bug.\n"


def test_a_write_with_a_stale_hash_merges_the_change_made_since(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts", author="alice")
    loaded = store.write_working(TEXT, base=0)
    store.write_working(TEXT.replace("A bug.", "A cache bug."), base=0)  # someone else, meanwhile
    written = store.write_working(TEXT.replace("It broke.", "Dashboards were stale."), base=0, loaded=loaded)
    assert written.merged and written.merge is not None and written.merge.clean
    on_disk = store.working_path.read_text()
    assert on_disk == written.text
    assert "A cache bug." in on_disk and "Dashboards were stale." in on_disk
    assert written.kept_at is None


def test_a_conflicting_write_keeps_both_texts_and_mine_whole(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts", author="alice")
    loaded = store.write_working(TEXT, base=0)
    store.write_working(TEXT.replace("A bug.", "Theirs."), base=0)
    mine = TEXT.replace("A bug.", "Mine.")
    written = store.write_working(mine, base=0, loaded=loaded)
    assert written.merge is not None and not written.merge.clean
    assert "Theirs." in written.text and "Mine." in written.text and "<<<<<<< yours" in written.text
    assert written.kept_at is not None and written.kept_at.read_text() == mine


def test_an_unchanged_file_is_written_as_it_is(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    loaded = store.write_working(TEXT, base=0)
    written = store.write_working(TEXT + "more\n", base=0, loaded=loaded)
    assert not written.merged and store.working_path.read_text() == TEXT + "more\n"


def two_sessions(tmp_path: Path) -> tuple[Session, Session]:
    path = tmp_path / "incident.yaml"
    save_incident(Incident(product_name="Anchor"), path)
    return Session.open(path), Session.open(path)


def test_two_sessions_without_a_shared_document_keep_both_drafts(tmp_path: Path) -> None:
    a, b = two_sessions(tmp_path)
    a.set_draft(TEXT)
    a.save_working()
    assert b.sync_draft() and b.draft == TEXT
    b.set_draft(TEXT.replace("A bug.", "A cache bug."))
    b.save_working()
    a.set_draft(TEXT.replace("It broke.", "Dashboards were stale."))
    a.save_working()  # A never saw B's change: it is merged, not overwritten
    assert a.last_draft_merge is not None
    assert "A cache bug." in a.draft and "Dashboards were stale." in a.draft
    assert a.working_path.read_text() == a.draft


def test_the_first_write_merges_a_working_copy_that_appeared_meanwhile(tmp_path: Path) -> None:
    a, b = two_sessions(tmp_path)
    b.set_draft("Bob's notes\n")
    b.save_working()
    a.set_draft("Alice's notes\n")
    a.save_working()
    assert "Bob's notes" in a.draft and "Alice's notes" in a.draft


def test_the_shared_text_rebases_an_edit_made_on_an_older_state() -> None:
    shared = SharedText.local("The cat sat.\n")
    try:
        seen: list[tuple[str, bool]] = []
        shared.on_change(lambda text, local: seen.append((text, local)))
        base_text, base = shared.snapshot()
        shared.set_text("The black cat sat.\n")  # someone else, meanwhile
        text, _ = shared.apply_edit(base_text, "The cat sat on the mat.\n", base)
        assert text == "The cat sat on the mat.\n"
        assert shared.text == "The black cat sat on the mat.\n"
        assert seen[-1] == ("The black cat sat on the mat.\n", True)
        shared.set_text("héllo wörld")  # UTF-8 offsets: an edit after a multi-byte character
        base_text, base = shared.snapshot()
        shared.apply_edit(base_text, "héllo, wörld!", base)
        assert shared.text == "héllo, wörld!"
    finally:
        shared.close()


def test_a_session_with_a_local_shared_text_merges_into_it(tmp_path: Path) -> None:
    a, b = two_sessions(tmp_path)
    a.set_draft(TEXT)
    a.save_working()
    shared = SharedText.local(a.draft)
    a.attach_shared(shared)
    try:
        b.sync_draft()
        b.set_draft(TEXT.replace("A bug.", "A cache bug."))
        b.save_working()
        base_text, base = shared.snapshot()
        shared.apply_edit(base_text, TEXT.replace("It broke.", "It broke badly."), base)
        a.set_draft(shared.text)
        a.save_working()
        assert shared.text == a.draft
        assert "A cache bug." in a.draft and "It broke badly." in a.draft
    finally:
        a.detach_shared()
        shared.close()
