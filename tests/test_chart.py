"""The timeline chart: an inline SVG with the milestones marked (golden file for the seed example)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.merge import build_timeline, load_timeline
from postmortem_widgets.ui.chart import MAX_DOTS, timeline_svg
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
