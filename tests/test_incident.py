"""The incident record: loading with clear errors, saving with its comments, filling from the timeline."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from postmortem_widgets.errors import IncidentError, PostmortemError
from postmortem_widgets.incident.fill import fill_incident
from postmortem_widgets.incident.record import FIELDS, Incident, load_incident, parse_incident, save_incident
from postmortem_widgets.incident.timeline import incident_timeline
from postmortem_widgets.timeline.merge import Timeline
from tests.support import paths

DATA = paths.DATA / "incident"
SEED = paths.SEED_INCIDENT
BAD = sorted((DATA / "bad").glob("*.yaml"))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def test_seed_incident_holds_the_seed_example_exactly(seed_incident: Incident) -> None:
    incident = seed_incident
    assert list(incident.fields()) == list(FIELDS)
    assert incident.product_name == "Anchor Analytics"
    assert incident.incident_date == "April 15, 2024"
    assert incident.incident_duration == "2 hours 33 minutes (9:14am – 11:47am ET)"
    assert incident.affected_scope == "all Professional and Enterprise customers (approximately 200 accounts)"
    assert incident.detection == (
        "detected at 9:42am via a customer-submitted support ticket "
        "(not our own monitoring — this is a gap we're addressing)"
    )
    assert incident.response_timeline.splitlines() == [
        "9:14am: Cache deployment completed (failure mode not yet detected)",
        "9:42am: First customer support ticket received reporting stale data",
        "9:47am: Engineering alerted and investigation begins",
        "10:15am: Root cause identified (cache serving stale data)",
        "10:22am: Cache rollback initiated",
        "11:47am: All dashboards restored to live data; incident resolved",
    ]
    assert incident.prevention.count(";") == 2
    assert incident.data_impact.startswith("no data was lost or corrupted")
    assert incident.timezone == "America/New_York"
    assert incident.timeline == []
    assert incident.base_dir == SEED.parent
    assert incident.missing() == []


def test_seed_response_timeline_alone_gives_the_milestones(seed_timeline: Timeline) -> None:
    timeline = seed_timeline
    m = timeline.milestones
    assert m.started == utc("2024-04-15T09:14:00-04:00")
    assert m.detected == utc("2024-04-15T09:42:00-04:00")
    assert m.acknowledged == utc("2024-04-15T09:47:00-04:00")
    assert m.identified == utc("2024-04-15T10:15:00-04:00")
    assert m.mitigated == utc("2024-04-15T10:22:00-04:00")
    assert m.resolved == utc("2024-04-15T11:47:00-04:00")
    assert m.detected_by == "customer"
    assert timeline.metrics.duration == pd.Timedelta(hours=2, minutes=33)
    assert timeline.metrics.time_to_detect == pd.Timedelta(minutes=28)


def test_seed_timeline_run_together_on_one_line_also_parses(seed_incident: Incident) -> None:
    """The seed's page shows the timeline as one run-on line: it must read the same."""
    text = SEED.read_text()
    lines = seed_incident.response_timeline.splitlines()
    block = "response_timeline: |\n" + "".join(f"  {line}\n" for line in lines)
    assert block in text
    incident = parse_incident(text.replace(block, f"response_timeline: {json.dumps(' '.join(lines))}\n"))
    m = incident_timeline(incident).milestones
    assert (m.started, m.detected, m.resolved, m.detected_by) == (
        utc("2024-04-15T09:14:00-04:00"),
        utc("2024-04-15T09:42:00-04:00"),
        utc("2024-04-15T11:47:00-04:00"),
        "customer",
    )


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_incident_files_name_file_line_and_key(path: Path) -> None:
    expected = path.read_text().splitlines()[0].removeprefix("# expect: ").split(" | ")
    with pytest.raises(IncidentError) as caught:
        parse_incident(path.read_bytes(), name=path.name)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message


def test_bad_file_list_covers_every_kind_of_mistake() -> None:
    assert {p.stem for p in BAD} >= {
        "unknown_key",
        "list_for_text",
        "bad_yaml",
        "bad_timezone",
        "empty",
        "allow_mapping",
        "company_list",
    }


def test_incident_error_is_a_postmortem_error_with_key() -> None:
    with pytest.raises(PostmortemError) as caught:
        parse_incident("product_nam: x\n", name="i.yaml")
    assert isinstance(caught.value, IncidentError)
    assert caught.value.key == "product_nam"
    assert caught.value.line == 1
    assert caught.value.file == "i.yaml"


