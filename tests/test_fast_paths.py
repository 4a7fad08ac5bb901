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

from postmortem_widgets.timeline import classify
from postmortem_widgets.timeline import events as ev
from postmortem_widgets.timeline.classify import RULES, classify_kinds, classify_text
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.merge import build_timeline, load_timeline, merge_events
from postmortem_widgets.timeline.milestones import find_milestones
from postmortem_widgets.timeline.sources import FileSource, expand_paths
from postmortem_widgets.timeline.timeparse import parse_times

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


def _events(rows: list[tuple[str, str, str, str]], file: str = "f") -> pd.DataFrame:
    times, kinds, messages, actors = zip(*rows, strict=True)
    return ev.make_events(
        pd.DatetimeIndex(times),
        source="s",
        kind=list(kinds),
        message=list(messages),
        actor=list(actors),
        file=file,
    )


def test_merge_drops_only_events_repeated_across_inputs() -> None:
    t = "2024-04-15T13:14:00Z"
    first = _events(
        [
            (t, "event", "deploy", "ana"),
            (t, "event", "rollback", "ana"),
            (t, "event", "deploy", "ana"),  # repeated inside one input: a second event, kept
            (t, "event", "deploy", "bob"),
        ],
        file="a.csv",
    )
    second = _events(
        [
            (t, "noise", "deploy", "ana"),  # another kind: kept
            (t, "event", "rollback", "ana"),  # in the first input: dropped
            (t, "event", "deploy", "ana"),  # in the first input, not adjacent: dropped
            (t, "event", "deploy", "carol"),  # another actor: kept
            ("2024-04-15T13:15:00Z", "event", "deploy", "ana"),  # another time: kept
        ],
        file="b.csv",
    )
    merged, dropped = merge_events([first, second])
    assert dropped == 2
    assert list(zip(merged["message"], merged["actor"], merged["kind"], merged["file"], strict=True)) == [
        ("deploy", "ana", "event", "a.csv"),
        ("rollback", "ana", "event", "a.csv"),
        ("deploy", "ana", "event", "a.csv"),
        ("deploy", "bob", "event", "a.csv"),
        ("deploy", "ana", "noise", "b.csv"),
        ("deploy", "carol", "event", "b.csv"),
        ("deploy", "ana", "event", "b.csv"),
    ]
    assert merged["file"].cat.categories.tolist() == ["a.csv", "b.csv"]
    assert merged["kind"].dtype == ev.KIND_DTYPE


def test_repeats_inside_one_input_are_events_not_duplicates() -> None:
    t = "2024-04-15T13:14:00Z"
    frame = _events([(t, "event", "payment failed", ""), (t, "event", "payment failed", "")])
    merged, dropped = merge_events([frame])
    assert (len(merged), dropped) == (2, 0)
    timeline = build_timeline([ev.ImportResult(file="f", format="table", events=frame)])
    assert len(timeline.events) == 2
    assert timeline.merge_warnings == []


@pytest.mark.parametrize(
    ("copies", "kept", "dropped"),
    [
        ((2, 3), ["0.csv", "0.csv", "1.csv"], 2),
        ((3, 1), ["0.csv", "0.csv", "0.csv"], 1),
        ((2, 2, 2), ["0.csv", "0.csv"], 4),
        ((1, 0, 2), ["0.csv", "2.csv"], 1),
    ],
)
def test_an_event_is_kept_as_often_as_the_input_that_holds_it_most(
    copies: tuple[int, ...], kept: list[str], dropped: int
) -> None:
    t = "2024-04-15T13:14:00Z"
    frames = [
        _events([(t, "event", "payment failed", "")] * n, file=f"{i}.csv") if n else ev.empty_events()
        for i, n in enumerate(copies)
    ]
    merged, count = merge_events(frames)
    assert (merged["file"].tolist(), count) == (kept, dropped)


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


def test_make_events_repeats_scalars_without_a_string_per_row() -> None:
    frame = ev.make_events(
        pd.DatetimeIndex(["2024-04-15T13:14:00Z"] * 3), source="x", kind="event", message="m", file="f"
    )
    assert list(frame["file"]) == ["f", "f", "f"]
    assert frame["file"].cat.categories.tolist() == ["f"]
    assert list(frame["actor"]) == ["", "", ""]
    assert list(frame["message"]) == ["m", "m", "m"]
    assert frame["kind"].dtype == ev.KIND_DTYPE
    assert frame["kind"].cat.codes.tolist() == [ev.KINDS.index(ev.EVENT)] * 3
    assert frame["raw"].isna().all()
    assert [str(t) for t in frame.dtypes] == [str(t) for t in ev.empty_events().dtypes]
    assert [str(t) for t in frame.dtypes] == [
        "datetime64[ns, UTC]",
        "category",
        "category",
        "str",
        "str",
        "category",
        "int64",
        "object",
    ]


def test_make_events_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown event kind\\(s\\) 'fixed'"):
        ev.make_events(
            pd.DatetimeIndex(["2024-04-15T13:14:00Z"] * 2),
            source="x",
            kind=["event", "fixed"],
            message="m",
            file="f",
        )


def test_kinds_are_categorical_codes_yet_read_as_plain_strings() -> None:
    frame = _events(
        [("2024-04-15T13:14:00Z", ev.PAGE, "paged", ""), ("2024-04-15T13:15:00Z", ev.NOISE, "x", "")]
    )
    assert (frame["kind"] == ev.PAGE).tolist() == [True, False]
    assert frame["kind"].isin([ev.NOISE]).tolist() == [False, True]
    assert frame["kind"].astype(str).tolist() == [ev.PAGE, ev.NOISE]
    assert frame["kind"].unique().tolist() == [ev.PAGE, ev.NOISE]
    assert [type(k) for k in frame["kind"]] == [str, str]
    assert list(classify.classify_codes(["Rolled back", "lunch"], default=ev.EVENT)) == [
        ev.KINDS.index(ev.MITIGATED),
        ev.KINDS.index(ev.EVENT),
    ]


