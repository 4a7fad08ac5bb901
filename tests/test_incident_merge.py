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


ROLES = {"app.csv": "log", "cpu.csv": "metric"}


def with_roles(**values: object) -> Incident:
    return dataclasses.replace(snapshot(BASE), **{"roles": dict(ROLES), **values})  # type: ignore[arg-type]


def test_two_people_changing_different_roles_both_keep_theirs() -> None:
    base = with_roles()
    mine = with_roles(roles={"app.csv": "tickets", "cpu.csv": "metric"})
    theirs = with_roles(roles={"app.csv": "log", "cpu.csv": "log", "new.json": "chat"})
    merge = merge_incidents(base, mine, theirs)
    assert merge.incident.roles == {"app.csv": "tickets", "cpu.csv": "log", "new.json": "chat"}
    assert merge.mine == ["roles.app.csv"]
    assert merge.theirs == ["roles.cpu.csv", "roles.new.json"]
    assert not merge.conflicts


def test_a_role_both_changed_differently_keeps_theirs_and_reports_mine() -> None:
    merge = merge_incidents(
        with_roles(),
        with_roles(roles={"app.csv": "tickets", "cpu.csv": "metric"}),
        with_roles(roles={"app.csv": "chat", "cpu.csv": "metric"}),
    )
    assert merge.incident.roles == {"app.csv": "chat", "cpu.csv": "metric"}
    (conflict,) = merge.conflicts
    assert (conflict.key, conflict.base, conflict.mine, conflict.theirs) == (
        "roles.app.csv",
        "log",
        "tickets",
        "chat",
    )


def test_a_role_one_side_removed_is_removed_and_one_removed_and_one_changed_conflicts() -> None:
    removed = merge_incidents(with_roles(), with_roles(roles={"cpu.csv": "metric"}), with_roles())
    assert removed.incident.roles == {"cpu.csv": "metric"} and not removed.conflicts
    both = merge_incidents(
        with_roles(), with_roles(roles={"cpu.csv": "metric"}), with_roles(roles={**ROLES, "app.csv": "chat"})
    )
    assert both.incident.roles == {"app.csv": "chat", "cpu.csv": "metric"}
    assert [(c.key, c.mine, c.theirs) for c in both.conflicts] == [("roles.app.csv", "", "chat")]


def test_incidents_and_budget_merge_entry_by_entry_too() -> None:
    base = changed(incidents={"a.json": "inc1"}, budget={"rounds": 2, "tokens": 9000})
    mine = changed(incidents={"a.json": "inc2"}, budget={"rounds": 3, "tokens": 9000})
    theirs = changed(incidents={"a.json": "inc1", "b.json": "incb"}, budget={"rounds": 2, "tokens": 5000})
    merge = merge_incidents(base, mine, theirs)
    assert merge.incident.incidents == {"a.json": "inc2", "b.json": "incb"}
    assert merge.incident.budget == {"rounds": 3, "tokens": 5000}
    assert not merge.conflicts


def test_company_and_allow_are_kept_not_dropped_for_theirs() -> None:
    mine = changed(company="Tidewater", allow=["Redis"])
    theirs = changed(root_cause="a cache deploy", allow=["DNS"])
    merge = merge_incidents(BASE, mine, theirs)
    assert (merge.incident.company, merge.incident.allow) == ("Tidewater", ["DNS", "Redis"])
    assert merge.incident.root_cause == "a cache deploy"


def test_two_sessions_setting_roles_of_different_inputs_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    save_incident(dataclasses.replace(snapshot(BASE), timeline=["a.json", "b.json"]), path)
    a, b = Session.open(path), Session.open(path)
    b.incident.roles["b.json"] = "chat"
    b.save()
    a.incident.roles["a.json"] = "log"
    a.save()  # A never saw B's role: it must not drop it
    assert load_incident(path).roles == {"b.json": "chat", "a.json": "log"}
    assert a.incident.roles == {"b.json": "chat", "a.json": "log"} and not a.conflicts


def test_a_role_conflict_is_settled_like_a_field(tmp_path: Path) -> None:
    path = tmp_path / "incident.yaml"
    save_incident(dataclasses.replace(snapshot(BASE), timeline=["a.json"], roles={"a.json": "log"}), path)
    a, b = Session.open(path), Session.open(path)
    b.incident.roles["a.json"] = "chat"
    b.save()
    a.incident.roles["a.json"] = "tickets"
    a.save()
    assert load_incident(path).roles == {"a.json": "chat"}
    conflict = a.conflicts["roles.a.json"]
    assert (conflict.mine, conflict.theirs) == ("tickets", "chat")
    a.resolve_conflict("roles.a.json", keep="mine")
    assert load_incident(path).roles == {"a.json": "tickets"} and not a.conflicts
