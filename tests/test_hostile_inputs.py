"""Hostile files never crash, hang, exhaust memory or leak: each gives one clear error (or a warning).

Zip bombs, FIFOs, devices, links out of a folder, JSON nested 100,000 deep, 50 MB fields, CR-only line
ends. Big inputs are built inside the tests in bounded sizes; the ones a regression could turn into a
machine-sized allocation or a hang run the CLI in a child process capped at 1 GiB of address space and
bounded by a timeout (:func:`tests.support.hostile.run_capped`).
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import (
    EmptyInputError,
    InputError,
    LimitError,
    LimitSettingError,
    NotAFileError,
)
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.limits import GiB, Limits, parse_size
from postmortem_widgets.timeline.merge import load_timeline, parse_timeline
from postmortem_widgets.timeline.sources import FileSource, Source, expand_paths, source_from_bytes
from tests.support.hostile import Member, MiB, deflate_blocks, rows_bomb, run_capped, write_zip, zeros_bomb

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "tests" / "data" / "importers" / "table"
ZENDESK = ROOT / "tests" / "data" / "importers" / "zendesk"
SEED = ROOT / "sample_data" / "anchor_analytics" / "timeline.txt"
ROW = "2024-04-15T13:14:00Z,Deploy of checkout-api completed\n"
CSV = ("time,message\n" + ROW).encode()


def csv_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def one_error_line(run_lines: list[str]) -> str:
    assert len(run_lines) == 1, run_lines
    return run_lines[0]


# -- zip bombs and hostile zips ----------------------------------------------------------------------------


def test_a_zip_bomb_of_zeros_is_refused_before_it_expands(tmp_path: Path) -> None:
    """The issue's bomb: 2 MB expanding to 2 GiB of zeros took 4.6 GB of memory."""
    bomb = zeros_bomb(tmp_path / "bomb.zip", mib=2048)
    assert bomb.stat().st_size < 3 * MiB
    run = run_capped(["timeline", str(bomb)])
    line = one_error_line(run.lines)
    assert run.code == 2, run
    assert f"{bomb}!zeros.csv: expands to 2 GiB, more than one zip member may" in line
    assert "max_member_bytes is 1 GiB" in line and "POSTMORTEM_MAX_MEMBER_BYTES=" in line
    assert "--max-member-bytes" in line


def test_a_zip_bomb_of_csv_rows_is_refused_by_its_ratio(tmp_path: Path) -> None:
    """Rows that compress a thousandfold, under the member size: the ratio stops them."""
    bomb = rows_bomb(tmp_path / "rows.zip", mib=512)
    run = run_capped(["timeline", str(bomb)])
    line = one_error_line(run.lines)
    assert run.code == 2, run
    assert f"{bomb}!rows.csv: expands " in line and "a zip bomb" in line
    assert "max_zip_ratio is 100" in line and "POSTMORTEM_MAX_ZIP_RATIO=" in line


def test_a_member_that_lies_about_its_size_is_never_expanded_past_it(tmp_path: Path) -> None:
    """The header says 1 KiB; the stream holds 1 GiB. The reader stops at the size it was told."""
    stream = deflate_blocks(b"\0" * MiB, 1024)
    bomb = write_zip(tmp_path / "liar.zip", [Member("liar.csv", stream, size=1024)])
    run = run_capped(["timeline", str(bomb)])
    line = one_error_line(run.lines)
    assert run.code == 2, run
    assert f"{bomb}!liar.csv: cannot expand this zip member" in line