def test_loose_but_unambiguous_values_are_accepted() -> None:
    incident = parse_incident(
        "product_name: 2048\nincident_date: 2024-04-15\nprevention:\n  - first change\n  - second change\n"
        "timeline: pagerduty.json\nresponders: [Jane Doe]\ndetection:\n"
    )
    assert incident.product_name == "2048"
    assert incident.incident_date == "2024-04-15"
    assert incident.prevention == "first change\nsecond change"
    assert incident.timeline == ["pagerduty.json"]
    assert incident.responders == ["Jane Doe"]
    assert incident.detection == ""


def test_load_missing_file_and_folder() -> None:
    with pytest.raises(IncidentError, match="no such incident file"):
        load_incident(DATA / "nope.yaml")
    with pytest.raises(IncidentError, match=r"this is a folder.*Hint: pass .*incident\.yaml"):
        load_incident(DATA / "relative")


def test_relative_timeline_paths_resolve_from_the_incident_folder_and_milestones_apply(
    tmp_path: Path,
) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)  # paths must not depend on where the command runs
    try:
        incident = load_incident(DATA / "relative" / "incident.yaml")
        timeline = incident_timeline(incident)
    finally:
        os.chdir(cwd)
    assert [r.format for r in timeline.imports] == ["text"]
    m = timeline.milestones
    assert m.detected == utc("2024-04-15T09:42:00-04:00")
    assert m.identified == utc("2024-04-15T10:05:00-04:00")  # the file's milestones: override
    assert m.reasons["identified"] == "set by the analyst"


def test_extra_paths_and_tz_argument(tmp_path: Path) -> None:
    notes = tmp_path / "more.txt"
    notes.write_text("12:30pm: Status page updated; customers informed\n")
    incident = load_incident(DATA / "relative" / "incident.yaml")
    timeline = incident_timeline(incident, extra_paths=[notes], tz="America/Chicago")
    assert len(timeline.imports) == 2
    # Bare clock times of both files are read in the zone given, not the file's.
    assert timeline.milestones.started == utc("2024-04-15T09:14:00-05:00")


def test_missing_export_names_the_incident_file_line_and_key() -> None:
    incident = load_incident(DATA / "missing_export.yaml")
    with pytest.raises(IncidentError) as caught:
        incident_timeline(incident)
    text = str(caught.value)
    assert (
        "missing_export.yaml:3 (key 'timeline'): timeline entry 'exports/pagerduty.json' does not exist"
        in text
    )
    assert "relative to the folder of the incident file" in text


def test_bad_line_in_response_timeline_points_at_the_yaml_line() -> None:
    incident = load_incident(DATA / "bad_response_timeline.yaml")
    with pytest.raises(IncidentError) as caught:
        incident_timeline(incident)
    assert "bad_response_timeline.yaml:7 (key 'response_timeline')" in str(caught.value)
    assert "'25:47pm: Engineering alerted' is not a valid time" in str(caught.value)


def test_unreadable_incident_date_is_blamed_for_undated_times() -> None:
    incident = load_incident(DATA / "no_date.yaml")
    with pytest.raises(IncidentError) as caught:
        incident_timeline(incident)
    assert "no_date.yaml:2 (key 'incident_date')" in str(caught.value)
    assert "cannot read incident_date 'the Monday after the release' as a date" in str(caught.value)


def test_no_timeline_at_all_is_an_empty_timeline() -> None:
    timeline = incident_timeline(parse_incident("product_name: Tiny\n"))
    assert len(timeline.events) == 0
    assert timeline.milestones.detected is None


# --- saving -------------------------------------------------------------------------------------------------


def test_save_round_trip_keeps_comments_order_and_untouched_values(tmp_path: Path) -> None:
    target = tmp_path / "incident.yaml"
    target.write_bytes(SEED.read_bytes())
    incident = load_incident(target)
    save_incident(incident, target)
    assert target.read_bytes() == SEED.read_bytes()

    incident.root_cause = "a routine cache deployment failed silently"
    incident.milestones["detected"] = "2024-04-15T09:40:00-04:00"
    save_incident(incident, target)
    text = target.read_text()
    assert text.startswith("# The seed's worked example")
    assert "root_cause: a routine cache deployment failed silently\n" in text
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == [*FIELDS, "timezone", "milestones"]
    again = load_incident(target)
    assert again.root_cause == "a routine cache deployment failed silently"
    assert again.response_timeline == incident.response_timeline
    assert again.milestones == {"detected": "2024-04-15T09:40:00-04:00"}


