"""The impact window's edge cases, templates and changes, the caps on events, and the output contracts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.cli.timeline import render_table
from postmortem_widgets.timeline.merge import load_timeline
from postmortem_widgets.timeline.telemetry.changes import change_codes
from postmortem_widgets.timeline.telemetry.impact import find_impact, find_impacts
from postmortem_widgets.timeline.telemetry.model import Series
from postmortem_widgets.timeline.telemetry.series import nice_step, points
from postmortem_widgets.timeline.telemetry.templates import mask_text

START = pd.Timestamp("2025-03-03T12:00:00Z").value
STEP = 60 * 10**9  # one-minute points over six hours: 1-minute bins


def _series(
    values: np.ndarray, *, kind: str = "error_ratio", unit: str = "ratio", name: str = "error ratio"
) -> Series:
    times = START + np.arange(len(values), dtype=np.int64) * STEP
    return Series(name, "m.csv", unit, times, np.asarray(values, dtype=np.float64), kind)


def _noisy(n: int = 360, level: float = 0.001, seed: int = 1) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0, level / 10, n)


def _at(minute: int) -> int:
    return START + minute * STEP


def test_no_change_no_impact() -> None:
    assert find_impact(_series(_noisy())) is None
    assert (
        find_impact(_series(_noisy() * 1000, kind="request_rate", unit="/min", name="request rate")) is None
    )


def test_a_change_at_the_very_start_takes_its_baseline_after() -> None:
    values = _noisy()
    values[:30] = 0.3
    impact = find_impact(_series(values))
    assert impact is not None
    assert (impact.began, impact.ended) == (_at(0), _at(30))
    assert impact.evidence == (
        "error ratio already 30% at 12:00 UTC, the start of the data (baseline 0.099% after); "
        "back under 1% at 12:30 UTC"
    )


def test_a_downward_break_of_a_request_rate() -> None:
    values = _noisy(level=1000)
    values[120:150] = 100
    impact = find_impact(_series(values, kind="request_rate", unit="/min", name="request rate"))
    assert impact is not None
    assert (impact.began, impact.ended) == (_at(120), _at(150))
    assert (
        impact.evidence == "request rate 1,003/min -> 100/min at 14:00 UTC; back above 760/min at 14:30 UTC"
    )
    assert impact.peak == pytest.approx(100)


def test_an_error_ratio_never_breaks_downwards() -> None:
    values = _noisy()
    values[120:150] = 0.0
    assert find_impact(_series(values)) is None


def test_a_signal_that_never_recovers() -> None:
    values = _noisy()
    values[200:] = 0.05
    impact = find_impact(_series(values))
    assert impact is not None
    assert (impact.began, impact.ended) == (_at(200), None)
    assert impact.evidence == (
        "error ratio 0.1% -> 5% at 15:20 UTC; not back under 0.25% by 17:59 UTC, the end of the data"
    )


def test_a_short_blip_is_not_sustained() -> None:
    values = _noisy()
    values[100:102] = 0.3  # two minutes: a breach must hold three bins (and a minute)
    assert find_impact(_series(values)) is None


def test_the_clearest_signal_wins_and_ties_go_to_the_error_ratio() -> None:
    ratio = _noisy()
    ratio[120:150] = 0.3
    rate = _noisy(level=5)
    rate[120:150] = 1500
    latency = _noisy(level=100)
    latency[120:150] = 160  # a rise of six noise: a weaker change
    found = find_impacts(
        [
            _series(latency, kind="latency", unit="ms", name="latency p95"),
            _series(rate, kind="error_rate", unit="/min", name="error rate"),
            _series(ratio),
        ]
    )
    assert [i.signal for i in found] == ["error ratio", "error rate", "latency p95"]


def test_bins_adapt_to_the_span() -> None:
    hour = 3600 * 10**9
    assert [nice_step(h * hour) // 10**9 for h in (0, 1, 3, 24, 24 * 7)] == [10, 10, 30, 300, 1800]


def test_points_are_capped_for_json() -> None:
    long = _series(np.arange(2000, dtype=np.float64))
    shown = points(long)
    assert len(shown) == 500
    assert shown[0] == ["2025-03-03T12:00:00Z", 1.5] and shown[-1][1] == 1997.5


def test_templates_mask_the_variable_parts() -> None:
    assert mask_text("timeout after 3500ms calling 10.1.2.3:443 for 'orders' (try 2)") == (
        "timeout after <*> calling <*>:<*> for <str> (try <*>)"
    )
    assert mask_text("Can't reach the db") == "Can't reach the db"  # an apostrophe is no quote


def test_only_deploys_config_flags_and_rollbacks_are_changes() -> None:
    lines = [
        "Deploy of checkout-api v2.14.0 started",
        "Rollback of checkout-api to v2.13.2 started",
        "reverted commit 4f2a9c1 (pool settings)",
        "config reloaded from /etc/app.yaml",
        "feature flag new_checkout disabled",
        "worker 3 restarted",
        "connection pool recovered",
        "cache restored from snapshot",
        "rolling back transaction 8812",
        "reverting to cached value",
        "upgraded to v3.1.0",
    ]
    assert change_codes(lines) == [1, 2, 2, 1, 1, 0, 0, 0, 0, 0, 1]


def _many_templates(path: Path, templates: int = 400, rows: int = 30_000) -> Path:
    """A log whose second half brings ``templates`` new error messages (letters only: distinct templates)."""
    rng = np.random.default_rng(9)
    times = pd.date_range("2025-03-03T13:00:00Z", periods=rows, freq="360ms")
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 8)) for _ in range(templates)]
    message = np.array([f"GET /orders/{i} 200" for i in rng.integers(100, 999, rows)], dtype=object)
    level = np.full(rows, "INFO", dtype=object)
    late = np.arange(rows // 2, rows // 2 + templates * 10, 10)
    message[late] = [f"module {w} failed to start" for w in words]
    level[late] = "ERROR"
    deploys = np.arange(100, rows, 120)
    message[deploys] = [
        f"deployed build {i} of service {w}"
        for i, w in zip(range(len(deploys)), np.resize(words, len(deploys)), strict=True)
    ]
    frame = pd.DataFrame(
        {"time": times.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "level": level, "message": message}
    )
    frame.to_csv(path, index=False)
    return path


def test_key_events_stay_capped_whatever_the_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _many_templates(tmp_path / "noisy.csv")
    timeline = load_timeline([path])
    [result] = timeline.imports
    kinds = result.events["kind"].value_counts()
    assert (result.count, kinds["change"], kinds["warning"]) == (200, 100, 100)
    assert len(timeline.signal_events) == 202  # and the impact window's beginning and end
    data = timeline.to_json()
    assert len(data["key_events"]) == 200  # type: ignore[arg-type]
    text = render_table(timeline)
    block = text.split("Key events (40 of 202):\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(block) == 41 and block[-1] == "  ... and 162 more (--json lists up to 200)"
    assert main(["timeline", str(path)]) == 0
    assert capsys.readouterr().out == text


def test_the_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support import telemetry as ts

    log = ts.write_log_csv(tmp_path / "app.csv", rows=200_000)
    alert = Path(__file__).parent / "data" / "telemetry" / "alertmanager_webhook.json"
    assert main(["timeline", str(log), str(alert), "--json"]) == 0
    out = capsys.readouterr().out
    assert len(out) < 120_000  # 200,000 rows: a few events and series, never the rows
    data = json.loads(out)
    assert list(data) == [
        "milestones",
        "detected_by",
        "metrics",
        "event_count",
        "key_events",
        "inputs",
        "impact",
        "series",
        "warnings",
    ]
    assert data["inputs"] == [
        {
            "file": str(log),
            "path": str(log),
            "files": 1,
            "format": "table",
            "role": "log",
            "events": 3,
            "series": 3,
            "rows": 200_004,
            "incident": None,  # one incident in each: nothing was chosen
            "incidents": [],
        },
        {
            "file": str(alert),
            "path": str(alert),
            "files": 1,
            "format": "alertmanager",
            "role": "incident",
            "events": 2,
            "series": 0,
            "rows": 2,
            "incident": None,
            "incidents": [],
        },
    ]
    impact = data["impact"]
    assert (impact["began"], impact["ended"], impact["signal"]) == (
        "2025-03-03T14:00:00Z",
        "2025-03-03T14:51:30Z",
        "error ratio",
    )
    assert impact["baseline"] == pytest.approx(0.001, abs=0.0002) and impact["peak"] > 0.3
    assert impact["evidence"] == "error ratio 0.12% -> 28% at 14:00 UTC; back under 0.85% at 14:51:30 UTC"
    assert [(s["name"], s["unit"], len(s["points"])) for s in data["series"]] == [
        ("error ratio", "ratio", 360),
        ("error rate", "/min", 360),
        ("log rate", "/min", 360),
    ]
    assert data["series"][0]["points"][0] == ["2025-03-03T13:00:00Z", pytest.approx(0.001, abs=0.002)]
    assert data["event_count"] == 7 and len(data["key_events"]) == 7
    started, deploy = data["key_events"][:2]
    assert started == {
        "time": "2025-03-03T14:00:00Z",
        "source": "impact",
        "kind": "impact_start",
        "message": "impact began: error ratio 0.12% -> 28% at 14:00 UTC",
        "actor": "",
        "file": str(log),
        "line": 0,
        "milestones": ["started"],
    }
    assert (deploy["kind"], deploy["message"], deploy["milestones"]) == ("change", ts.DEPLOY_TEXT, [])
    frame = ts.incident_log(200_000)
    assert deploy["line"] == int(frame.index[frame["message"] == ts.DEPLOY_TEXT][0]) + 2  # after the header
    assert data["milestones"]["detected"] == "2025-03-03T14:06:00Z"


def test_without_telemetry_the_impact_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(Path(__file__).resolve().parent.parent / "sample_data/anchor_analytics/timeline.txt")
    assert main(["timeline", seed, "--tz", "ET", "--date", "2024-04-15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["impact"].values()) == {None}
    assert data["series"] == []
    assert data["inputs"][0]["role"] == "timeline"
