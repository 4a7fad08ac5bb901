"""The versioned drafts store: every test shows that nothing is lost."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import DraftConflictError, DraftVersionNotFoundError
from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import check_draft
from postmortem_widgets.store import (
    DraftStore,
    link_new,
    text_hash,
)
from tests.support.paths import DATA

SEED_DRAFT = (DATA / "export" / "seed_draft.md").read_text()
EDITED = SEED_DRAFT.replace(
    "9:14am ET:** A routine cache update", "9:14am ET:** A routine cache software update"
)


def ticking(start: datetime = datetime(2026, 11, 26, 20, 15, tzinfo=UTC)) -> Callable[[], datetime]:
    """A clock that moves 90 seconds at every call."""
    times: Iterator[datetime] = (start + timedelta(seconds=90 * i) for i in range(10_000))
    return lambda: next(times)


@pytest.fixture
def incident_file(tmp_path: Path) -> Path:
    path = tmp_path / "incident.yaml"
    path.write_text("product_name: Anchor Analytics\n")
    return path


@pytest.fixture
def store(incident_file: Path) -> DraftStore:
    return DraftStore.for_incident(incident_file, clock=ticking(), author="alice")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_save_writes_plain_markdown_and_a_metadata_sidecar(store: DraftStore, incident_file: Path) -> None:
    review = check_draft(SEED_DRAFT, Incident(product_name="Anchor Analytics", timezone="America/New_York"))
    v1 = store.save(SEED_DRAFT, drafter="offline", prompt_hash="sha256:abc", review=review)
    assert v1.path == incident_file.parent / "drafts" / "0001-2026-11-26T201500Z.md"
    assert v1.path.read_text() == SEED_DRAFT  # the file is the draft itself, nothing added
    meta = json.loads(v1.path.with_suffix(".json").read_text())
    assert meta == {
        "version": 1,
        "created": "2026-11-26T20:15:00Z",
        "author": "alice",
        "sha256": text_hash(SEED_DRAFT),
        "drafter": "offline",
        "model": None,
        "prompt_hash": "sha256:abc",
        "review": {"errors": review.errors, "warnings": review.warnings, "rules": sorted(review.rules())},
        "base": None,
        "restored_from": None,
        "note": None,
    }
    v2 = store.save(EDITED, base_version=1, author="bob", model="llama-3.1-8b")
    assert (v2.number, v2.name, v2.author, v2.model, v2.base) == (2, "0002-2026-11-26T201630Z.md", "bob",
                                                                 "llama-3.1-8b", 1)  # fmt: skip
    assert [v.number for v in store.versions()] == [1, 2]
    assert store.read() == EDITED and store.read(1) == SEED_DRAFT
    assert (
        incident_file.parent / "drafts" / ".gitignore"
    ).read_text() == "# Postmortem drafts\n.lock\n.tmp-*\n"


def test_versions_are_never_overwritten(store: DraftStore) -> None:
    """Even with a clock that stands still, each save is a new file and the old bytes stay."""
    still = DraftStore(store.folder, clock=lambda: datetime(2026, 11, 26, 20, 15, tzinfo=UTC), author="a")
    still.save("one\n")
    before = snapshot(store.folder)
    still.save("two\n")
    after = snapshot(store.folder)
    assert {k: v for k, v in after.items() if k in before} == before
    assert [v.read_text() for v in still.versions()] == ["one\n", "two\n"]


def test_crash_between_write_and_rename_keeps_everything(store: DraftStore) -> None:
    """A real process dies (os._exit) after the new text is fsynced but before it is published."""
    store.save(SEED_DRAFT)
    before = snapshot(store.folder)
    script = textwrap.dedent(
        f"""
        import os
        from datetime import datetime, UTC
        from postmortem_widgets.store import DraftStore
        store = DraftStore({str(store.folder)!r}, author="crasher",
                           clock=lambda: datetime(2026, 11, 26, 21, 0, tzinfo=UTC),
                           publish=lambda temp, target: os._exit(9))
        store.save({EDITED!r}, base_version=1)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9
    after = snapshot(store.folder)
    assert {k: v for k, v in after.items() if k in before} == before  # version 1 intact, byte for byte
    assert [v.number for v in store.versions()] == [1]
    assert store.read() == SEED_DRAFT
    (leftover,) = store.leftovers()
    assert leftover.name.startswith(".tmp-0002-2026-11-26T210000Z.md.")
    assert leftover.read_text() == EDITED  # the unfinished save's text is complete and recoverable
    # The store carries on: the next save does not reuse the crashed save's name.
    v = store.save(EDITED, base_version=1)
    assert v.number == 3 and store.read() == EDITED


