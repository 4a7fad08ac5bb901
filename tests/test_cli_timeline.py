import json
from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from tests.support.paths import SEED_TIMELINE

SEED = str(SEED_TIMELINE)


def test_seed_example_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", SEED, "--tz", "America/New_York", "--date", "2024-04-15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["milestones"] == {
        "started": "2024-04-15T13:14:00Z",
        "detected": "2024-04-15T13:42:00Z",
        "acknowledged": "2024-04-15T13:47:00Z",
        "identified": "2024-04-15T14:15:00Z",
        "mitigated": "2024-04-15T14:22:00Z",
        "resolved": "2024-04-15T15:47:00Z",
    }
    assert data["detected_by"] == "customer"
    assert data["metrics"]["duration_seconds"] == 9180
    assert data["metrics"]["time_to_detect_seconds"] == 1680
    assert data["metrics"]["time_to_acknowledge_seconds"] == 1980
    assert data["event_count"] == 6
    assert [e["kind"] for e in data["key_events"]][:2] == ["event", "customer_report"]
    assert set(data["key_events"][0]) >= {"time", "source", "kind", "message"}
    assert data["warnings"] == []


def test_readable_table_in_local_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", SEED, "--tz", "ET", "--date", "2024-04-15"]) == 0
    out = capsys.readouterr().out
    assert "2024-04-15 09:42:00 ET  customer_report" in out
    assert "duration        2 hours 33 minutes" in out
    assert "detection lag   28 minutes" in out
    assert "detected by   customer" in out


def test_set_overrides_a_milestone(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["timeline", SEED, "--tz", "ET", "--date", "2024-04-15", "--json"]
    assert main([*args, "--set", "detected=2024-04-15T13:40:00Z", "--set", "detected_by=monitoring"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["milestones"]["detected"] == "2024-04-15T13:40:00Z"
    assert data["detected_by"] == "monitoring"
    assert data["metrics"]["time_to_detect_seconds"] == 1560


def test_bad_input_is_one_line_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", SEED, "--date", "2024-04-15"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "timeline.txt:1: times have no time zone" in err and "--tz" in err
    assert main(["timeline", str(tmp_path / "missing.json")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
