"""Field-level three-way merge of incidents, and two sessions (two forms, two kernels) on one incident."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from postmortem_widgets.app.session import Session
from postmortem_widgets.incident.merge import merge_incidents, snapshot
from postmortem_widgets.incident.record import Incident, load_incident, save_incident

BASE = Incident(
    product_name="Anchor",
    root_cause="a deploy",
    response_timeline="9:14am: Deploy\n9:42am: Ticket\n11:47am: Resolved",
    timeline=["a.json"],
    milestones={"detected": "2024-04-15T13:42:00Z"},
    responders=["Alice"],
)


def changed(**values: object) -> Incident:
    return dataclasses.replace(snapshot(BASE), **values)  # type: ignore[arg-type]


def test_changes_to_different_fields_combine() -> None:
    mine = changed(root_cause="a cache deploy failed silently")
    theirs = changed(product_name="Anchor Analytics")
    merge = merge_incidents(BASE, mine, theirs)
    assert merge.incident.root_cause == "a cache deploy failed silently"
    assert merge.incident.product_name == "Anchor Analytics"
    assert merge.mine == ["root_cause"] and merge.theirs == ["product_name"] and not merge.conflicts


def test_a_field_both_changed_differently_keeps_theirs_and_reports_mine() -> None:
    mine = changed(root_cause="mine")
    theirs = changed(root_cause="theirs")
    merge = merge_incidents(BASE, mine, theirs)
    assert merge.incident.root_cause == "theirs"
    (conflict,) = merge.conflicts
    assert (conflict.key, conflict.base, conflict.mine, conflict.theirs) == (
        "root_cause",
        "a deploy",
        "mine",
        "theirs",
    )


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    merge = merge_incidents(BASE, changed(detection="a ticket"), changed(detection="a ticket"))
    assert merge.incident.detection == "a ticket" and not merge.conflicts


def test_lines_of_a_text_field_changed_in_different_places_merge() -> None:
    mine = changed(
        response_timeline=BASE.response_timeline.replace("9:14am: Deploy", "9:14am: Deploy started")
    )
    theirs = changed(response_timeline=BASE.response_timeline.replace("11:47am", "11:48am"))
    merge = merge_incidents(BASE, mine, theirs)
    assert merge.incident.response_timeline == "9:14am: Deploy started\n9:42am: Ticket\n11:48am: Resolved"
    assert not merge.conflicts


def test_lists_keep_what_each_side_added_and_drop_what_one_removed() -> None:
    mine = changed(timeline=["a.json", "mine.csv"], responders=[])
    theirs = changed(timeline=["a.json", "theirs.json"], responders=["Alice", "Bob"])
    merge = merge_incidents(BASE, mine, theirs)
    assert merge.incident.timeline == ["a.json", "theirs.json", "mine.csv"]
    assert merge.incident.responders == ["Bob"]
    assert not merge.conflicts


def test_milestones_merge_one_by_one_and_a_cleared_one_is_not_a_rule() -> None:
    mine = changed(milestones={"detected": "2024-04-15T13:42:00Z", "mitigated": "2024-04-15T15:00:00Z"})
    theirs = changed(milestones={})  # they sent "detected" back to the rules
    merge = merge_incidents(BASE, mine, theirs)
    assert merge.incident.milestones == {"mitigated": "2024-04-15T15:00:00Z"}
    both = merge_incidents(
        BASE, changed(milestones={"detected": "2024-04-15T13:40:00Z"}), changed(milestones={"detected": ""})
    )
    assert both.incident.milestones == {"detected": ""}
    assert [c.key for c in both.conflicts] == ["milestones.detected"]


def test_the_merge_keeps_their_file_comments(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    path.write_text("# reviewed by legal\nproduct_name: Anchor  # the brand\nroot_cause: a deploy\n")
    base = load_incident(path)
    mine = dataclasses.replace(snapshot(base), root_cause="a cache deploy")
    path.write_text(path.read_text().replace("Anchor ", "Anchor Analytics "))
    session = Session(base, path)
    session._disk_hash = "stale"  # as if this session had read the file before their save
    session.incident = mine
    session.save()
    text = path.read_text()
    assert "# reviewed by legal" in text and "# the brand" in text
    assert load_incident(path).product_name == "Anchor Analytics"
    assert load_incident(path).root_cause == "a cache deploy"


def two_forms(tmp_path: Path) -> tuple[Session, Session, Path]:
    path = tmp_path / "incident.yaml"
    save_incident(BASE, path)
    return Session.open(path), Session.open(path), path


def test_two_sessions_saving_different_fields_keep_both(tmp_path: Path) -> None:
    a, b, path = two_forms(tmp_path)
    b.set_field("remediation", "rolled back")
    a.set_field("root_cause", "a cache deploy")  # A never saw B's change: it must not revert it
    on_disk = load_incident(path)
    assert on_disk.remediation == "rolled back" and on_disk.root_cause == "a cache deploy"
    assert a.incident.remediation == "rolled back"  # A took B's change in
    assert not a.conflicts and not b.conflicts
    b.sync()
    assert b.incident.root_cause == "a cache deploy"


def test_two_sessions_changing_one_field_keep_both_values(tmp_path: Path) -> None:
    a, b, path = two_forms(tmp_path)
    seen = []
    a.on_merged.append(seen.append)
    b.set_field("root_cause", "theirs")
    a.set_field("root_cause", "mine")
    assert load_incident(path).root_cause == "theirs"
    assert a.incident.root_cause == "theirs"
    conflict = a.conflicts["root_cause"]
    assert (conflict.mine, conflict.theirs) == ("mine", "theirs")
    assert seen and seen[0].conflicts == [conflict]
    a.resolve_conflict("root_cause", keep="mine")
    assert load_incident(path).root_cause == "mine" and not a.conflicts
    b.sync()
    assert b.incident.root_cause == "mine"


def test_sync_takes_in_a_new_export_and_reimports(tmp_path: Path) -> None:
    a, b, _ = two_forms(tmp_path)
    (tmp_path / "a.json").write_text("[]")
    export = tmp_path / "t.txt"
    export.write_text("9:14am: Deploy\n9:42am: Customer support ticket received\n11:47am: Resolved\n")
    b.set_field("incident_date", "2024-04-15")
    b.add_path(str(export))
    assert a.sync() is not None
    assert "t.txt" in a.incident.timeline and a.incident.incident_date == "2024-04-15"
    assert any(s.name == "t.txt" and s.ok for s in a.statuses)
    assert a.sync() is None  # nothing new: a stat, no read
