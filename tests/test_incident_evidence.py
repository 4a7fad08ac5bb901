"""The incident file remembers the author's choices about evidence: each input's role (``roles:``) and the
series the impact window comes from (``signal:``); ``incident_timeline`` and the CLI apply them, and the
CLI's ``--role`` and ``--signal`` win over them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import IncidentError, InputError
from postmortem_widgets.incident.record import Incident, Signal, load_incident, save_incident
from postmortem_widgets.incident.timeline import incident_timeline
from tests.support import telemetry as ts

HEAD = """# The checkout incident of issue 11.
product_name: Checkout
timezone: UTC
timeline:
  - app.csv        # the application log
  - panel.csv
  - alerts.json
"""


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    ts.write_log_csv(folder / "app.csv", rows=4_000)
    ts.write_metric_csv(folder / "panel.csv")
    ts.write_alertmanager(folder / "alerts.json")
    return folder


def incident_file(folder: Path, exports: Path, tail: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("app.csv", "panel.csv", "alerts.json"):
        shutil.copy(exports / name, folder / name)
    path = folder / "incident.yaml"
    path.write_text(HEAD + tail)
    return path


def test_roles_and_signal_load_and_round_trip_with_comments(tmp_path: Path) -> None:
    text = HEAD + (
        "roles:\n  app.csv: LOG   # says so itself, kept anyway\n"
        "signal:\n  name: checkout error ratio\n  input: panel.csv\n"
    )
    path = tmp_path / "incident.yaml"
    path.write_text(text)
    incident = load_incident(path)
    assert incident.roles == {"app.csv": "log"}
    assert incident.signal == Signal("checkout error ratio", "panel.csv")
    save_incident(incident, path)
    assert text.split("timezone: UTC\n")[1] in path.read_text()  # unchanged, comment and case kept

    incident.roles["panel.csv"] = "metric"
    incident.signal = Signal("none")
    save_incident(incident, path)
    saved = path.read_text()
    assert (
        "# The checkout incident of issue 11." in saved and "- app.csv        # the application log" in saved
    )
    assert "roles:\n  app.csv: log\n  panel.csv: metric\nsignal: none\n" in saved
    assert load_incident(path).signal == Signal("none")

    incident = load_incident(path)
    incident.roles.clear()
    incident.signal = None
    save_incident(incident, path)
    saved = path.read_text()
    assert "roles" not in saved and "signal" not in saved  # no `roles: {}` or `signal: null` left behind
    assert (load_incident(path).roles, load_incident(path).signal) == ({}, None)


def test_a_new_file_writes_the_keys_after_the_inputs(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    incident = Incident(
        product_name="Checkout",
        timeline=["app.csv", "panel.csv"],
        roles={"app.csv": "log"},
        signal=Signal("error ratio", "app.csv"),
    )
    save_incident(incident, path)
    text = path.read_text()
    assert text.endswith(
        "timezone: UTC\ntimeline:\n  - app.csv\n  - panel.csv\nroles:\n  app.csv: log\n"
        "signal:\n  name: error ratio\n  input: app.csv\n"
    )
    assert load_incident(path) == incident
    save_incident(Incident(signal=Signal("latency p95")), path)
    assert "\nsignal: latency p95\n" in path.read_text()


def test_the_files_role_decides_how_an_input_is_read(tmp_path: Path, exports: Path) -> None:
    as_read = incident_timeline(load_incident(incident_file(tmp_path / "a", exports)))
    assert [r.role for r in as_read.imports] == ["log", "metric", "incident"]
    path = incident_file(tmp_path / "b", exports, "roles:\n  app.csv: timeline\n")
    timeline = incident_timeline(load_incident(path))
    log = timeline.imports[0]
    assert (log.role, log.count, log.series) == ("timeline", 4_004, [])
    assert [s.source for s in timeline.series] == [str(path.parent / "panel.csv")] * 3


def test_the_files_signal_picks_the_impact_window(tmp_path: Path, exports: Path) -> None:
    path = incident_file(tmp_path, exports, "signal:\n  name: checkout error ratio\n  input: panel.csv\n")
    timeline = incident_timeline(load_incident(path))
    impact = timeline.impact
    assert impact is not None
    assert (impact.signal, impact.source) == ("checkout error ratio", str(tmp_path / "panel.csv"))
    assert impact.evidence == (
        "checkout error ratio 0.099% -> 30% at 14:00 UTC; back under 0.99% at 14:51:30 UTC"
    )
    assert timeline.milestones.reasons["started"] == f"impact: impact began: {impact.evidence.split(';')[0]}"

    path.write_text(HEAD + "signal: none\n")
    m = incident_timeline(load_incident(path)).milestones
    assert (m.started, m.resolved) == (ts.ALERT, ts.END - pd.Timedelta(minutes=1))  # the alert alone


def test_a_stale_signal_names_the_line_and_the_series_there_are(tmp_path: Path, exports: Path) -> None:
    path = incident_file(tmp_path, exports, "signal:\n  name: p99 latency\n  input: panel.csv\n")
    with pytest.raises(IncidentError) as caught:
        incident_timeline(load_incident(path))
    assert str(caught.value) == (
        f"{path}:8 (key 'signal'): signal 'p99 latency': panel.csv has no series of that name. "
        "Hint: its series: checkout error ratio, p95 latency (ms), requests per minute"
    )
    path.write_text(HEAD + "signal: p99 latency\n")
    with pytest.raises(IncidentError) as caught:
        incident_timeline(load_incident(path))
    assert caught.value.key == "signal" and caught.value.line == 8
    assert caught.value.message == "no signal called 'p99 latency'"


def test_the_command_lines_role_and_signal_win(
    tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = incident_file(tmp_path, exports, "roles:\n  app.csv: timeline\nsignal: none\n")
    incident = load_incident(path)
    timeline = incident_timeline(incident, roles={"app.csv": "log"}, signal="error ratio")
    assert timeline.imports[0].role == "log"
    assert timeline.impact is not None and timeline.impact.signal == "error ratio"
    monkeypatch.chdir(tmp_path)  # a path as typed, relative to the working folder, names the same input
    assert incident_timeline(incident, roles={"./app.csv": "log"}).imports[0].role == "log"
    with pytest.raises(InputError, match="no signal called 'p99'"):
        incident_timeline(incident, roles={"app.csv": "log"}, signal="p99")

    assert main(["prompt", str(path), "--role", "app.csv=log", "--signal", "error ratio"]) == 0
    assert "| impact | impact_start | started | impact began: error ratio " in capsys.readouterr().out
    assert main(["prompt", str(path)]) == 0
    assert "impact began" not in capsys.readouterr().out


def test_check_takes_signal_too(tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = incident_file(tmp_path, exports)
    draft = tmp_path / "draft.md"
    draft.write_text("## Summary\n\nCheckout failed.\n")
    assert main(["check", str(draft), "--incident", str(path), "--signal", "nope", "--json"]) == 2
    assert "no signal called 'nope'" in capsys.readouterr().err
