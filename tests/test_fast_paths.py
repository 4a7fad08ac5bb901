"""The shared code made fast for million-row logs keeps its meaning.

Classification scans runs of rows glued together, merging narrows its duplicate check, milestones work on
arrays, events repeat scalars in pyarrow, and a file on disk is memory-mapped instead of read. Each test
pins the behaviour a simpler implementation would have.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from postmortem_widgets import classify
from postmortem_widgets import events as ev
from postmortem_widgets.classify import RULES, classify_kinds, classify_text
from postmortem_widgets.importers import import_source
from postmortem_widgets.milestones import find_milestones
from postmortem_widgets.sources import FileSource, expand_paths
from postmortem_widgets.timeline import build_timeline, load_timeline, merge_events
from postmortem_widgets.timeparse import parse_times

WORDS = [
    "Resolved",
    "RESTORED",
    "rolled back",
    "Failover",
    "root cause identified",
    "acknowledged",
    "engineering was paged",
    "customers reported",
    "alert fired",
    "impact began",
    "not yet detected",
    "never restored",
    "deploy",
    "lunch",
    "flag was disabled",
    "café",
    "",
]


def reference(messages: list[str], default: str) -> list[str]:
    """Every row lowered and tested rule by rule: what the run-based scan must reproduce."""
    lowered = pc.utf8_lower(pa.array(messages, type=pa.string()))
    stripped = pc.replace_substring_regex(lowered, classify._NEGATION, "")
    any_rule = pc.match_substring_regex(lowered, classify._ANY).to_numpy(zero_copy_only=False)
    kinds = np.full(len(messages), default, dtype=object)
    for kind, pattern in reversed(RULES):
        hit = pc.match_substring_regex(stripped, pattern).to_numpy(zero_copy_only=False)
        kinds[hit & any_rule] = kind
    return list(kinds)


def test_classification_of_a_large_log_matches_row_by_row() -> None:
    rng = np.random.default_rng(11)
    n = classify._PARALLEL_FROM + 5_000
    messages = [f"GET /api/orders/{i} 200" for i in range(n)]
    # Keywords at run boundaries, in the middle of runs and in the last, short run.
    for i in [
        *range(0, n, 997),
        *(k * classify._RUN + d for k in range(0, n // classify._RUN, 53) for d in (-1, 0)),
    ]:
        if 0 <= i < n:
            messages[i] = " ".join(rng.choice(WORDS, 3))
    messages[-1] = "incident resolved"
    got = classify_kinds(messages, default=ev.EVENT).to_pylist()
    assert got == reference(messages, ev.EVENT)
    assert got[-1] == ev.RESOLVED
    assert got.count(ev.EVENT) < n


def test_classification_of_sliced_and_chunked_arrays() -> None:
    messages = ["Cache rollback initiated", "lunch?", "Root cause identified", None, "all clear"] * 100
    chunked = pa.chunked_array([pa.array(messages[:7]).slice(2), pa.array(messages[7:])])
    assert classify_kinds(chunked).to_pylist() == reference(
        [m or "" for m in messages[2:7] + messages[7:]], ev.NOISE
    )
    many = pa.chunked_array([pa.array(messages[i : i + 10]) for i in range(0, len(messages), 10)])
    assert many.num_chunks > classify._MAX_CHUNKS
    assert classify_kinds(many).to_pylist() == reference([m or "" for m in messages], ev.NOISE)
    assert (
        classify_kinds(pa.array(messages, type=pa.large_string())).to_pylist()
        == classify_kinds(many).to_pylist()
    )
    assert list(classify_text(messages[:5], default=ev.EVENT)) == [
        ev.MITIGATED,
        ev.EVENT,
        ev.IDENTIFIED,
        ev.EVENT,
        ev.RESOLVED,
    ]


def _events(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    times, kinds, messages, actors = zip(*rows, strict=True)
    return ev.make_events(
        pd.DatetimeIndex(times),
        source="s",
        kind=list(kinds),
        message=list(messages),
        actor=list(actors),
        file="f",
    )


def test_merge_drops_duplicates_anywhere_in_a_run_of_equal_times() -> None:
    t = "2024-04-15T13:14:00Z"
    frame = _events(
        [
            (t, "event", "deploy", "ana"),
            (t, "event", "rollback", "ana"),
            (t, "event", "deploy", "ana"),  # duplicate of the first, not adjacent
            (t, "event", "deploy", "bob"),  # another actor: kept
            (t, "noise", "deploy", "ana"),  # another kind: kept
            ("2024-04-15T13:15:00Z", "event", "deploy", "ana"),  # another time: kept
        ]
    )
    merged, dropped = merge_events([frame, frame.iloc[[1]]])
    assert dropped == 2
    assert list(zip(merged["message"], merged["actor"], merged["kind"], merged["line"], strict=True)) == [
        ("deploy", "ana", "event", 1),
        ("rollback", "ana", "event", 2),
        ("deploy", "bob", "event", 4),
        ("deploy", "ana", "noise", 5),
        ("deploy", "ana", "event", 6),
    ]


def test_milestone_ties_go_to_the_first_event_in_table_order() -> None:
    t = "2024-04-15T13:42:00Z"
    frame = _events([(t, ev.PAGE, "paged", ""), (t, ev.CUSTOMER, "ticket", ""), (t, ev.RESOLVED, "ok", "")])
    found, _ = find_milestones(frame)
    assert found.reasons["detected"] == "s: paged"
    assert found.detected_by == "customer"
    assert found.resolved == pd.Timestamp(t)


def test_handwritten_start_is_its_first_event_that_is_not_noise() -> None:
    frame = _events(
        [
            ("2024-04-15T13:00:00Z", ev.NOISE, "chatter", ""),
            ("2024-04-15T13:14:00Z", ev.EVENT, "deploy", ""),
            ("2024-04-15T13:42:00Z", ev.CUSTOMER, "ticket", ""),
        ]
    )
    found, _ = find_milestones(frame, handwritten_files=frozenset({"f", "missing.csv"}))
    assert found.started == pd.Timestamp("2024-04-15T13:14:00Z")
    assert found.reasons["started"] == "s: deploy"


def test_make_events_repeats_scalars_as_strings() -> None:
    frame = ev.make_events(
        pd.DatetimeIndex(["2024-04-15T13:14:00Z"] * 3), source="x", kind="event", message="m", file="f"
    )
    assert list(frame["file"]) == ["f", "f", "f"]
    assert list(frame["actor"]) == ["", "", ""]
    assert frame["raw"].isna().all()
    assert frame.dtypes.equals(ev.empty_events().dtypes)


def test_a_large_file_is_sniffed_from_its_head_and_never_copied_into_python(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"2024-04-15T13:{i // 60 % 60:02d}:{i % 60:02d}Z,request {i} ok\n" for i in range(5_000))
    path.write_text("time,message\n" + rows + "2024-04-15T15:47:00Z,Incident resolved\n")
    [source] = list(expand_paths([path]))
    assert isinstance(source, FileSource)
    result = import_source(source)
    assert "data" not in source.__dict__
    assert result.count == 5_001
    assert result.events["line"].iloc[-1] == 5_002
    assert result.events["kind"].iloc[-1] == ev.RESOLVED
    assert source.data == path.read_bytes()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1713186840.000200", "2024-04-15T13:14:00.000200Z"),
        ("1713186840123456789", "2024-04-15T13:14:00.123456789Z"),
        (1713186840123456789, "2024-04-15T13:14:00.123456789Z"),
        (1713186840123, "2024-04-15T13:14:00.123Z"),
    ],
)
def test_epochs_keep_every_digit(value: object, expected: str) -> None:
    parsed = parse_times(pd.Series([value]), tz=None, file="f", column="ts")
    assert parsed.times[0] == pd.Timestamp(expected)


def test_a_year_3000_value_is_left_out_not_a_crash() -> None:
    parsed = parse_times(
        pd.Series(["2024-04-15T13:14:00Z", "3000-01-01T00:00:00Z"]),
        tz=None,
        file="f",
        column="t",
        rows=np.array([7, 9]),
    )
    assert parsed.warnings == [
        "1 timestamp(s) in column 't' outside 1990-2100 were left out "
        "(rows 9; first value '3000-01-01T00:00:00Z')"
    ]
    assert pd.isna(parsed.times[1])


def test_a_table_drops_its_own_repeats_and_the_merge_still_finds_them_across_inputs(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("time,message\n2024-04-15T13:14:00Z,deploy\n2024-04-15T13:14:00Z,deploy\n")
    [source] = list(expand_paths([path]))
    result = import_source(source)
    assert result.unique and result.count == 1
    assert build_timeline([result]).merge_warnings == []
    twice = load_timeline([path, path])
    assert len(twice.events) == 1
    assert twice.merge_warnings == ["1 duplicate event(s) across inputs were merged"]


def test_merge_trusts_unique_only_for_a_lone_frame() -> None:
    t = "2024-04-15T13:14:00Z"
    frame = _events([(t, "event", "deploy", ""), (t, "event", "deploy", "")])
    assert merge_events([frame], unique=True)[1] == 0
    assert merge_events([frame, frame.iloc[:0]], unique=True)[1] == 0
    assert merge_events([frame.iloc[:1], frame.iloc[1:]], unique=True)[1] == 1
