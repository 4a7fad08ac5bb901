"""A damaged drafts folder: a bad entry is skipped with a one-line warning naming it, the rest keeps working.

Each kind of damage is made for real in a temporary folder holding two good versions. ``drafts list`` and
``drafts save`` (the CLI, in process) must still succeed, say what they skipped on stderr, and a new save
must be numbered past every name that looks like a version. Permission problems are a clean error (exit 2)
naming the folder; as root, those run in a subprocess as ``nobody``, since root ignores permission bits.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postmortem_widgets.app.session import Session
from postmortem_widgets.cli import main
from postmortem_widgets.errors import DraftPermissionError, DraftStoreError
from postmortem_widgets.store import DraftStore
from tests.support.ui import OpenWorkspace

NOBODY = 65534
GOOD = ("0001-2026-11-26T201500Z", "0002-2026-11-26T201630Z")


def ticking() -> Callable[[], datetime]:
    times = (datetime(2026, 11, 27, 9, tzinfo=UTC) + timedelta(seconds=90 * i) for i in range(1000))
    return lambda: next(times)


@pytest.fixture
def incident_file(tmp_path: Path) -> Path:
    path = tmp_path / "incident.yaml"
    path.write_text("product_name: Anchor Analytics\n")
    store = DraftStore.for_incident(path, clock=lambda: datetime(2026, 11, 26, 20, 15, tzinfo=UTC))
    store.save("## Summary\n\nVersion one.\n", author="alice")
    store.clock = lambda: datetime(2026, 11, 26, 20, 16, 30, tzinfo=UTC)
    store.save("## Summary\n\nVersion two.\n", author="bob")
    return path


def drafts(incident_file: Path) -> Path:
    return incident_file.parent / "drafts"


def non_utf8(folder: Path) -> str:
    (folder / "0003-2026-11-26T201800Z.md").write_bytes(b"## Summary\n\nCaf\xe9 latin-1\n")
    return "0003-2026-11-26T201800Z.md: skipped, it is not UTF-8 text (byte 0xe9 at offset 15)"


def folder_named_like_a_version(folder: Path) -> str:
    (folder / "0003-2026-11-26T201800Z.md").mkdir()
    return "0003-2026-11-26T201800Z.md: skipped, it is a folder, not a file"


def bad_date(folder: Path) -> str:
    (folder / "0003-2026-13-45T256199Z.md").write_text("## Summary\n\nWhen?\n")
    return "0003-2026-13-45T256199Z.md: skipped, it has an impossible date in its name (2026-13-45T256199Z)"


def dangling_symlink(folder: Path) -> str:
    (folder / "0003-2026-11-26T201800Z.md").symlink_to(folder / "nowhere.md")
    return "0003-2026-11-26T201800Z.md: skipped, it is a symbolic link, not a file"


def symlink_to_a_secret(folder: Path) -> str:
    secret = folder.parent / "secret.txt"
    secret.write_text("PM_SECRET_42\n")
    (folder / "0003-2026-11-26T201800Z.md").symlink_to(secret)
    return "0003-2026-11-26T201800Z.md: skipped, it is a symbolic link, not a file"


def fifo(folder: Path) -> str:
    os.mkfifo(folder / "0003-2026-11-26T201800Z.md")  # opening it for reading would wait for a writer
    return "0003-2026-11-26T201800Z.md: skipped, it is not a regular file"


def sidecar_list(folder: Path) -> str:
    (folder / f"{GOOD[1]}.json").write_text("[1, 2, 3]\n")
    return f"{GOOD[1]}.json: holds a JSON list, not an object; version shown without its metadata"


def sidecar_not_json(folder: Path) -> str:
    (folder / f"{GOOD[1]}.json").write_text('{"author": "bob",')
    return f"{GOOD[1]}.json: is not valid JSON (Expecting property name enclosed in double quotes"


def sidecar_wrong_types(folder: Path) -> str:
    meta = {"author": ["bob"], "review": "clean", "base": "one", "note": 5, "drafter": "offline"}
    (folder / f"{GOOD[1]}.json").write_text(json.dumps(meta))
    return f"{GOOD[1]}.json: ignored field(s) of the wrong type: author, review, base, note"


def lock_is_a_folder(folder: Path) -> str:
    (folder / ".lock").unlink()
    (folder / ".lock").mkdir()
    return ".lock: is a folder, not the lock file; saves lock "


DAMAGE: dict[str, Callable[[Path], str]] = {
    "non_utf8": non_utf8,
    "folder_named_like_a_version": folder_named_like_a_version,
    "bad_date": bad_date,
    "dangling_symlink": dangling_symlink,
    "symlink_to_a_secret": symlink_to_a_secret,
    "fifo": fifo,
    "sidecar_list": sidecar_list,
    "sidecar_not_json": sidecar_not_json,
    "sidecar_wrong_types": sidecar_wrong_types,
    "lock_is_a_folder": lock_is_a_folder,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_entry_is_skipped_and_list_and_save_keep_working(
    damage: str, incident_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = DAMAGE[damage](drafts(incident_file))
    inc = str(incident_file)

    assert main(["drafts", "list", inc]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()] == ["1", "2"]
    if damage != "lock_is_a_folder":  # the lock is only taken by a save
        (warning,) = err.splitlines()
        assert warning.startswith(f"postmortem drafts: warning: {drafts(incident_file)}/")
        assert expected in warning
    assert "PM_SECRET_42" not in out + err

    mine = tmp_path / "mine.md"
    mine.write_text("## Summary\n\nVersion four.\n")
    assert main(["drafts", "save", inc, str(mine), "--author", "carol"]) == 0
    out, err = capsys.readouterr()
    number = 4 if damage in {"non_utf8", "folder_named_like_a_version", "bad_date", "dangling_symlink",
                             "symlink_to_a_secret", "fifo"} else 3  # fmt: skip
    assert f"saved version {number}: " in err
    assert expected in err
    assert main(["drafts", "show", inc]) == 0
    assert capsys.readouterr().out == "## Summary\n\nVersion four.\n"


def test_the_library_collects_the_warnings_for_the_front_ends(incident_file: Path) -> None:
    folder = drafts(incident_file)
    expected = [non_utf8(folder), sidecar_list(folder)]
    store = DraftStore(folder)
    assert [v.number for v in store.versions()] == [1, 2]
    assert [w.removeprefix(f"{folder}/") for w in store.warnings] == [expected[1], expected[0]]
    assert store.versions()[1].author == ""  # the list was not taken as metadata
    assert len(store.warnings) == 2  # a new listing starts afresh, nothing is repeated
    latest = store.latest()
    assert latest is not None and latest.number == 2  # the newer, unreadable version 3 is passed over


def test_asking_for_a_damaged_version_is_a_clean_error(
    incident_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    non_utf8(drafts(incident_file))
    with pytest.raises(DraftStoreError, match="draft version 3 is not UTF-8 text"):
        DraftStore(drafts(incident_file)).get(3)
    assert main(["drafts", "show", str(incident_file), "3"]) == 2
    assert "error: " in capsys.readouterr().err


def test_a_fifo_named_like_a_version_does_not_hang_a_listing(incident_file: Path) -> None:
    fifo(drafts(incident_file))
    code = "import sys; from postmortem_widgets.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, "drafts", "list", str(incident_file)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and "is not a regular file" in done.stderr


def test_the_workspace_session_opens_and_lists_a_damaged_folder(incident_file: Path) -> None:
    folder = drafts(incident_file)
    for make in (non_utf8, sidecar_list):
        make(folder)
    (folder / "working.md").write_bytes(b"\xff\xfe typed in another encoding\n")
    session = Session.open(incident_file)
    assert session.draft == "## Summary\n\nVersion two.\n"  # the newest readable version
    assert [v.number for v in session.versions()] == [1, 2]
    assert len(session.draft_warnings()) == 2
    session.set_draft("## Summary\n\nTyped.\n")
    session.flush()  # the unreadable working copy is kept aside, not overwritten
    (kept,) = (folder / "conflicts").glob("*-unreadable-working.md")
    assert kept.read_bytes() == b"\xff\xfe typed in another encoding\n"
    assert (folder / "working.md").read_text() == "## Summary\n\nTyped.\n"
    assert session.save_version(note="after damage").number == 4


def test_the_workspace_shows_the_warnings_under_the_versions(
    incident_file: Path, open_workspace: OpenWorkspace
) -> None:
    non_utf8(drafts(incident_file))
    workspace = open_workspace(incident_file)
    step = workspace.select("Export")
    assert "0003-2026-11-26T201800Z.md: skipped, it is not UTF-8 text" in step.table.value  # type: ignore[attr-defined]


def test_the_drafts_folder_being_a_file_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "incident.yaml").write_text("product_name: X\n")
    (tmp_path / "drafts").write_text("not a folder\n")
    (tmp_path / "mine.md").write_text("text\n")
    assert main(["drafts", "list", str(tmp_path / "incident.yaml")]) == 0
    assert main(["drafts", "save", str(tmp_path / "incident.yaml"), str(tmp_path / "mine.md")]) == 2
    assert "drafts: the drafts folder is a file, not a folder" in capsys.readouterr().err


# -- permissions ------------------------------------------------------------------------------------


@pytest.fixture
def shared_incident() -> Iterator[Path]:
    """An incident in a folder that ``nobody`` may read (pytest's own temporary folders are private)."""
    top = Path(tempfile.mkdtemp(prefix="pm-perm-"))
    top.chmod(0o755)
    try:
        path = top / "incident.yaml"
        path.write_text("product_name: Anchor Analytics\n")
        DraftStore.for_incident(path).save("## Summary\n\nVersion one.\n", author="alice")
        (top / "mine.md").write_text("## Summary\n\nMine.\n")
        for p in (top, *top.rglob("*")):
            p.chmod(0o755 if p.is_dir() else 0o644)
        yield path
    finally:
        shutil.rmtree(top)


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Run as a user the permission bits apply to: as root, ``nobody`` for a moment (effective ids only,
    so they come back); otherwise the user as is."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    import postmortem_widgets.review  # noqa: F401  (imported with privileges: nobody cannot read the stdlib here)

    main(["drafts", "list", "/nonexistent/incident.yaml"])
    capsys.readouterr()
    with unprivileged():
        code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_read_only_drafts_folder_is_a_clean_error_naming_it(
    shared_incident: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_incident.parent / "drafts"
    if os.geteuid() != 0:
        folder.chmod(0o555)  # as root it is root's, 0755: nobody may read it but not write to it
    mine = str(shared_incident.parent / "mine.md")
    try:
        code, out, err = cli("drafts", "list", str(shared_incident), capsys=capsys)
        assert (code, out.split()[0], err) == (0, "1", "")
        code, out, err = cli("drafts", "save", str(shared_incident), mine, capsys=capsys)
    finally:
        folder.chmod(0o755)
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith(f"postmortem drafts: error: {folder}")
    assert "cannot save a draft version: Permission denied" in line
    assert f"Hint: make {folder} writable for you" in line and "nothing was changed" in line
    assert [v.number for v in DraftStore(folder).versions()] == [1]


def test_an_unreadable_drafts_folder_is_a_clean_error(
    shared_incident: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_incident.parent / "drafts"
    folder.chmod(0o711 if os.geteuid() == 0 else 0o311)  # one may enter it but not list it
    try:
        code, _, err = cli("drafts", "list", str(shared_incident), capsys=capsys)
        with unprivileged():
            session = Session.open(shared_incident)  # the workspace still opens the incident
    finally:
        folder.chmod(0o755)
    assert code == 2
    assert err.strip() == (
        f"postmortem drafts: error: {folder}: cannot read the drafts folder: permission denied. "
        f"Hint: ask its owner to let you read it (ls -ld {folder}; chmod u+rx)"
    )
    assert session.draft == "" and "cannot read the drafts folder" in session.draft_warnings()[0]


def test_permission_errors_in_the_library_are_draft_store_errors(tmp_path: Path) -> None:
    """Without privileges to drop, the mapping itself: EACCES and EROFS become DraftPermissionError."""
    from postmortem_widgets.store import _permissions

    for err in (
        PermissionError(13, "Permission denied", str(tmp_path)),
        OSError(30, "Read-only file system"),
    ):
        with pytest.raises(DraftPermissionError) as caught, _permissions(tmp_path, "save a draft version"):
            raise err
        assert caught.value.file == str(tmp_path)
    with pytest.raises(OSError, match="No space"), _permissions(tmp_path, "save"):
        raise OSError(28, "No space left on device")
