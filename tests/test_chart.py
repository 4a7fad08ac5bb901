"""The timeline chart: an inline SVG with the milestones marked (golden file for the seed example)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.merge import Timeline, build_timeline, load_timeline
from postmortem_widgets.ui.chart import MAX_DOTS, MILESTONE_COLOURS, ImpactLane, timeline_svg
from tests.support import telemetry
from tests.support.paths import DATA, SEED_TIMELINE

GOLDEN = DATA / "ui" / "anchor_chart.svg"


def anchor_svg() -> str:
    tl = load_timeline([SEED_TIMELINE], tz="America/New_York", date="2024-04-15")
    return timeline_svg(tl, tz="America/New_York")


def test_seed_example_matches_the_golden_file() -> None:
    svg = anchor_svg()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(svg)
    assert svg == GOLDEN.read_text()


def test_it_is_valid_svg_with_every_milestone_and_the_detection_lag() -> None:
    svg = anchor_svg()
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for label in (
        "started 9:14am",
        "detected 9:42am",
        "acknowledged 9:47am",
        "identified 10:15am",
        "mitigated 10:22am",
        "resolved 11:47am",
        "28 min to detect",
        "times in ET",
    ):
        assert label in labels
    assert "<script" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_messages_are_escaped() -> None:
    times = pd.DatetimeIndex(["2024-04-15T13:14:00Z", "2024-04-15T14:00:00Z"])
    frame = ev.make_events(
        times,
        source="<b>x</b>",
        kind=[ev.ALERT, ev.RESOLVED],
        message=["<script>alert(1)</script>", "ok"],
        file="f",
    )
    svg = timeline_svg(build_timeline([ev.ImportResult(file="f", format="x", events=frame)]))
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    ET.fromstring(svg)


def test_a_large_noisy_timeline_stays_small() -> None:
    n = 200_000
    times = pd.date_range("2024-04-15T13:00:00Z", periods=n, freq="50ms")
    kinds = np.full(n, ev.NOISE, dtype=object)
    kinds[[1000, 50_000, 150_000]] = [ev.ALERT, ev.PAGE, ev.RESOLVED]
    frame = ev.make_events(times, source="logs", kind=kinds, message="line", file="big.log")
    svg = timeline_svg(build_timeline([ev.ImportResult(file="big.log", format="text", events=frame)]))
    assert len(re.findall(r"<circle", svg)) <= MAX_DOTS
    assert len(svg) < 400_000


def test_no_events_says_what_to_do() -> None:
    assert "No events yet: import an export" in timeline_svg(build_timeline([]))


SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """The synthetic incident of issue 11: its log and its alert, times in UTC."""
    folder = tmp_path_factory.mktemp("checkout")
    return load_timeline(
        [telemetry.write_log_csv(folder / "app.csv"), telemetry.write_alertmanager(folder / "alerts.json")],
        tz="UTC",
    )


def impact_lane(timeline: Timeline, **changes: object) -> ImpactLane:
    impact = timeline.impact
    assert impact is not None
    ended = None if impact.ended is None else pd.Timestamp(impact.ended, tz="UTC")
    lane = ImpactLane(timeline.series[0], pd.Timestamp(impact.began, tz="UTC"), ended, impact.evidence)
    return replace(lane, **changes)  # type: ignore[arg-type]


def x_of(root: ET.Element) -> Callable[[pd.Timestamp], float]:
    """Where a time falls, read off the axis: two tick labels of known times give the scale."""
    ticks = [
        (pd.Timestamp(f"2025-03-03 {t.text} UTC"), float(t.get("x", "")))
        for t in root.iter(f"{SVG}text")
        if t.get("class") == "tick" and re.fullmatch(r"\d+:\d\d[ap]m", t.text or "")
    ]
    (t0, x0), (t1, x1) = ticks[0], ticks[-1]
    return lambda ts: x0 + (ts - t0) / (t1 - t0) * (x1 - x0)


def test_the_impact_lane_draws_the_series_with_its_scale_and_shades_the_window(synthetic: Timeline) -> None:
    svg = timeline_svg(synthetic, tz="UTC", lane=impact_lane(synthetic))
    root = ET.fromstring(svg)
    x = x_of(root)
    [path] = [p for p in root.iter(f"{SVG}path") if p.get("class") == "pm-lane-line"]
    points = re.findall(r"[ML]([\d.]+),([\d.]+)", path.get("d", ""))
    xs = [float(px) for px, _ in points]
    assert path.get("d", "").startswith("M") and len(points) > 300  # a 30 s bin a point
    assert xs[0] == 110.0 and xs[-1] == 936.0 and xs == sorted(xs)  # from edge to edge of the plot
    [window] = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "pm-impact-window"]
    left, right = float(window.get("x", "")), float(window.get("x", "")) + float(window.get("width", ""))
    assert abs(left - x(telemetry.T0)) < 0.2
    assert abs(right - x(pd.Timestamp("2025-03-03T14:51:30Z"))) < 0.2
    assert (window.get("data-began"), window.get("data-ended")) == (
        "2025-03-03T14:00:00Z",
        "2025-03-03T14:51:30Z",
    )
    inside = [float(py) for px, py in points if left < float(px) < right]
    outside = [float(py) for px, py in points if not left - 5 < float(px) < right + 5]
    assert sorted(inside)[len(inside) // 2] < min(outside) - 30  # the errors are up in the window, only there
    texts: dict[str, list[str]] = {}
    for t in root.iter(f"{SVG}text"):
        texts.setdefault(t.get("class", ""), []).append(t.text or "")
    assert texts["caption"] == ["error ratio 0.13% -> 29% at 14:00 UTC; back under 0.86% at 14:51:30 UTC"]
    assert texts["ytick"] == ["0%", "25%"]
    lanes = [t for t in root.iter(f"{SVG}text") if t.get("class") == "lane"]
    assert [t[0].tail for t in lanes] == ["error ratio", "alertmanager", "app.csv"]
    assert [t.findtext(f"{SVG}title") for t in lanes] == [
        f"error ratio (ratio) from {synthetic.series[0].source}",
        "alertmanager",
        "app.csv (table)",
    ]  # no `text`, `table` or `impact` lane
    assert "%" in texts["tick"]  # the lane's unit
    started = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == MILESTONE_COLOURS["started"]]
    assert abs(float(started[0].get("x1", "")) - left) < 0.2  # the started milestone is marked on it
    assert "<script" not in svg


def test_a_moved_or_open_window_is_shaded_where_it_is(synthetic: Timeline) -> None:
    moved = pd.Timestamp("2025-03-03T13:50:00Z")
    root = ET.fromstring(
        timeline_svg(synthetic, tz="UTC", lane=impact_lane(synthetic, began=moved, ended=None))
    )
    x = x_of(root)
    [window] = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "pm-impact-window"]
    left = float(window.get("x", ""))
    assert abs(left - x(moved)) < 0.2
    last = pd.Timestamp(int(synthetic.series[0].times[-1]), tz="UTC")  # open: to the end of the data
    assert abs(left + float(window.get("width", "")) - x(last)) < 0.2
    assert window.findtext(f"{SVG}title") == "Impact window: 1:50pm to the end of the data (not back)"
