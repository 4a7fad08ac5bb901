"""``postmortem export`` with telemetry: the figure from the incident's whole timeline, --no-figure,
--keep-names, and telemetry given on the command line (--timeline PATH)."""

from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.incident.record import load_incident, save_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.writing.drafters import OfflineDrafter
from tests.support import telemetry as ts

CAPTION_START = "*From our monitoring data: the share of requests that failed was about 0.13% until 9:00am ET"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    path = ts.write_checkout(folder)
    incident = load_incident(path)
    draft = folder / "draft.md"
    draft.write_text(OfflineDrafter().draft(incident, incident_timeline(incident)))
    return path, draft


def test_html_has_the_figure_unless_asked_not_to(case: tuple[Path, Path], tmp_path: Path) -> None:
    incident, draft = case
    out = tmp_path / "report.html"
    assert main(["export", str(draft), "--incident", str(incident), "-o", str(out)]) == 0
    html = out.read_text()
    assert (
        html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1 and "Share of requests that failed" in html
    )
    assert main(["export", str(draft), "--incident", str(incident), "-o", str(out), "--no-figure"]) == 0
    assert "<svg" not in out.read_text()


def test_markdown_gets_the_line_of_evidence(
    case: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    incident, draft = case
    assert main(["export", str(draft), "--incident", str(incident), "--to", "md"]) == 0
    assert CAPTION_START in capsys.readouterr().out
    assert main(["export", str(draft), "--incident", str(incident), "--to", "md", "--no-figure"]) == 0
    assert "From our monitoring data" not in capsys.readouterr().out


def test_keep_names_and_another_signal(case: tuple[Path, Path], tmp_path: Path) -> None:
    incident, draft = case
    out = tmp_path / "report.html"
    args = ["export", str(draft), "--incident", str(incident), "-o", str(out), "--force"]
    assert main([*args, "--keep-names", "--signal", "p95 latency (ms)"]) == 0
    html = out.read_text()
    assert ">p95 latency (ms)</text>" in html and "Share of requests" not in html
    assert main([*args, "--signal", "p95 latency (ms)"]) == 0
    assert ">Response time (95th percentile)</text>" in out.read_text()


def test_telemetry_given_on_the_command_line(case: tuple[Path, Path], tmp_path: Path) -> None:
    incident_path, draft = case
    bare = load_incident(incident_path)
    bare.timeline = ["alerts.json"]  # the incident lists only the alert; the log comes with --timeline
    path = incident_path.with_name("bare.yaml")
    save_incident(bare, path)
    out = tmp_path / "report.md"
    log = incident_path.with_name("app.csv")
    assert main(["export", str(draft), "--incident", str(path), "--timeline", str(log), "-o", str(out)]) == 0
    assert CAPTION_START in out.read_text()
