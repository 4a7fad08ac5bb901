"""The author's fragments as customer sentences: every case in ``tests/data/prose/cases.tsv``, and the
word list's own errors."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from postmortem_widgets.errors import WordListError
from postmortem_widgets.writing.hints import field_hint
from postmortem_widgets.writing.prose import (
    action_clause,
    field_sentences,
    prevention_items,
    sentence,
    tidy,
    with_articles,
)
from postmortem_widgets.writing.wordlists import parse_words
from tests.support.paths import DATA

CASES = DATA / "prose" / "cases.tsv"


def _prevention(text: str) -> str:
    return " | ".join(f"{i.title}: {i.text}" if i.title else i.text for i in prevention_items(text))


FUNCTIONS: dict[str, Callable[[str], str]] = {
    "sentence": sentence,
    "tidy": tidy,
    "articles": with_articles,
    "clause": action_clause,
    "prevention": _prevention,
}


def _cases() -> list[tuple[int, str, str, str]]:
    rows = []
    for number, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            what, text, expected = line.split("\t")
            rows.append((number, what, text.replace("\\n", "\n"), expected))
    return rows


def test_the_case_file_holds_enough_cases() -> None:
    cases = _cases()
    assert len(cases) >= 30
    assert {what for _, what, _, _ in cases} >= {
        "remediation",
        "prevention",
        "tidy",
        "sentence",
        "data_impact",
    }


@pytest.mark.parametrize(("line", "what", "text", "expected"), _cases(), ids=lambda v: str(v)[:40])
def test_fragment_reads_as_a_customer_sentence(line: int, what: str, text: str, expected: str) -> None:
    make = FUNCTIONS.get(what)
    got = make(text) if make is not None else " | ".join(field_sentences(what, text))
    assert got == expected, f"cases.tsv line {line}"


@pytest.mark.parametrize(("line", "what", "text", "expected"), _cases(), ids=lambda v: str(v)[:40])
def test_no_name_number_or_time_is_changed(line: int, what: str, text: str, expected: str) -> None:
    """Every capitalised word, number and time of the author's text is in what the draft says."""
    words = re.sub(r"(?m)^\s*\d+[.)]\s", "", text)  # list markers are not the author's numbers
    kept = re.findall(r"\b(?:[A-Z][a-z]*[A-Z]\w*|[a-z]+[A-Z]\w*|\d[\w:.,%-]*\d|\d)\b", words)
    for token in kept:
        assert token in expected, f"cases.tsv line {line}: {token!r}"


def test_the_shipped_examples_read_as_the_seed_would() -> None:
    assert field_sentences(
        "remediation", "rolled back cache deployment and rebuilt cache layer from live database"
    ) == ["We rolled back the cache deployment and rebuilt the cache layer from the live database."]
    assert field_sentences("product_name", "Anchor Analytics") == []
    assert field_sentences("remediation", "") == []


def test_a_word_list_line_without_a_known_role_is_an_error_with_its_line() -> None:
    with pytest.raises(WordListError) as info:
        parse_words("# comment\npart\tcache\nnoun\tdatabase\n", name="words.tsv")
    assert (info.value.file, info.value.line) == ("words.tsv", 3)
    assert "expected 'role<TAB>words'" in str(info.value)
    assert parse_words("part\tcache Layer\n")["part"] == frozenset({"cache", "layer"})


def _hint_cases() -> list[tuple[int, str, str, str | None]]:
    rows: list[tuple[int, str, str, str | None]] = []
    for number, line in enumerate((DATA / "prose" / "hints.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            name, text, hint = line.split("\t")
            rows.append((number, name, text, None if hint == "-" else hint))
    return rows


@pytest.mark.parametrize(("line", "name", "text", "hint"), _hint_cases(), ids=lambda v: str(v)[:40])
def test_a_field_gets_the_hint_it_needs(line: int, name: str, text: str, hint: str | None) -> None:
    assert field_hint(name, text) == hint, f"hints.tsv line {line}"


def test_the_offline_summary_writes_our_service_in_lower_case_after_the_date() -> None:
    from postmortem_widgets.incident.record import parse_incident
    from postmortem_widgets.incident.timeline import incident_timeline
    from postmortem_widgets.writing.drafters import get_drafter

    incident = parse_incident(b"incident_date: 2024-04-15\nremediation: rolled back cache deployment\n")
    draft = get_drafter("offline").draft(incident, incident_timeline(incident))
    opening = "On April 15, 2024, our service experienced a service incident affecting some of our customers."
    assert f"\n{opening}" in draft
    assert "We rolled back the cache deployment." in draft
