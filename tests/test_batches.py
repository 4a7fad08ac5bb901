"""Many small CSV files of one shape are read as one table; every event still cites its own file and line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import InputError
from postmortem_widgets.timeline.batches import MIN_FILES, Batch, batched, import_batch
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.merge import import_sources, load_timeline
from postmortem_widgets.timeline.sources import FileSource, expand_paths

HEADER = "time,message\n"


#: One word per file, so no two files' messages share a template.
WORDS = tuple(Path(__file__).with_name("data").joinpath("batches", "words.txt").read_text().split())
STEPS = ("restarted", "drained", "rebalanced")


def rows_of(i: int) -> str:
    """File ``i``'s rows: one to three, a second apart (line numbers differ between files), in words a
    person writes (no repeated template: the joined table is still a hand-written timeline, not a log)."""
    return "".join(f"2024-04-15T13:{i:02}:{r:02}Z,{WORDS[i]} node {STEPS[r]}\n" for r in range(1 + i % 3))


def folder_of(path: Path, count: int, *, header: str = HEADER, name: str = "check-{i:02}.csv") -> Path:
    path.mkdir(exist_ok=True)
    for i in range(count):
        (path / name.format(i=i)).write_text(header + rows_of(i))
    return path


def one_by_one(folder: Path) -> pd.DataFrame:
    """What importing each file on its own gives (no batching: ``import_source`` reads one source)."""
    frames = [import_source(FileSource(p), options=ImportOptions()).events for p in sorted(folder.iterdir())]
    return pd.concat(frames, ignore_index=True)


def facts(events: pd.DataFrame) -> list[tuple[str, str, str, str, int]]:
    return [
        (str(t), str(k), str(m), str(f), int(n))
        for t, k, m, f, n in zip(
            events["time"], events["kind"], events["message"], events["file"], events["line"], strict=True
        )
    ]


def test_a_folder_of_small_same_shaped_files_is_one_input_whose_events_keep_their_file_and_line(
    tmp_path: Path,
) -> None:
    folder = folder_of(tmp_path / "checks", 30)
    results = import_sources(expand_paths([folder]))
    assert len(results) == 1
    (result,) = results
    assert result.file == f"{folder}/check-*.csv"
    assert result.files == tuple(str(folder / f"check-{i:02}.csv") for i in range(30))
    assert result.format == "table" and result.count == sum(1 + i % 3 for i in range(30)) == 60
    assert facts(result.events) == facts(one_by_one(folder))
    # File 5 has three rows: lines 2, 3 and 4 of its own file.
    mine = result.events[result.events["file"] == str(folder / "check-05.csv")]
    assert mine["line"].tolist() == [2, 3, 4]
    assert mine["message"].tolist() == [
        "foxtrot node restarted",
        "foxtrot node drained",
        "foxtrot node rebalanced",
    ]


def test_fewer_files_than_the_threshold_stay_inputs_of_their_own(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "two-authors", MIN_FILES - 1)
    results = import_sources(expand_paths([folder]))
    assert [r.file for r in results] == [str(folder / f"check-{i:02}.csv") for i in range(MIN_FILES - 1)]
    assert all(r.files == () for r in results)


def test_files_of_another_header_another_folder_or_format_are_not_joined(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    folder_of(root, 25, name="web-{i:02}.csv")
    folder_of(root, 22, header="timestamp,message\n", name="db-{i:02}.csv")
    folder_of(root / "sub", 21, name="api-{i:02}.csv")
    (root / "notes.txt").write_text("9:14am: Deploy\n")
    results = import_sources(expand_paths([root]), date="2024-04-15", tz="UTC")
    named = {r.file: len(r.file_names) for r in results}
    assert named == {
        f"{root}/db-*.csv": 22,
        f"{root}/notes.txt": 1,
        f"{root}/sub/api-*.csv": 21,
        f"{root}/web-*.csv": 25,
    }


def test_bom_crlf_and_a_missing_last_newline_join_like_any_other_file(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "mixed", 24)
    (folder / "check-03.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + rows_of(3)).encode())
    (folder / "check-04.csv").write_bytes((HEADER + rows_of(4)).rstrip("\n").encode())
    (result,) = import_sources(expand_paths([folder]))
    assert result.files and facts(result.events) == facts(one_by_one(folder))


def test_a_quoted_value_over_two_lines_keeps_its_first_line(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "quoted", 21)
    (folder / "check-07.csv").write_text(
        HEADER + '2024-04-15T13:07:00Z,"deploy of checkout-api\nstarted"\n2024-04-15T13:07:05Z,second row\n'
    )
    (result,) = import_sources(expand_paths([folder]))
    mine = result.events[result.events["file"] == str(folder / "check-07.csv")]
    assert mine["line"].tolist() == [2, 4]
    assert mine["message"].tolist() == ["deploy of checkout-api started", "second row"]


def test_a_bad_file_among_many_is_named_with_its_own_line(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "broken", 30)
    (folder / "check-17.csv").write_text(HEADER + "2024-04-15T13:17:00Z,ok\nnot a time,bad row\n")
    with pytest.raises(InputError) as caught:
        import_sources(expand_paths([folder]))
    assert caught.value.file == str(folder / "check-17.csv")
    assert "rows 3 (first: 'not a time')" in str(caught.value)


def test_a_warning_names_the_file_it_is_about(tmp_path: Path) -> None:
    """A row with a field too many is skipped with a warning: the files are read one by one to say where."""
    folder = folder_of(tmp_path / "ragged", 25)
    (folder / "check-11.csv").write_text(HEADER + "2024-04-15T13:11:00Z,ok\n2024-04-15T13:11:01Z,too,many\n")
    results = import_sources(expand_paths([folder]))
    assert len(results) == 25
    warned = [(r.file, w) for r in results for w in r.warnings]
    assert len(warned) == 1 and warned[0][0] == str(folder / "check-11.csv")
    assert "3" in warned[0][1]


def test_a_role_given_to_the_folder_holds_for_the_joined_table(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "checks", 30)
    roles = {str(folder / f"check-{i:02}.csv"): "log" for i in range(30)}
    (result,) = import_sources(expand_paths([folder]), roles=roles)
    assert result.role == "log" and result.rows == 60 and len(result.files) == 30


def test_rotated_health_checks_read_as_the_log_they_are(tmp_path: Path) -> None:
    """Joined, 60 rows of one template are a log (one file each, every file looked hand-written)."""
    folder = tmp_path / "rotated"
    folder.mkdir()
    for i in range(30):
        (folder / f"health-{i:02}.csv").write_text(
            HEADER
            + "".join(f"2024-04-15T13:{i:02}:{r:02}Z,checkout-api check {i}.{r} ok\n" for r in range(2))
        )
    (result,) = import_sources(expand_paths([folder]))
    assert (result.role, result.rows, result.count) == ("log", 60, 0)
    assert [s.name for s in result.series] == ["log rate"]


def test_a_file_with_a_role_of_its_own_is_read_apart(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "checks", 30)
    alone = str(folder / "check-00.csv")
    results = import_sources(expand_paths([folder]), roles={alone: "log"})
    assert [(r.file, r.role) for r in results] == [(alone, "log"), (f"{folder}/check-*.csv", "timeline")]
    assert len(results[1].files) == 29


def test_the_window_keeps_the_events_inside_it(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "checks", 30)
    (result,) = import_sources(expand_paths([folder]), window="13:10..13:12", date="2024-04-15", tz="UTC")
    assert result.warnings == ["--window 13:10..13:12: kept 6 of 60 event(s), 54 outside"]
    assert sorted({str(f).rsplit("/", 1)[1] for f in result.events["file"]}) == [
        "check-10.csv",
        "check-11.csv",
        "check-12.csv",
    ]


def test_a_zip_of_many_small_exports_is_one_input(tmp_path: Path) -> None:
    archive = tmp_path / "hosts.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for i in range(20):
            out.writestr(f"hosts/web-{i:02}.csv", HEADER + rows_of(i))
    (result,) = import_sources(expand_paths([archive]))
    assert result.file == f"{archive}!hosts/web-*.csv"
    assert result.events["file"].iloc[-1] == f"{archive}!hosts/web-19.csv"
    assert result.events["line"].iloc[-1] == 3


def test_the_milestones_read_the_joined_files_as_the_hand_written_timeline_they_are(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "checks", 30)
    timeline = load_timeline([folder])
    assert timeline.milestones.started == pd.Timestamp("2024-04-15T13:00:00Z")


def test_the_cli_lists_the_batch_as_one_input_with_its_file_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = folder_of(tmp_path / "checks", 30)
    assert main(["timeline", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"{folder}/check-*.csv: table, timeline, 60 event(s) from 30 files" in out


def test_the_issues_folder_of_5000_one_row_files_is_one_log_citing_the_file_of_its_deploy(
    tmp_path: Path,
) -> None:
    """The hostile-input case (48 s one file at a time): one import, and the deploy still cites its file."""
    folder = tmp_path / "folder-5000"
    folder.mkdir()
    for i in range(5000):
        minute, second = divmod(i % 3600, 60)
        what = "Deploy of checkout-api v2 completed" if i == 4321 else f"checkout-api health check {i} ok"
        (folder / f"check-{i:04}.csv").write_text(f"{HEADER}2024-04-15T13:{minute:02}:{second:02}Z,{what}\n")
    (result,) = import_sources(expand_paths([folder]))
    assert (result.file, result.role, result.rows, len(result.files)) == (
        f"{folder}/check-*.csv",
        "log",
        5000,
        5000,
    )
    deploy = result.events[result.events["kind"] == "change"]
    assert deploy["file"].tolist() == [str(folder / "check-4321.csv")] and deploy["line"].tolist() == [2]
    assert str(deploy["time"].iloc[0]) == "2024-04-15 13:12:01+00:00"


def test_a_batch_holds_at_most_max_bytes_of_rows(tmp_path: Path) -> None:
    """Files are joined a batch at a time; a last batch too small to join is read file by file."""
    folder = folder_of(tmp_path / "checks", 30)
    first_22 = sum(len(rows_of(i).encode()) for i in range(22))
    items = list(batched(expand_paths([folder]), roles=lambda name: None, max_bytes=first_22))
    assert isinstance(items[0], Batch) and len(items[0].sources) == 22
    assert [s.name for s in items[1:]] == [str(folder / f"check-{i:02}.csv") for i in range(22, 30)]


def test_a_file_changed_before_its_batch_is_read_sends_the_batch_file_by_file(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "checks", 25)
    (batch,) = batched(expand_paths([folder]), roles=lambda name: None)
    assert isinstance(batch, Batch)
    (folder / "check-03.csv").write_text("timestamp,message\n2024-04-15T13:03:00Z,renamed column\n")
    results = import_batch(
        batch,
        read=lambda source, name: import_source(source, format=name, options=ImportOptions()),
        read_joined=lambda source, name: import_source(source, format=name, options=ImportOptions()),
        detect=lambda source: "table",
    )
    assert len(results) == 25 and results[3].events["message"].tolist() == ["renamed column"]
