"""Bad input gives a specific error naming the file (and the row or column), or a correct import with a
warning that says what was left out and where. Inputs live in ``tests/data/bad/``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import (
    BinaryInputError,
    EmptyInputError,
    InputError,
    MissingColumnError,
    NaiveTimeError,
    PostmortemError,
    TimestampError,
    UnknownFormatError,
)
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.merge import load_timeline
from postmortem_widgets.timeline.milestones import iso_utc
from postmortem_widgets.timeline.sources import Source, expand_paths
from tests.support.paths import DATA

BAD = DATA / "bad"
IMPORTERS = DATA / "importers"
POSTMORTEM = Path(sys.executable).with_name("postmortem")
ANCHOR_TIMES = ["2024-04-15T13:14:00+00:00", "2024-04-15T13:42:00+00:00", "2024-04-15T15:47:00+00:00"]


def read(name: str, **options: str) -> ev.ImportResult:
    [source] = list(expand_paths([BAD / name]))
    return import_source(source, options=ImportOptions(**options))


def times(result: ev.ImportResult) -> list[str]:
    return [t.isoformat() for t in result.events["time"]]


@pytest.mark.parametrize("name", ["empty.csv", "whitespace.csv"])
def test_empty_file(name: str) -> None:
    with pytest.raises(EmptyInputError) as info:
        read(name)
    assert str(info.value).startswith(f"{BAD / name}: the file is empty")


def test_a_header_without_rows_is_empty() -> None:
    with pytest.raises(EmptyInputError) as info:
        read("header_only.csv")
    assert str(info.value) == f"{BAD / 'header_only.csv'}: the table has a header but no rows"


def test_binary_file() -> None:
    with pytest.raises(BinaryInputError) as info:
        read("screenshot.png")
    assert "screenshot.png: this is a binary file, not a text export" in str(info.value)


@pytest.mark.parametrize("name", ["notes.txt", "unknown.json"])
def test_unknown_format_lists_the_formats_tried(name: str) -> None:
    with pytest.raises(UnknownFormatError) as info:
        read(name)
    assert {"table", "zendesk", "slack", "text", "pagerduty"} <= set(info.value.tried)
    text = str(info.value)
    assert f"{name}: could not recognise the format; tried " in text
    assert ", ".join(info.value.tried) in text
    assert "--format" in text


def test_no_time_column_lists_the_columns_found() -> None:
    with pytest.raises(MissingColumnError) as info:
        read("no_time_column.csv")
    assert info.value.columns == ["service", "owner", "notes"]
    assert "no time column among the columns found: 'service', 'owner', 'notes'" in str(info.value)


def test_zendesk_format_on_another_table_names_the_missing_columns() -> None:
    source = Source("incident.csv", (IMPORTERS / "table" / "anchor_comma.csv").read_bytes())
    with pytest.raises(MissingColumnError) as info:
        import_source(source, format="zendesk")
    assert info.value.columns == ["time", "event", "who"]
    assert "no 'Id', 'Subject', 'Created at' column" in str(info.value)


def test_unparseable_timestamps_give_their_rows() -> None:
    with pytest.raises(TimestampError) as info:
        read("bad_timestamps.csv")
    assert info.value.rows == [3, 5]
    assert info.value.column == "time"
    assert "2 timestamp(s) could not be read, rows 3, 5 (first: 'soon after the deploy')" in str(info.value)


def test_ragged_rows_are_counted_with_their_lines() -> None:
    result = read("ragged.csv")
    assert result.warnings == [
        "2 malformed row(s) skipped (lines 4, 6): expected 3 comma-separated fields; "
        "quote values that contain the delimiter"
    ]
    assert list(result.events["line"]) == [2, 3, 5, 7]


def test_a_table_of_only_ragged_rows_is_an_error() -> None:
    with pytest.raises(InputError) as info:
        read("ragged_everywhere.csv")
    assert info.value.line == 2
    assert "no row has the header's 3 comma-separated fields: 2 malformed row(s) (lines 2, 3)" in str(
        info.value
    )


def test_mixed_epoch_units_import_with_a_warning() -> None:
    result = read("mixed_epoch.csv")
    assert result.warnings == ["mixed epoch units (s, ms, us); each value was converted by its magnitude"]
    assert times(result) == [
        "2024-04-15T13:14:00+00:00",
        "2024-04-15T13:42:00+00:00",
        "2024-04-15T15:47:00+00:00",
    ]


def test_naive_times_without_tz_name_file_and_column() -> None:
    with pytest.raises(NaiveTimeError) as info:
        read("naive.csv")
    assert info.value.file == str(BAD / "naive.csv")
    assert info.value.column == "time"
    assert "naive.csv (column 'time'): timestamps have no time zone" in str(info.value)
    assert "pass --tz ZONE" in str(info.value)
    assert times(read("naive.csv", tz="America/New_York"))[0] == "2024-04-15T13:14:00+00:00"


def test_zendesk_without_tz_names_the_created_at_column() -> None:
    [source] = list(expand_paths([IMPORTERS / "zendesk" / "tickets.csv"]))
    with pytest.raises(NaiveTimeError) as info:
        import_source(source)
    assert "tickets.csv (column 'Created at'): timestamps have no time zone" in str(info.value)
    assert "--tz" in str(info.value)


def test_a_1970_timestamp_is_left_out_with_its_row() -> None:
    result = read("far_1970.csv")
    assert result.warnings == [
        "1 timestamp(s) in column 'ts' outside 1990-2100 were left out (rows 3; first value 0)"
    ]
    assert list(result.events["line"]) == [2, 4, 5]


def test_a_year_56135_timestamp_names_its_row() -> None:
    with pytest.raises(TimestampError) as info:
        read("far_56135.csv")
    assert info.value.rows == [3]
    assert "rows 3 (first: '56135-04-15T13:42:00Z')" in str(info.value)


def test_milliseconds_are_not_misread_as_seconds_of_year_56135() -> None:
    result = read("ms_as_seconds.csv")
    assert result.warnings == []
    assert times(result) == [
        "2024-04-15T13:14:00+00:00",
        "2024-04-15T13:42:00+00:00",
        "2024-04-15T15:47:00+00:00",
    ]


def test_only_far_off_timestamps_is_an_error() -> None:
    with pytest.raises(TimestampError) as info:
        read("all_1970.csv")
    assert info.value.rows == [2, 3]
    assert "every timestamp is outside 1990-2100 (first: 0)" in str(info.value)


def test_resolved_before_start_warns_and_never_gives_a_negative_duration() -> None:
    timeline = load_timeline([BAD / "resolved_before_start.json"])
    assert iso_utc(timeline.milestones.started) == "2024-04-15T13:42:00.000100Z"
    assert iso_utc(timeline.milestones.resolved) == "2024-04-15T13:00:00.000100Z"
    assert timeline.warnings == [
        "resolved (2024-04-15T13:00:00.000100Z) is before started (2024-04-15T13:42:00.000100Z); "
        "durations that would be negative are left empty. Check the inputs or set the milestones."
    ]
    metrics = timeline.metrics.to_json()
    assert metrics["duration_seconds"] is None
    assert metrics["time_to_resolve_seconds"] is None
    assert all(v is None or v >= 0 for v in metrics.values())


def test_an_override_before_the_start_is_caught_the_same_way() -> None:
    timeline = load_timeline(
        [IMPORTERS / "table" / "anchor_comma.csv"],
        overrides={"started": pd.Timestamp("2024-04-15T16:00:00Z")},
    )
    assert timeline.metrics.duration is None
    assert any("is before started" in w for w in timeline.warnings)


def test_a_broken_slack_day_file_names_the_member_and_line() -> None:
    with pytest.raises(InputError) as info:
        load_timeline([BAD / "slack_broken"])
    assert info.value.file == str(BAD / "slack_broken" / "general" / "2024-04-15.json")
    assert info.value.line == 3
    assert "invalid JSON at line 3, column 55" in str(info.value)


# The command line: one line on stderr naming the file, a non-zero exit, never a traceback.

CLI_CASES = [
    ("empty.csv", "the file is empty"),
    ("screenshot.png", "this is a binary file"),
    ("notes.txt", "could not recognise the format; tried"),
    ("no_time_column.csv", "no time column among the columns found"),
    ("bad_timestamps.csv", "rows 3, 5"),
    ("ragged_everywhere.csv", "malformed row(s) (lines 2, 3)"),
    ("naive.csv", "pass --tz"),
    ("far_56135.csv", "56135"),
    ("slack_broken", "invalid JSON at line 3"),
]


@pytest.mark.parametrize(("name", "fragment"), CLI_CASES)
def test_cli_reports_one_line(name: str, fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(BAD / name)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("postmortem timeline: error: ")
    assert name in err and fragment in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["naive.csv", "ragged_everywhere.csv"])
def test_the_installed_command_exits_non_zero_without_a_traceback(name: str) -> None:
    done = subprocess.run(
        [str(POSTMORTEM), "timeline", str(BAD / name)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert str(BAD / name) in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_prints_import_warnings_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(BAD / "ragged.csv")]) == 0
    out = capsys.readouterr().out
    assert f"{BAD / 'ragged.csv'}: 2 malformed row(s) skipped (lines 4, 6)" in out


def test_cli_shows_no_negative_duration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(BAD / "resolved_before_start.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"]["duration_seconds"] is None
    assert any("is before started" in w for w in report["warnings"])
    assert main(["timeline", str(BAD / "resolved_before_start.json")]) == 0
    assert "  duration        -\n" in capsys.readouterr().out


def test_every_bad_input_is_tested() -> None:
    used = {name for name, _ in CLI_CASES} | {
        "whitespace.csv",
        "header_only.csv",
        "unknown.json",
        "ragged.csv",
        "mixed_epoch.csv",
        "far_1970.csv",
        "ms_as_seconds.csv",
        "all_1970.csv",
        "resolved_before_start.json",
    }
    assert {p.name for p in BAD.iterdir()} == used


def test_errors_are_postmortem_errors_with_the_file() -> None:
    for name, _ in CLI_CASES:
        with pytest.raises(PostmortemError) as info:
            load_timeline([BAD / name])
        assert name in str(info.value)
