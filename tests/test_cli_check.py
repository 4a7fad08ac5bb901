"""``postmortem check``: grouped report, --json contract, exit codes, --redact -o, clear input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from postmortem_widgets.cli import main
from tests.support import paths

DATA = paths.DATA / "review"
INCIDENT = str(paths.SEED_INCIDENT)
GOOD = str(DATA / "good" / "seed_output.md")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def flawed(name: str) -> str:
    return str(DATA / "flawed" / f"{name}.md")


def test_a_good_draft_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, GOOD, "--incident", INCIDENT)
    assert (code, out) == (0, f"{GOOD}: 0 errors, 0 warnings\n")


def test_findings_are_grouped_by_section_and_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    draft = flawed("fact-resolution__summary")
    code, out, _ = run(capsys, draft, "--incident", INCIDENT)
    assert code == 1
    assert out.startswith(f"{draft}: 1 error, 0 warnings\n\nSummary\n")
    assert f"  {draft}:3: error [fact-resolution] says the incident was resolved at 10:22am ET" in out
    assert "      Write 11:47am ET." in out


def test_style_findings_are_warnings_and_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    draft = flawed("tone-performative__any-inconvenience")
    code, out, _ = run(capsys, draft, "--incident", INCIDENT)
    assert code == 0
    assert out.startswith(f"{draft}: 0 errors, 2 warnings\n\nApology and Commitment\n")
    assert f"  {draft}:32: warning [tone-performative] 'apologize for any' apologises for 'any' harm" in out
    assert "      Apologise for what actually happened" in out


def test_warnings_alone_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, flawed("jargon__kubernetes"), "--incident", INCIDENT)
    assert code == 0
    assert ": 0 errors, 4 warnings" in out.splitlines()[0]
    assert out.splitlines()[2] == "Why It Happened"


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, flawed("fact-duration__summary"), "--incident", INCIDENT, "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload == {
        "findings": [
            {
                "rule": "fact-duration",
                "severity": "error",
                "line": 3,
                "message": "says '3-hour 10-minute' (3 hours 10 minutes), but the incident lasted "
                "2 hours 33 minutes (9:14am ET to 11:47am ET)",
                "suggestion": "Write '2-hour 33-minute'.",
            }
        ],
        "errors": 1,
        "warnings": 0,
    }


def test_roster_and_extra_timeline_inputs_supply_names(capsys: pytest.CaptureFixture[str]) -> None:
    draft = flawed("person-name__roster")
    assert run(capsys, draft, "--incident", INCIDENT)[0] == 0
    code, out, _ = run(capsys, draft, "--incident", INCIDENT, "--roster", str(DATA / "roster.txt"), "--json")
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["person-name"]
    pagerduty = flawed("person-name__pagerduty-agent")
    timeline = str(paths.SEED_TIMELINE)
    code, out, _ = run(
        capsys, pagerduty, "--incident", INCIDENT, "--timeline", timeline,
        "--timeline", str(DATA / "people" / "pagerduty.json"), "--json",
    )  # fmt: skip
    assert code == 1
    assert [f["message"] for f in json.loads(out)["findings"]] == [
        "names 'Dana Whitfield', a member of the team"
    ]


def test_redact_writes_a_clean_copy_and_reviews_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    draft = flawed("privacy-email__person")
    output = tmp_path / "clean.md"
    code, out, err = run(capsys, draft, "--incident", INCIDENT, "--redact", "-o", str(output))
    assert code == 0
    assert f"wrote {output}, redacted 1 item(s): 1 email" in err
    assert out == f"{output}: 0 errors, 0 warnings\n"
    original = Path(draft).read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == original.replace(
        "p.patel@anchoranalytics.com", "an email address"
    )


def test_redact_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, GOOD, "--incident", INCIDENT, "--redact")
    assert code == 2
    assert "--redact and -o FILE go together" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such draft file. Hint: check the path"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is not a text file"),
        ("## Summary\n\ncaf\xe9\n".encode("latin-1"), ":3: is not UTF-8 text (byte 0xe9)"),
    ],
)
def test_an_unreadable_draft_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, message: str
) -> None:
    draft = tmp_path / "draft.md"
    if content is not None:
        draft.write_bytes(content)
    code, out, err = run(capsys, str(draft), "--incident", INCIDENT)
    assert (code, out) == (2, "")
    assert err.startswith(f"postmortem check: error: {draft}")
    assert message in err
    assert "Traceback" not in err


def test_instruction_patterns_are_extended_with_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(Path(GOOD).read_text().replace("Root cause identified", "Root cause identified: PWNED"))
    assert run(capsys, str(draft), "--incident", INCIDENT)[0] == 0
    patterns = tmp_path / "patterns.tsv"
    patterns.write_text("\\bpwned\\b\ta word injected prompts ask for\n")
    code, out, _ = run(capsys, str(draft), "--incident", INCIDENT, "--instructions", str(patterns), "--json")
    assert code == 1
    [found] = json.loads(out)["findings"]
    assert (found["rule"], found["severity"], found["line"]) == ("prompt-injection", "error", 10)
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab\n")
    code, _, err = run(capsys, str(draft), "--incident", INCIDENT, "--instructions", str(bad))
    assert code == 2
    assert f"postmortem check: error: {bad}:1: expected 'pattern<TAB>what it is', got 'no tab'" in err


def test_ignore_sets_a_finding_aside_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    draft = flawed("jargon__kubernetes")
    code, out, _ = run(
        capsys, draft, "--incident", INCIDENT, "--ignore", "jargon=we sell Kubernetes", "--json"
    )
    payload = json.loads(out)
    assert (code, payload["findings"], payload["warnings"]) == (0, [], 0)
    assert {f["reason"] for f in payload["ignored"]} == {"we sell Kubernetes"}
    code, out, _ = run(capsys, draft, "--incident", INCIDENT, "--ignore", "jargon:16=on that line")
    assert out.startswith(f"{draft}: 0 errors, 0 warnings\n")
    assert "\nIgnored, with the author's reasons (4)\n" in out
    assert f"  {draft}:16: ignored [jargon] 'Redis' is jargon\n      Reason: on that line\n" in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [("jargon:16", "say why the finding can be ignored"), ("jargn=why", "no review rule 'jargn' to ignore")],
)
def test_an_ignore_needs_a_rule_and_a_reason(
    capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    code, out, err = run(capsys, GOOD, "--incident", INCIDENT, "--ignore", spec)
    assert (code, out) == (2, "")
    assert message in err


def test_a_saved_versions_ignores_apply(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from postmortem_widgets.store import DraftStore

    incident = tmp_path / "incident.yaml"
    incident.write_bytes(Path(INCIDENT).read_bytes())
    text = Path(flawed("person-name__role-and-first-name")).read_text(encoding="utf-8")
    ignore = {"rule": "person-name", "line": 20, "reason": "Jordan asked to be thanked by name", "text": ""}
    version = DraftStore.for_incident(incident).save(text, ignores=[ignore])
    code, out, _ = run(capsys, str(version.path), "--incident", str(incident), "--json")
    payload = json.loads(out)
    assert (code, payload["errors"]) == (0, 0)
    assert [f["reason"] for f in payload["ignored"]] == ["Jordan asked to be thanked by name"]
    other = tmp_path / "edited.md"
    other.write_text(text + "\nOne more line.\n", encoding="utf-8")  # another text: its own review
    assert run(capsys, str(other), "--incident", str(incident))[0] == 1
