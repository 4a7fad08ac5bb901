"""The session's evidence: each input's role, the chosen signal, accepting and moving the impact window, and
progress during imports, on the synthetic incident of issue 11 (tests/support/telemetry.py), zone UTC."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.app.session import Session
from postmortem_widgets.errors import InputError, MilestoneError
from postmortem_widgets.incident.record import Signal, load_incident
from postmortem_widgets.timeline.progress import Progress
from tests.support import telemetry as ts

EVIDENCE = "error ratio 0.13% -> 29% at 14:00 UTC; back under 0.86% at 14:51:30 UTC"
ENDED = pd.Timestamp("2025-03-03T14:51:30Z")


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session.open(ts.write_incident(tmp_path / "checkout", "app.csv", "panel.csv", "alerts.json"))


def test_each_input_says_its_format_role_series_and_rows(session: Session) -> None:
    got = [(s.name, s.format, s.role, s.events, s.series, s.rows) for s in session.statuses]
    assert got == [
        ("app.csv", "table", "log", 3, 3, 20_004),
        ("panel.csv", "table", "metric", 0, 3, None),
        ("alerts.json", "alertmanager", "incident", 2, 0, None),
    ]


def test_the_window_as_the_signal_shows_it(session: Session) -> None:
    window = session.window()
    assert window.impact is not None and window.impact.evidence == EVIDENCE
    assert (window.began, window.ended, window.moved) == (ts.T0, ENDED, ())
    candidates = [(i.signal, session.input_of(i.source), round(i.score, 1)) for i in session.timeline.impacts]
    assert candidates == [
        ("error ratio", "app.csv", 99.6),
        ("checkout error ratio", "panel.csv", 99.8),
        ("p95 latency (ms)", "panel.csv", 100.0),
        ("error rate", "app.csv", 99.6),
    ]
    lane = session.lane()
    assert lane is not None and (lane.name, lane.unit, len(lane)) == ("error ratio", "ratio", 360)


def test_set_a_role_reads_the_input_again_and_is_kept(session: Session) -> None:
    status = session.set_role("app.csv", "timeline")
    assert (status.role, status.events, status.series, status.rows) == ("timeline", 20_004, 0, None)
    assert [s.name for s in session.statuses] == ["app.csv", "panel.csv", "alerts.json"]  # in place
    assert load_incident(session.path).roles == {"app.csv": "timeline"}
    lane = session.lane()
    assert lane is not None and lane.name == "checkout error ratio"  # the clearest left
    reopened = Session.open(session.path)
    assert reopened.statuses[0].role == "timeline"
    reopened.set_signal("checkout error ratio", "panel.csv")
    reopened.remove_input("panel.csv")
    reopened.remove_input("app.csv")
    assert (load_incident(session.path).roles, load_incident(session.path).signal) == ({}, None)


def test_a_role_the_input_cannot_be_read_as_changes_nothing(session: Session) -> None:
    with pytest.raises(InputError, match=r"app\.csv: no column of numbers besides the time"):
        session.set_role("app.csv", "metric")
    with pytest.raises(InputError, match=r"unknown role 'logs'\. Hint: choose one of: incident, log, metric"):
        session.set_role("app.csv", "logs")
    assert session.statuses[0].role == "log"
    assert load_incident(session.path).roles == {}


def test_choose_the_signal_and_the_milestones_follow(session: Session) -> None:
    impact = session.set_signal("checkout error ratio", "panel.csv")
    assert impact is not None and impact.evidence.startswith(
        "checkout error ratio 0.099% -> 30% at 14:00 UTC"
    )
    assert load_incident(session.path).signal == Signal("checkout error ratio", "panel.csv")
    lane = session.lane()
    assert lane is not None and lane.name == "checkout error ratio"

    assert session.set_signal("none") is None
    m = session.timeline.milestones
    assert (m.started, m.resolved) == (ts.ALERT, ts.END - pd.Timedelta(minutes=1))  # the alert's own times
    assert load_incident(session.path).signal == Signal("none")
    assert session.lane() is None

    with pytest.raises(InputError) as caught:
        session.set_signal("p99", "panel.csv")
    assert str(caught.value) == (
        "panel.csv has no series called 'p99'. "
        "Hint: choose one of: checkout error ratio, p95 latency (ms), requests per minute, or none"
    )
    with pytest.raises(InputError, match="no signal called 'p99'"):
        session.set_signal("p99")
    assert load_incident(session.path).signal == Signal("none")  # unchanged
    session.set_signal(None)
    assert load_incident(session.path).signal is None
    assert session.timeline.impact is not None and session.timeline.impact.evidence == EVIDENCE


def test_a_signal_gone_with_a_role_falls_back_to_the_clearest(session: Session) -> None:
    session.set_signal("error rate", "app.csv")
    session.set_role("app.csv", "timeline")
    assert session.timeline.impact is not None and session.timeline.impact.signal == "checkout error ratio"
    assert (
        "signal: signal 'error rate': app.csv has no series of that name; the clearest signal is used instead"
        in session.timeline.warnings
    )


def test_accept_the_window(session: Session) -> None:
    assert session.accept_window() == {"started": ts.T0, "resolved": ENDED}
    assert load_incident(session.path).milestones == {
        "started": "2025-03-03T14:00:00Z",
        "resolved": "2025-03-03T14:51:30Z",
    }
    assert session.timeline.milestones.reasons["started"] == "set by the analyst"
    assert session.window().moved == ("started", "resolved")
    session.set_signal("none")
    with pytest.raises(InputError, match="there is no impact window to accept"):
        session.accept_window()


def test_move_the_window_like_a_typed_milestone(session: Session) -> None:
    session.move_window(began="1:55pm")
    window = session.window()
    assert (window.began, window.ended, window.moved) == (
        pd.Timestamp("2025-03-03T13:55:00Z"),
        ENDED,
        ("started",),
    )
    assert session.timeline.metrics.duration == pd.Timedelta(minutes=56, seconds=30)
    assert load_incident(session.path).milestones == {"started": "2025-03-03T13:55:00Z"}
    session.move_window(ended=pd.Timestamp("2025-03-03T15:00:00Z"))
    assert session.timeline.metrics.duration == pd.Timedelta(minutes=65)
    with pytest.raises(MilestoneError, match=r"^'25:99' is not a clock time. Hint: e.g. 10:15am or 22:15$"):
        session.move_window(began="25:99")
    assert session.window().began == pd.Timestamp("2025-03-03T13:55:00Z")
    session.move_window(began="", ended="")
    assert (session.window().began, session.window().moved) == (ts.T0, ())
    assert load_incident(session.path).milestones == {}


def test_progress_is_reported_during_an_import(tmp_path: Path) -> None:
    path = ts.write_incident(tmp_path / "checkout", "alerts.json")
    ts.write_log_csv(path.parent / "app.csv")
    session = Session.open(path)
    seen: list[tuple[Progress, str]] = []
    session.on_progress.append(lambda p: seen.append((p, threading.current_thread().name)))
    worker = threading.Thread(target=session.add_path, args=("app.csv",), name="import")
    worker.start()
    worker.join(60)
    assert seen and {thread for _, thread in seen} == {"import"}
    last = [p for p, _ in seen if p.unit == "bytes"][-1]
    assert (Path(last.file).name, last.done, last.total, last.rows) == (
        "app.csv",
        (path.parent / "app.csv").stat().st_size,
        (path.parent / "app.csv").stat().st_size,
        20_004,
    )
    assert session.input_size("app.csv") == (path.parent / "app.csv").stat().st_size
    assert session.timeline.impact is not None and session.timeline.impact.evidence == EVIDENCE