def test_many_small_members_cannot_add_up_to_a_bomb(tmp_path: Path) -> None:
    """Each member under 1 MiB (never held to the ratio), the zip as a whole is."""
    stream = deflate_blocks(b"\0" * (MiB // 2), 1)
    members = [Member(f"part{i:03}.csv", stream, MiB // 2) for i in range(400)]
    bomb = write_zip(tmp_path / "many.zip", members)
    with pytest.raises(LimitError) as info:
        list(expand_paths([bomb]))
    assert info.value.limit == "max_zip_ratio"
    assert "the zip expands" in str(info.value) and "in all" in str(info.value)


def test_zip_limits_can_be_raised(tmp_path: Path) -> None:
    bomb = rows_bomb(tmp_path / "rows.zip", mib=2, crc=True)
    with pytest.raises(LimitError) as info:
        list(expand_paths([bomb]))
    assert info.value.limit == "max_zip_ratio"
    assert info.value.found is not None and info.value.found > 100
    [source] = list(expand_paths([bomb], limits=Limits(max_zip_ratio=10_000)))
    result = import_source(source)
    # Every row read (a log of one repeated line keeps a few events of them all).
    assert result.format == "table" and result.rows == 2 * (MiB // len(ROW))


def test_a_zip_member_past_max_member_bytes(tmp_path: Path) -> None:
    archive = csv_zip(tmp_path / "logs.zip", {"big.csv": CSV * 2000})
    with pytest.raises(LimitError) as info:
        source_from_bytes(archive.read_bytes(), name="logs.zip", limits=Limits(max_member_bytes=64 * 1024))
    assert info.value.limit == "max_member_bytes"
    assert str(info.value).startswith("logs.zip!big.csv: expands to 131 KiB")


def test_a_zip_past_max_files_and_max_import_bytes(tmp_path: Path) -> None:
    archive = csv_zip(tmp_path / "logs.zip", {f"log{i}.csv": CSV for i in range(12)})
    with pytest.raises(LimitError) as info:
        list(expand_paths([archive], limits=Limits(max_files=10)))
    assert info.value.limit == "max_files" and "holds 12 files" in str(info.value)
    with pytest.raises(LimitError) as info:
        list(expand_paths([archive], limits=Limits(max_import_bytes=500)))
    assert info.value.limit == "max_import_bytes"


def test_a_zip_directory_too_big_for_max_files_is_not_parsed(tmp_path: Path) -> None:
    """Millions of entries would take gigabytes of ZipInfo: the directory's size is checked first."""
    archive = csv_zip(tmp_path / "names.zip", {"x" * 400 + f"{i}.csv": CSV for i in range(8)})
    with pytest.raises(LimitError) as info:
        list(expand_paths([archive], limits=Limits(max_files=2)))
    assert "the zip's directory takes" in str(info.value)


def test_members_whose_path_leaves_the_archive_are_skipped_with_a_warning(tmp_path: Path) -> None:
    archive = csv_zip(
        tmp_path / "mixed.zip",
        {"../evil.csv": CSV, "/etc/cron.csv": CSV, "a\\..\\..\\win.csv": CSV, "ok.csv": CSV},
    )
    timeline = load_timeline([archive])
    assert [r.file for r in timeline.imports] == [f"{archive}!ok.csv"]
    warnings = "\n".join(timeline.warnings)
    for member in ("../evil.csv", "/etc/cron.csv", "a\\\\..\\\\..\\\\win.csv"):
        assert f"zip member '{member}' skipped: its path leaves the archive" in warnings


def test_a_zip_of_only_escaping_members_is_an_error(tmp_path: Path) -> None:
    """It imported as a success with no events and no warning."""
    archive = csv_zip(tmp_path / "escape.zip", {"../a.csv": CSV, "../../b.csv": CSV})
    with pytest.raises(EmptyInputError) as info:
        load_timeline([archive])
    text = str(info.value)
    assert text.startswith(f"{archive}: the zip holds no file to import")
    assert "'../a.csv'" in text and "'../../b.csv'" in text


def test_an_empty_zip_is_an_error(tmp_path: Path) -> None:
    archive = csv_zip(tmp_path / "empty.zip", {})
    data = archive.read_bytes()
    with pytest.raises(InputError):
        parse_timeline(data, name="empty.zip")


def test_a_corrupt_zip_member_is_an_input_error(tmp_path: Path) -> None:
    archive = csv_zip(tmp_path / "ok.zip", {"log.csv": CSV * 50})
    data = bytearray(archive.read_bytes())
    data[40:60] = b"\xff" * 20  # inside the member's compressed bytes
    with pytest.raises(InputError) as info:
        parse_timeline(bytes(data), name="broken.zip", tz="UTC")
    assert "broken.zip" in str(info.value)


def test_zip_members_are_read_lazily_and_released(tmp_path: Path) -> None:
    archive = csv_zip(tmp_path / "two.zip", {"a.csv": CSV + ROW.encode() * 2000, "b.csv": CSV})
    sources = list(expand_paths([archive]))
    assert all("data" not in s.__dict__ for s in sources)
    assert sources[0].head.startswith("time,message")
    assert "data" not in sources[0].__dict__  # sniffing expanded the first bytes only
    import_source(sources[0])
    assert "data" not in sources[0].__dict__ and "text" not in sources[0].__dict__


# -- files that are not files, folders that are left ------------------------------------------------------


def test_a_fifo_returns_at_once_with_a_clear_error(tmp_path: Path) -> None:
    """It hung for ever: opening a FIFO blocks until something writes to it."""
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    run = run_capped(["timeline", str(fifo)], timeout=30)
    assert run.code == 2, run
    line = one_error_line(run.lines)
    assert f"{fifo}: this is a FIFO (named pipe), not a file: only regular files are read" in line


def test_a_fifo_in_a_folder_is_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "log.csv").write_bytes(CSV)
    os.mkfifo(folder / "pipe.csv")
    run = run_capped(["timeline", str(folder), "--json"], timeout=30)
    assert run.code == 0, run
    assert "pipe.csv: a FIFO (named pipe), not a file, skipped" in "".join(json.loads(run.stdout)["warnings"])


def test_dev_zero_as_text_is_refused(tmp_path: Path) -> None:
    """It read until memory ran out (4.8 GB)."""
    run = run_capped(["timeline", "/dev/zero", "--format", "text", "--date", "2024-04-15", "--tz", "UTC"])
    assert run.code == 2, run
    assert "/dev/zero: this is a character device, not a file" in one_error_line(run.lines)


def test_a_device_or_fifo_given_to_a_file_source_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/null")):
        with pytest.raises(NotAFileError):
            _ = FileSource(path).head


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A folder with a short path (a Unix socket's path is at most about 100 bytes)."""
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        yield Path(folder)


def test_a_socket_in_a_folder_is_skipped(short_tmp: Path) -> None:
    (short_tmp / "log.csv").write_bytes(CSV)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(short_tmp / "s.csv"))
        [source] = list(expand_paths([short_tmp]))
        assert source.warnings == ["s.csv: a socket, not a file, skipped"]


def test_a_folder_walk_never_follows_a_link_out_of_the_folder(tmp_path: Path) -> None:
    """It read /etc/passwd through a link in the folder."""
    outside = tmp_path / "secret.csv"
    outside.write_text("time,message\n2024-04-15T09:00:00Z,the secret\n")
    folder = tmp_path / "exports"
    (folder / "sub").mkdir(parents=True)
    (folder / "log.csv").write_bytes(CSV)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "secret.csv").symlink_to(outside)
    (folder / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (folder / "inside.csv").symlink_to(folder / "log.csv")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    timeline = load_timeline([folder])
    assert sorted(r.file for r in timeline.imports) == [str(folder / "inside.csv"), str(folder / "log.csv")]
    assert "the secret" not in set(timeline.events["message"])
    warnings = "\n".join(timeline.warnings)
    assert "passwd.txt: a link to outside the folder, skipped" in warnings
    assert "secret.csv: a link to outside the folder, skipped" in warnings
    assert "sub/up: a link to outside the folder, skipped" in warnings


def test_a_folder_of_only_links_out_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    with pytest.raises(InputError) as info:
        list(expand_paths([folder]))
    assert "nothing to import in this folder (passwd.txt: a link to outside the folder, skipped)" in str(
        info.value
    )


def test_folder_limits(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for i in range(5):
        (folder / f"log{i}.csv").write_bytes(CSV)
    (folder / ".git").mkdir()  # hidden folders are not walked, nor counted
    for i in range(20):
        (folder / ".git" / f"object{i}").write_bytes(b"x")
    assert len(list(expand_paths([folder], limits=Limits(max_files=5)))) == 5
    with pytest.raises(LimitError) as info:
        list(expand_paths([folder], limits=Limits(max_files=4)))
    assert info.value.limit == "max_files" and "the folder holds more than 4 files" in str(info.value)
    with pytest.raises(LimitError) as info:
        list(expand_paths([folder], limits=Limits(max_import_bytes=len(CSV) * 4)))
    assert info.value.limit == "max_import_bytes"


def test_a_file_past_max_import_bytes_is_refused_before_it_is_read(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes(CSV * 100)
    with pytest.raises(LimitError) as info:
        list(expand_paths([log], limits=Limits(max_import_bytes=1000)))
    assert str(info.value).startswith(f"{log}: the input is 6.5 KiB, more than one import reads")
    with pytest.raises(LimitError):
        source_from_bytes(CSV * 100, name="upload.csv", limits=Limits(max_import_bytes=1000))


def test_a_file_in_proc_is_read_within_the_limit() -> None:
    """``/proc`` files say they are empty: the read stops at the limit, whatever the size said."""
    source = FileSource(Path("/proc/self/status"), limits=Limits(max_import_bytes=16))
    with pytest.raises(LimitError):
        _ = source.data


# -- JSON ----------------------------------------------------------------------------------------------


def test_json_nested_100000_deep_is_a_clear_error(tmp_path: Path) -> None:
    """It ended in RecursionError (exit 70)."""
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    run = run_capped(["timeline", str(deep)])
    assert run.code == 2, run
    line = one_error_line(run.lines)
    assert f"{deep}: the JSON nests arrays and objects more than 100 levels deep" in line
    assert "POSTMORTEM_MAX_JSON_DEPTH=200" in line


def test_json_depth_counts_structure_not_brackets_in_strings() -> None:
    text = json.dumps({"log_entries": [{"summary": "[[[[{{{{" * 100, "nested": [[[['\\"]]]]']]]]}]})
    assert Source("x.json", text.encode(), limits=Limits(max_json_depth=7)).json is not None
    with pytest.raises(LimitError):
        _ = Source("x.json", text.encode(), limits=Limits(max_json_depth=6)).json


def test_a_depth_past_what_python_parses_is_a_limit_error() -> None:
    source = Source("deep.json", b"[" * 200_000 + b"]" * 200_000, limits=Limits(max_json_depth=10**6))
    with pytest.raises(LimitError) as info:
        _ = source.json
    assert "deeper than Python's JSON parser can follow" in str(info.value)


def test_a_json_document_past_max_json_bytes_is_not_parsed() -> None:
    data = b"[" + b'{"a": 1},' * 200_000 + b"{}]"
    with pytest.raises(LimitError) as info:
        import_source(Source("big.json", data, limits=Limits(max_json_bytes=MiB)))
    assert info.value.limit == "max_json_bytes"
    assert str(info.value).startswith("big.json: the JSON document is 1.7 MiB, more than is parsed at once")


def _log_entries(count: int) -> list[dict[str, object]]:
    """PagerDuty log entries (``GET /log_entries``), all of one incident and one service's agent."""
    return [
        {
            "id": f"R{number:05d}",
            "type": "annotate_log_entry" if number % 2 else "notify_log_entry",
            "summary": f"Check {number} of the checkout-api latency",
            "created_at": f"2024-04-15T13:{number // 60 % 60:02}:{number % 60:02}Z",
            "agent": {"id": "PSV9R1T", "type": "service_reference", "summary": "checkout-api (Prometheus)"},
            "channel": {"type": "api", "summary": f"note {number}"},
            "incident": {"id": "Q1MZ7KX", "type": "incident_reference", "summary": "[#8812] Checkout 5xx"},
        }
        for number in range(count)
    ]


def test_a_json_file_is_parsed_without_holding_its_bytes_or_its_text(tmp_path: Path) -> None:
    """The bytes are let go before the document is parsed (a file can be read again), and the text after."""
    path = tmp_path / "log_entries.json"
    path.write_text(json.dumps(_log_entries(1000), indent=1))
    assert path.stat().st_size > 4 * 65536  # past the head: the text is decoded for the document only
    source = FileSource(path)
    entries = source.json
    assert len(entries) == 1000 and entries[999]["summary"] == "Check 999 of the checkout-api latency"
    assert "data" not in source.__dict__ and "text" not in source.__dict__
    assert source.data == path.read_bytes()  # read again when an importer asks for it
    result = import_source(FileSource(path))
    assert (result.format, result.count, result.warnings) == ("pagerduty", 1000, [])
    assert result.events["message"][999] == "Check 999 of the checkout-api latency: note 999"


def test_text_that_only_looks_like_json_is_decoded_once_for_the_next_importer(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("".join(f"[{m:02}:00] Dashboards checked\n" for m in range(24)) * 2000)
    source = FileSource(path)
    assert source.json is None
    assert source.json_error == "invalid JSON at line 1, column 3: Expecting ',' delimiter"
    assert "text" in source.__dict__ and source.text.startswith("[00:00] Dashboards checked\n")
    result = import_source(source, options=ImportOptions(tz="UTC", date="2024-04-15"))
    assert (result.format, result.count) == ("text", 48_000)


def test_equal_references_in_a_json_document_are_one_object_and_its_records_stay_apart() -> None:
    """An entry's ``agent`` and ``incident`` repeat in every record: parsed once, whatever their number."""
    entries = _log_entries(3)
    entries.append(dict(entries[0]))  # an entry exported twice: still two records
    entries[2]["agent"] = {"id": "PSV9R1T", "type": "service_reference", "summary": 1}  # not text: apart
    doc = Source("log_entries.json", json.dumps(entries).encode()).json
    assert doc == entries
    assert doc[0]["agent"] is doc[1]["agent"] and doc[0]["incident"] is doc[3]["incident"]
    assert doc[2]["agent"] is not doc[0]["agent"] and doc[2]["agent"]["summary"] == 1
    assert doc[0]["channel"] is not doc[1]["channel"]  # unequal notes
    assert doc[0] is not doc[3]


def test_text_that_starts_with_a_bracket_is_not_held_to_the_json_limit() -> None:
    lines = "".join(f"[2024-04-15 11:{m:02}] Dashboards checked\n" for m in range(60)) * 2000
    result = import_source(
        Source("notes.txt", lines.encode(), limits=Limits(max_json_bytes=1024)),
        options=ImportOptions(tz="UTC"),
    )
    assert result.format == "text" and result.count == 120_000


# -- lines, fields, columns ----------------------------------------------------------------------------


def test_a_50_mb_csv_field_is_a_clear_error(tmp_path: Path) -> None:
    """It got pyarrow's 'Could not skip initial 1 rows ... header is larger than block size'."""
    big = tmp_path / "big.csv"
    big.write_bytes(b"time,message\n2024-04-15T13:14:00Z," + b"x" * (50 * MiB) + b"\n" + ROW.encode())
    run = run_capped(["timeline", str(big)])
    assert run.code == 2, run
    line = one_error_line(run.lines)
    assert f"{big}: a line is longer than 1 MiB (the limit max_line_bytes is 1 MiB)" in line
    assert "POSTMORTEM_MAX_LINE_BYTES=2MiB" in line


def test_a_long_field_within_a_raised_line_limit_imports(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"time,message\n2024-04-15T13:14:00Z,Deploy " + b"x" * (3 * MiB) + b"\n" + ROW.encode())
    with pytest.raises(LimitError):
        load_timeline([big])
    timeline = load_timeline([big], limits=Limits(max_line_bytes=4 * MiB))
    assert len(timeline.events) == 2


def test_a_10000_column_csv_imports() -> None:
    """It got pyarrow's message: its header and first row do not fit in the 64 KiB sniffed."""
    header = ",".join(f"metric_{i}" for i in range(10_000))
    row = ",".join(["2024-04-15T13:14:00Z", "Deploy completed", *["1.5"] * 9_998])
    result = import_source(Source("wide.csv", f"{header}\n{row}\n{row}\n".encode()))
    # Numbers under a time and a text column: a metric table, one series per number column.
    assert (result.format, result.role, len(result.series)) == ("table", "metric", 9_998)
    assert result.series[0].name == "metric_2" and result.series[0].labels == {"metric_1": "Deploy completed"}


def test_a_wide_table_without_a_time_lists_a_few_columns() -> None:
    header = ",".join(f"metric_{i}" for i in range(5_000))
    row = ",".join(["v"] * 5_000)
    with pytest.raises(InputError) as info:
        import_source(Source("wide.csv", f"{header}\n{row}\n".encode()), format="table")
    assert "'metric_19' and 4,980 more" in str(info.value)


def test_a_10_mb_line_of_free_text_is_a_clear_error() -> None:
    source = Source("notes.txt", b"9:14am: Deploy " + b"x" * (10 * MiB) + b"\n")
    with pytest.raises(LimitError) as info:
        import_source(source, format="text", options=ImportOptions(tz="UTC", date="2024-04-15"))
    assert info.value.limit == "max_line_bytes" and info.value.line == 1


# -- CR-only line ends ---------------------------------------------------------------------------------


def cr_only(data: bytes) -> bytes:
    """The same file with each line ending in a carriage return alone, in the file's own encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
        return text.replace("\r\n", "\r").replace("\n", "\r").encode("utf-16")
    return data.replace(b"\r\n", b"\r").replace(b"\n", b"\r")


TABLE_SAMPLES = sorted(
    p for folder in (TABLES, ZENDESK) for p in folder.iterdir() if not p.name.endswith(".expected.json")
)


def events_of(path: Path, data: bytes, *, on_disk: Path | None) -> list[tuple[object, ...]]:
    source = FileSource(on_disk) if on_disk is not None else Source(path.name, data)
    result = import_source(source, options=ImportOptions(tz="America/New_York", date="2024-04-15"))
    frame = result.events
    columns = ["time", "kind", "message", "actor", "line"]
    return [(result.format, *row) for row in frame[columns].astype(str).itertuples(index=False)]


@pytest.mark.parametrize("path", [*TABLE_SAMPLES, SEED], ids=lambda p: p.name)
def test_cr_only_files_read_like_any_other(path: Path, tmp_path: Path) -> None:
    """4 of the 7 CSV/TSV samples broke ('unknown time zone', 'could not recognise the format')."""
    data = path.read_bytes()
    converted = cr_only(data)
    assert b"\n" not in converted.replace(b"\n\x00", b"").replace(b"\x00\n", b"") or b"\r" in converted
    expected = events_of(path, data, on_disk=None)
    assert events_of(path, converted, on_disk=None) == expected
    on_disk = tmp_path / path.name
    on_disk.write_bytes(converted)
    assert events_of(path, converted, on_disk=on_disk) == expected


# -- settings ------------------------------------------------------------------------------------------


def test_limits_from_the_environment() -> None:
    limits = Limits.from_env(
        {"POSTMORTEM_MAX_IMPORT_BYTES": "8GiB", "POSTMORTEM_MAX_ZIP_RATIO": "250", "POSTMORTEM_MAX_FILES": ""}
    )
    assert limits == Limits(max_import_bytes=8 * GiB, max_zip_ratio=250)
    assert parse_size("500MB") == 500_000_000 and parse_size("1.5G") == 3 * GiB // 2
    assert parse_size("1_000") == 1000
    for bad in ({"POSTMORTEM_MAX_JSON_BYTES": "lots"}, {"POSTMORTEM_MAX_FILES": "0"}):
        with pytest.raises(LimitSettingError):
            Limits.from_env(bad)
    with pytest.raises(LimitSettingError):
        Limits(max_files=-1)


def test_the_environment_sets_the_cli_limits_and_flags_override_it(tmp_path: Path) -> None:
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"log_entries": [[[[[[[[{"a": 1}]]]]]]]]}))
    run = run_capped(["timeline", str(nested)], env={"POSTMORTEM_MAX_JSON_DEPTH": "4"})
    assert run.code == 2 and "the limit max_json_depth is 4" in one_error_line(run.lines)
    run = run_capped(
        ["timeline", str(nested), "--max-json-depth", "50"], env={"POSTMORTEM_MAX_JSON_DEPTH": "4"}
    )
    assert "max_json_depth" not in run.stderr


def test_cli_limit_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes(CSV)
    assert main(["timeline", str(log), "--max-import-bytes", "10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the limit max_import_bytes is 10 B" in err
    assert main(["timeline", str(log), "--max-files", "many"]) == 2
    assert "max_files must be a number, not 'many'" in capsys.readouterr().err
    assert main(["timeline", str(log), "--max-import-bytes", "1MiB"]) == 0


def test_text_lines_with_numeric_offsets_and_mixed_zones() -> None:
    """A CR-only text file showed it: '+02:00' after a time raised "unknown time zone '+02:00'" and named
    no file."""
    text = b"[2024-04-15 11:47 +02:00] Deploy\n9:14am -0400: Alert fired\n9:20am ET: Rolled back\n"
    result = import_source(Source("notes.txt", text), options=ImportOptions(tz="UTC"))
    assert [t.isoformat() for t in result.events["time"]] == [
        "2024-04-15T09:47:00+00:00",
        "2024-04-15T13:14:00+00:00",
        "2024-04-15T13:20:00+00:00",
    ]
    with pytest.raises(InputError):
        import_source(Source("notes.txt", b"9:14am: Deploy\n"), options=ImportOptions(date="2024-04-15"))