def test_failed_rename_leaves_no_debris(store: DraftStore) -> None:
    store.save(SEED_DRAFT)

    def refuse(temp: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    failing = DraftStore(store.folder, clock=ticking(datetime(2026, 11, 27, tzinfo=UTC)), publish=refuse)
    with pytest.raises(OSError, match="No space left"):
        failing.save(EDITED)
    assert [v.number for v in store.versions()] == [1] and store.leftovers() == []


def test_concurrent_save_is_a_conflict_and_keeps_both_texts(store: DraftStore, incident_file: Path) -> None:
    store.save(SEED_DRAFT)
    alice = DraftStore.for_incident(incident_file, clock=ticking(datetime(2026, 11, 26, 21, tzinfo=UTC)),
                                    author="alice")  # fmt: skip
    bob = DraftStore.for_incident(incident_file, clock=ticking(datetime(2026, 11, 26, 21, 1, tzinfo=UTC)),
                                  author="bob")  # fmt: skip
    loaded = alice.latest()
    assert loaded is not None and bob.latest() == loaded
    bob_text = SEED_DRAFT.replace("Root cause identified", "Cause of the stale data identified")
    bob.save(bob_text, base_hash=loaded.sha256)
    alice_text = EDITED
    with pytest.raises(DraftConflictError) as caught:
        alice.save(alice_text, base_hash=loaded.sha256)
    error = caught.value
    assert "draft version 2 was saved by bob since the version you loaded" in str(error)
    assert error.mine == alice_text and error.theirs_text == bob_text and error.theirs.number == 2
    assert error.kept_at.parent.name == "conflicts" and error.kept_at.read_text() == alice_text
    assert "+- **9:14am ET:** A routine cache software update" in error.diff()
    assert [v.number for v in store.versions()] == [1, 2] and store.read() == bob_text
    with pytest.raises(DraftConflictError, match="since version 1"):
        alice.save(alice_text, base_version=1)
    merged = alice.save(alice_text.replace("Root cause identified", "Cause of the stale data identified"),
                        base_version=2)  # fmt: skip
    assert merged.number == 3 and merged.base == 2


def test_link_new_refuses_to_overwrite(tmp_path: Path) -> None:
    target, temp = tmp_path / "0001.md", tmp_path / ".tmp-x"
    target.write_text("theirs")
    temp.write_text("mine")
    with pytest.raises(FileExistsError):
        link_new(str(temp), str(target))
    assert target.read_text() == "theirs"


def test_parallel_savers_lose_nothing(store: DraftStore) -> None:
    """Four processes save five versions each at once: twenty distinct versions, every text present."""
    script = textwrap.dedent(
        """
        import sys
        from postmortem_widgets.store import DraftStore
        store = DraftStore(sys.argv[1], author=sys.argv[2])
        for i in range(5):
            store.save(f"{sys.argv[2]} {i}\\n")
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(store.folder), f"w{n}"]) for n in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    versions = store.versions()
    assert [v.number for v in versions] == list(range(1, 21))
    assert sorted(v.read_text() for v in versions) == sorted(
        f"w{n} {i}\n" for n in range(4) for i in range(5)
    )
    assert store.leftovers() == []


def test_first_save_with_a_base_that_does_not_exist(store: DraftStore) -> None:
    with pytest.raises(DraftVersionNotFoundError, match="no draft version 4 to save on top of"):
        store.save("x", base_version=4)
    assert store.save("x", base_version=0).number == 1


def test_restore_is_a_new_version_with_the_old_text(store: DraftStore) -> None:
    store.save(SEED_DRAFT, drafter="offline")
    store.save(EDITED)
    restored = store.restore(1, author="carol")
    assert (restored.number, restored.restored_from, restored.author, restored.drafter) == (
        3,
        1,
        "carol",
        "offline",
    )
    assert restored.note == "restored from version 1"
    assert [v.read_text() for v in store.versions()] == [SEED_DRAFT, EDITED, SEED_DRAFT]
    with pytest.raises(DraftVersionNotFoundError, match="versions are 1, 2, 3"):
        store.restore(9)


def test_diff_between_any_two_versions(store: DraftStore) -> None:
    store.save(SEED_DRAFT)
    store.save(EDITED)
    store.save(EDITED + "\nA last line without newline")
    assert store.diff(1, 2) == (
        "--- drafts/0001-2026-11-26T201500Z.md\n"
        "+++ drafts/0002-2026-11-26T201630Z.md\n"
        "@@ -4,7 +4,7 @@\n"
        " \n"
        " ## What Happened (Timeline)\n"
        " \n"
        "-- **9:14am ET:** A routine cache update was deployed\n"
        "+- **9:14am ET:** A routine cache software update was deployed\n"
        " - **9:42am ET:** Customer support ticket received reporting stale dashboard data"
        " — this was our first signal of the incident\n"
        " - **9:47am ET:** Engineering team notified and investigation begins\n"
        " - **10:15am ET:** Root cause identified\n"
    )
    assert store.diff(2, 1).count("\n-- **9:14am ET:** A routine cache software update") == 1
    assert store.diff(2).endswith("+\n+A last line without newline\n\\ No newline at end of file\n")
    assert store.diff(1, 1) == ""


def test_cli_list_show_diff_restore(incident_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = DraftStore.for_incident(incident_file, clock=ticking(), author="alice")
    store.save(SEED_DRAFT, drafter="offline")
    store.save(EDITED, author="bob", model="llama")
    inc = str(incident_file)
    assert main(["drafts", "list", inc]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("   1  2026-11-26 20:15:00Z  alice        offline")
    assert lines[1].startswith("   2  2026-11-26 20:16:30Z  bob          llama")
    assert main(["drafts", "show", inc, "1"]) == 0
    assert capsys.readouterr().out == SEED_DRAFT
    assert main(["drafts", "show", inc, "0002-2026-11-26T201630Z.md", "--meta"]) == 0
    assert json.loads(capsys.readouterr().out)["author"] == "bob"
    assert main(["drafts", "diff", inc, "1", "2"]) == 0
    assert "+- **9:14am ET:** A routine cache software update was deployed" in capsys.readouterr().out
    assert main(["drafts", "restore", inc, "1", "--author", "carol"]) == 0
    assert "restored version 1 as version 3" in capsys.readouterr().err
    assert store.read() == SEED_DRAFT
    assert main(["drafts", "show", inc, "7"]) == 2
    assert "there is no draft version 7. Hint: versions are 1, 2, 3" in capsys.readouterr().err


def test_cli_save_with_a_stale_base_reports_the_conflict(
    incident_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = DraftStore.for_incident(incident_file, clock=ticking(), author="alice")
    store.save(SEED_DRAFT)
    store.save(EDITED)
    mine = tmp_path / "mine.md"
    mine.write_text(SEED_DRAFT + "\nMy addition.\n")
    assert main(["drafts", "save", str(incident_file), str(mine), "--base", "1", "--author", "dave"]) == 2
    err = capsys.readouterr().err
    assert "draft version 2 was saved by alice since version 1" in err and "your text is kept in" in err
    (kept,) = (incident_file.parent / "drafts" / "conflicts").glob("*-dave-on-0002-*.md")
    assert kept.read_text() == SEED_DRAFT + "\nMy addition.\n"
    assert main(["drafts", "save", str(incident_file), str(mine), "--base", "2", "--author", "dave"]) == 0
    assert store.read() == SEED_DRAFT + "\nMy addition.\n"


def test_cli_needs_an_incident_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drafts", "list", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: no such incident file" in capsys.readouterr().err


# --- ignored findings, kept with each version ------------------------------------------------------------

IGNORE = {"rule": "jargon", "line": 20, "reason": "our customers run Redis", "text": "x"}


def test_ignores_are_kept_in_the_sidecar_and_found_by_text(store: DraftStore) -> None:
    v1 = store.save(SEED_DRAFT, ignores=[IGNORE])
    assert json.loads(v1.path.with_suffix(".json").read_text())["ignores"] == [IGNORE]
    assert store.get(1).ignores == [IGNORE]
    v2 = store.save(EDITED)
    assert "ignores" not in json.loads(v2.path.with_suffix(".json").read_text())
    assert store.find(SEED_DRAFT) == store.get(1) and store.find("never saved\n") is None
    assert store.restore(1).ignores == [IGNORE]  # the text and what was let through with it


def test_working_copy_keeps_ignores(store: DraftStore) -> None:
    store.write_working("typed\n", base=0, ignores=[IGNORE])
    working = store.read_working()
    assert working is not None and working.ignores == [IGNORE]
    store.write_working("typed again\n", base=0)
    again = store.read_working()
    assert again is not None and again.ignores == []


def test_a_damaged_ignore_in_a_sidecar_is_dropped(store: DraftStore) -> None:
    v1 = store.save(SEED_DRAFT)
    meta = json.loads(v1.path.with_suffix(".json").read_text())
    v1.path.with_suffix(".json").write_text(json.dumps({**meta, "ignores": [IGNORE, "oops", {"line": 3}]}))
    assert store.get(1).ignores == [IGNORE]


def test_cli_save_keeps_ignores_with_their_reason(
    incident_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(SEED_DRAFT)
    argv = ["drafts", "save", str(incident_file), str(draft), "--ignore", "jargon:20=we sell Redis"]
    assert main(argv) == 0
    capsys.readouterr()
    (version,) = DraftStore.for_incident(incident_file).versions()
    lines = SEED_DRAFT.split("\n")
    assert version.ignores == [
        {"rule": "jargon", "line": 20, "reason": "we sell Redis", "text": lines[19].strip()}
    ]
    assert main(["drafts", "save", str(incident_file), str(draft), "--ignore", "jargon:20"]) == 2
    assert "say why the finding can be ignored" in capsys.readouterr().err