def test_save_new_incident_in_seed_order_with_block_text(tmp_path: Path) -> None:
    incident = Incident(
        product_name="Tiny",
        response_timeline="9:00am: a\n9:05am: b",
        timezone="Europe/Berlin",
        timeline=["x.json"],
    )
    target = tmp_path / "sub" / "incident.yaml"
    save_incident(incident, target)
    text = target.read_text()
    assert "response_timeline: |\n  9:00am: a\n  9:05am: b\n" in text
    assert (
        text.index("product_name")
        < text.index("data_impact")
        < text.index("\ntimezone:")
        < text.index("\ntimeline:")
    )
    loaded = load_incident(target)
    assert (loaded.product_name, loaded.timezone, loaded.timeline) == ("Tiny", "Europe/Berlin", ["x.json"])
    assert loaded.response_timeline == "9:00am: a\n9:05am: b"
    assert not list(target.parent.glob(".*.tmp"))


def test_company_and_allow_load_and_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "incident.yaml"
    target.write_text(
        "# a managed cache\nproduct_name: Tidewater Cache\ncompany: Tidewater  # the company\n"
        "allow:\n  - Redis\n  - Memorystore\n"
    )
    incident = load_incident(target)
    assert (incident.company, incident.allow) == ("Tidewater", ["Redis", "Memorystore"])
    save_incident(incident, target)
    assert "company: Tidewater  # the company\n" in target.read_text()
    incident.allow.append("DNS")
    save_incident(incident, target)
    assert load_incident(target).allow == ["Redis", "Memorystore", "DNS"]
    assert target.read_text().startswith("# a managed cache\n")
    fresh = tmp_path / "fresh.yaml"
    save_incident(Incident(product_name="Tiny"), fresh)
    assert "company" not in fresh.read_text() and "allow" not in fresh.read_text()


def test_failed_save_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "incident.yaml"
    target.write_bytes(SEED.read_bytes())
    incident = load_incident(target)
    incident.product_name = object()  # type: ignore[assignment]
    with pytest.raises(Exception):  # noqa: B017 - whatever the YAML library raises, the old file must stay
        save_incident(incident, target)
    assert target.read_bytes() == SEED.read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))


# --- filling ------------------------------------------------------------------------------------------------


def test_fill_derives_empty_fields_and_the_authors_text_wins(
    seed_incident: Incident, seed_timeline: Timeline
) -> None:
    seed, timeline = seed_incident, seed_timeline
    assert fill_incident(seed, timeline).fields() == seed.fields()  # nothing empty: nothing changes

    bare = parse_incident(
        "product_name: Anchor Analytics\ntimezone: America/New_York\ndetection: our own words\n"
        "response_timeline: |\n" + "".join(f"  {line}\n" for line in seed.response_timeline.splitlines()),
        name="bare.yaml",
    )
    bare.incident_date = ""
    filled = fill_incident(bare, seed_timeline)
    assert filled.incident_date == "April 15, 2024"
    assert filled.incident_duration == "2 hours 33 minutes (9:14am - 11:47am ET)"
    assert filled.detection == "our own words"
    assert filled.response_timeline == bare.response_timeline
    assert filled.filled == {"incident_date", "incident_duration"}
    assert bare.incident_duration == ""  # a copy: the original is untouched


def test_fill_response_timeline_and_detection_from_an_import() -> None:
    incident = load_incident(DATA / "relative" / "incident.yaml")
    filled = fill_incident(incident, incident_timeline(incident))
    lines = filled.response_timeline.splitlines()
    assert lines[0] == "9:14am: Cache deployment completed"
    assert "10:05am: identified (set by the analyst)" in lines
    assert lines[-1] == "11:47am: All dashboards restored to live data; incident resolved"
    assert filled.detection == (
        "detected at 9:42am ET via a customer support ticket, 28 minutes after the incident began "
        "(not our own monitoring: a customer told us first)"
    )
    assert {"response_timeline", "detection", "incident_duration"} <= filled.filled
    assert filled.incident_date == "2024-04-15"  # the author's own date stays as written


def test_fill_for_monitoring_detection_over_midnight() -> None:
    incident = load_incident(DATA.parent / "drafting" / "ledgerline" / "incident.yaml")
    filled = fill_incident(incident, incident_timeline(incident))
    assert filled.detection == "detected at 11:44pm CET by our monitoring, 3 minutes after the incident began"
    assert filled.incident_duration == (
        "1 hour 24 minutes (November 3, 2025 11:41pm - November 4, 2025 1:05am CET)"
    )
    assert (
        filled.response_timeline.splitlines()[-1]
        == "2025-11-04 1:05am: Queued invoices re-rendered; service back to normal"
    )
    # The derived text reads back as the same timeline.
    reread = incident_timeline(
        Incident(
            timezone="Europe/Berlin", incident_date="2025-11-03", response_timeline=filled.response_timeline
        )
    )
    assert reread.milestones.resolved == utc("2025-11-04T01:05:00+01:00")
