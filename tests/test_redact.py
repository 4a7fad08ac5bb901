"""Redaction: internal details and names become neutral words, and every change is reported."""

from __future__ import annotations

import pytest

from postmortem_widgets.incident.record import Incident
from postmortem_widgets.review import check_draft, people_names, redact, redactor
from postmortem_widgets.timeline.merge import Timeline, load_timeline
from tests.support import paths

DATA = paths.DATA / "review"


def test_every_kind_is_replaced_and_reported() -> None:
    text = (
        "Priya Patel paged oncall@anchor.internal, then ssh'd to 10.0.3.7 and db1.corp. "
        "See https://grafana.anchor.internal/d/x and JIRA-4521. Key: AKIAIOSFODNN7EXAMPLE."
    )
    result = redact(text, roster=["Priya Patel"])
    assert result.text == (
        "A team member paged an email address, then ssh'd to a server and an internal system. "
        "See an internal link and an internal ticket. Key: [secret removed]."
    )
    assert result.changes == [
        ("Priya Patel", "A team member", "name"),
        ("oncall@anchor.internal", "an email address", "email"),
        ("10.0.3.7", "a server", "ip"),
        ("db1.corp", "an internal system", "host"),
        ("https://grafana.anchor.internal/d/x", "an internal link", "url"),
        ("JIRA-4521", "an internal ticket", "ticket"),
        ("AKIAIOSFODNN7EXAMPLE", "[secret removed]", "secret"),
    ]
    assert result.summary() == {"name": 1, "email": 1, "ip": 1, "host": 1, "url": 1, "ticket": 1, "secret": 1}


def test_articles_possessives_and_first_names() -> None:
    result = redact(
        "We restarted the db1.corp host after Priya's fix; priya confirmed.", roster=["Priya Patel"]
    )
    assert (
        result.text
        == "We restarted the internal system host after a team member's fix; a team member confirmed."
    )
    assert [kind for _, _, kind in result.changes] == ["host", "name", "name"]


def test_keep_leaves_chosen_text_alone() -> None:
    result = redact(
        "Write to support@anchoranalytics.com or p.patel@anchoranalytics.com.",
        keep=["support@anchoranalytics.com"],
    )
    assert result.text == "Write to support@anchoranalytics.com or an email address."
    assert result.count == 1


def test_public_text_is_untouched() -> None:
    text = "Status at https://status.anchoranalytics.com at 9:14am ET; version 2.3.1 shipped on 2024-04-15."
    result = redact(text, roster=["Priya Patel"])
    assert (result.text, result.changes) == (text, [])


def test_redactor_compiles_names_once_for_many_event_messages() -> None:
    timeline = load_timeline([DATA / "people" / "pagerduty.json"], tz="America/New_York")
    names = people_names((), timeline)
    assert names == ["Dana Whitfield"]
    clean = redactor(names)
    messages = [clean(m) for m in timeline.events["message"]]
    assert not any("Dana" in m or "Whitfield" in m for m in messages)
    assert "Acknowledged by a team member (Dashboards)" in messages


@pytest.mark.parametrize(
    "name",
    ["privacy-email__person", "privacy-ip__private", "privacy-host__internal", "privacy-secret__aws-key"],
)
def test_a_redacted_draft_has_no_privacy_errors_left(
    name: str, seed_incident: Incident, seed_timeline: Timeline
) -> None:
    incident, timeline = seed_incident, seed_timeline
    draft = (DATA / "flawed" / f"{name}.md").read_text(encoding="utf-8")
    assert check_draft(draft, incident, timeline).errors == 1
    result = redact(draft)
    assert result.count == 1
    assert check_draft(result.text, incident, timeline).findings == []