def test_a_large_file_is_sniffed_from_its_head_and_never_copied_into_python(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"2024-04-15T13:{i // 60 % 60:02d}:{i % 60:02d}Z,request {i} ok\n" for i in range(5_000))
    path.write_text("time,message\n" + rows + "2024-04-15T15:47:00Z,Incident resolved\n")
    [source] = list(expand_paths([path]))
    assert isinstance(source, FileSource)
    # 5,000 rows make a log (see test_telemetry_roles); read as a timeline, every row is an event.
    result = import_source(source, options=ImportOptions(roles={str(path): "timeline"}))
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


def test_a_table_keeps_its_own_repeats_and_a_file_given_twice_counts_once(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "time,message\n2024-04-15T13:14:00Z,payment failed\n2024-04-15T13:14:00Z,payment failed\n"
        "2024-04-15T13:15:00Z,retry ok\n"
    )
    [source] = list(expand_paths([path]))
    result = import_source(source)
    assert result.count == 3 and result.warnings == []
    assert result.events["line"].tolist() == [2, 3, 4]
    assert build_timeline([result]).merge_warnings == []
    twice = load_timeline([path, path])
    assert twice.events["line"].tolist() == [2, 3, 4]
    assert twice.merge_warnings == ["3 duplicate event(s) across inputs were merged"]


def test_a_large_file_read_in_blocks_keeps_exact_lines_past_a_value_spanning_lines(tmp_path: Path) -> None:
    # Big enough for several pyarrow blocks and the line count made beside the parse; the value spanning
    # lines is in a column the importer does not read, so only the count can tell the lines moved.
    rows = [
        f'2024-04-15T13:{i // 60 % 60:02d}:{i % 60:02d}Z,request {i} ok,"plain"\n' for i in range(120_000)
    ]
    rows[50_000] = '2024-04-15T14:00:00Z,Root cause identified,"first line\nsecond line"\n'
    path = tmp_path / "big.csv"
    path.write_text("time,message,details\n" + "".join(rows))
    assert path.stat().st_size > 4 << 20
    timeline = ImportOptions(roles={str(path): "timeline"})  # read row by row: the reader's line numbers
    result = import_source(next(iter(expand_paths([path]))), options=timeline)
    events = result.events
    assert result.count == 120_000
    assert events["line"].iloc[49_999] == 50_001
    assert events["line"].iloc[50_000] == 50_002  # the row that spans lines 50_002-50_003
    assert events["line"].iloc[50_001] == 50_004
    assert events["line"].iloc[-1] == 120_002
    assert events["kind"].iloc[50_000] == ev.IDENTIFIED


def test_milestones_of_a_table_out_of_time_order() -> None:
    frame = _events(
        [
            ("2024-04-15T13:50:00Z", ev.RESOLVED, "ok again", ""),
            ("2024-04-15T13:20:00Z", ev.EVENT, "deploy", ""),
            ("2024-04-15T13:10:00Z", ev.NOISE, "chatter", ""),
            ("2024-04-15T13:42:00Z", ev.CUSTOMER, "ticket", ""),
            ("2024-04-15T13:50:00Z", ev.RESOLVED, "resolved", ""),
            ("2024-04-15T13:30:00Z", ev.RESOLVED, "early resolve", ""),
        ]
    )
    found, _ = find_milestones(frame, handwritten_files=frozenset({"f"}))
    assert found.started == pd.Timestamp("2024-04-15T13:20:00Z")
    assert found.reasons["started"] == "s: deploy"
    assert found.detected == pd.Timestamp("2024-04-15T13:42:00Z")
    assert found.resolved == pd.Timestamp("2024-04-15T13:50:00Z")
    assert found.reasons["resolved"] == "s: ok again"  # the latest, the first in table order on a tie


def test_key_events_of_a_log_without_noise_are_not_the_events_themselves() -> None:
    frame = _events(
        [("2024-04-15T13:14:00Z", ev.EVENT, "deploy", ""), ("2024-04-15T13:15:00Z", ev.PAGE, "p", "")]
    )
    timeline = build_timeline([ev.ImportResult(file="f", format="table", events=frame)])
    key = timeline.signal_events
    assert key is not timeline.events and len(key) == 2
    key["message"] = "changed"
    assert timeline.events["message"].tolist() == ["deploy", "p"]


def test_a_few_messages_are_classified_one_by_one_as_the_arrow_scan_would() -> None:
    """Up to 64 ASCII messages skip the Arrow regexes (their compile costs more than the scan): same kinds."""
    rng = np.random.default_rng(5)
    ascii_words = [w for w in WORDS if w.isascii()]
    messages = [" ".join(rng.choice(ascii_words, int(rng.integers(1, 5)))) for _ in range(3000)]
    messages += ["The fix was not yet\vdeployed", "restarted\tthe pods", "wasn't  rolled back", "", "x" * 500]
    for start in range(0, len(messages), classify._ONE_BY_ONE_UP_TO):
        few = messages[start : start + classify._ONE_BY_ONE_UP_TO]
        assert classify_kinds(few, default=ev.EVENT).to_pylist() == reference(few, ev.EVENT)
    assert classify_kinds(["café rollback", "resolved"]).to_pylist() == [ev.MITIGATED, ev.RESOLVED]
