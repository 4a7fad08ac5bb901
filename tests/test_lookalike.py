"""An unrecognised file: the error says what it looks like and, where we can tell, what to export instead."""

from __future__ import annotations

import pytest

from postmortem_widgets.cli import main
from postmortem_widgets.errors import UnknownFormatError
from postmortem_widgets.timeline.importers import import_source
from postmortem_widgets.timeline.sources import FileSource, Source
from tests.support import paths

DATA = paths.DATA / "lookalike"


def _error(source: Source) -> UnknownFormatError:
    with pytest.raises(UnknownFormatError) as caught:
        import_source(source)
    return caught.value


def test_pagerduty_incidents_list_is_read_by_its_own_importer() -> None:
    """PagerDuty's incidents API is a format now (``pagerduty_incident``): no longer an unknown file."""
    result = import_source(FileSource(DATA / "pagerduty_incidents.json"))
    assert result.format == "pagerduty_incident"
    assert any("import the incident's log entries for the full history" in w for w in result.warnings)


def test_single_pagerduty_incident_without_times_says_so() -> None:
    data = b'{"incident": {"id": "Q1", "type": "incident", "incident_number": 7, "title": "x"}}'
    result = import_source(Source("incident.json", data))
    assert (result.format, result.count) == ("pagerduty_incident", 0)
    assert result.warnings == ["the export holds no created_at/at/resolved_at times"]


def test_opsgenie_incidents_list_says_to_export_alerts() -> None:
    data = b'{"data": [{"id": "i1", "tinyId": "12", "message": "down", "impactedServices": []}]}'
    error = _error(Source("og.json", data))
    assert error.message.endswith("; it looks like an Opsgenie incidents list (1 incident)")
    assert (
        error.hint == "export the alerts instead (GET /v2/alerts, the 'data' list with createdAt and report)"
    )


def test_statuspage_summary_says_to_export_incidents() -> None:
    error = _error(FileSource(DATA / "statuspage_summary.json"))
    assert error.message.endswith(
        "; it looks like a Statuspage page status without incidents (it holds components, status)"
    )
    assert error.hint == "export /api/v2/incidents.json, whose incidents carry their incident_updates"


def test_a_saved_web_page() -> None:
    error = _error(FileSource(DATA / "saved_page.html"))
    assert error.message.endswith("; it looks like an HTML page")
    assert error.hint == "export the data as JSON or CSV rather than a page"


@pytest.mark.parametrize(
    ("data", "shape"),
    [
        (b'{"incident": {"name": "Stale dashboards"}}', "a JSON object with keys incident"),
        (
            b'[{"when": 1, "what": "x"}, {"when": 2, "who": "y"}]',
            "a JSON list of 2 objects with keys when, what, who",
        ),
        (b"[1, 2, 3]", "a JSON list of 3 values"),
    ],
)
def test_other_json_is_outlined(data: bytes, shape: str) -> None:
    error = _error(Source("x.json", data))
    assert error.message.endswith(f"; it looks like {shape}")
    assert error.hint == "pass --format NAME if you know what exported it"


def test_cli_one_line_with_the_advice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(DATA / "statuspage_summary.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "it looks like a Statuspage page status without incidents (it holds components, status)" in err
