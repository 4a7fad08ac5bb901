import pandas as pd
import pytest

from postmortem_widgets.errors import InputError, NaiveTimeError
from postmortem_widgets.timeline.importers import ImportOptions, import_source
from postmortem_widgets.timeline.sources import Source
from tests.support.paths import SEED_TIMELINE

ET = ImportOptions(tz="America/New_York", date="2024-04-15")


def times(result: object) -> list[str]:
    return [t.strftime("%H:%M") for t in result.events["time"]]  # type: ignore[attr-defined]


def test_seed_timeline_is_read_as_text_and_classified() -> None:
    source = Source("timeline.txt", SEED_TIMELINE.read_bytes())
    result = import_source(source, options=ET)
    assert result.format == "text" and result.handwritten
    assert times(result) == ["13:14", "13:42", "13:47", "14:15", "14:22", "15:47"]
    assert list(result.events["kind"]) == [
        "event",
        "customer_report",
        "acknowledged",
        "identified",
        "mitigated",
        "resolved",
    ]
    assert list(result.events["line"]) == [1, 2, 3, 4, 5, 6]


def test_bullets_bold_and_zone_labels_as_in_the_seed_output() -> None:
    text = (
        b"- **9:14am ET:** A routine cache update was deployed\n- **11:47am ET:** All dashboards restored\n"
    )
    result = import_source(Source("draft.md", text), options=ImportOptions(date="April 15, 2024"))
    assert times(result) == ["13:14", "15:47"]
    assert result.events["message"][0] == "A routine cache update was deployed"


def test_events_run_together_on_one_line_are_split() -> None:
    text = b"9:14am: Deploy completed 9:42am: First customer support ticket received 11:47am: Resolved"
    result = import_source(Source("pasted", text), format="text", options=ET)
    assert times(result) == ["13:14", "13:42", "15:47"]


def test_twenty_four_hour_and_dated_lines() -> None:
    text = b"[2024-04-15 23:50] Errors began\n00:10 - Rolled back\n"
    result = import_source(Source("t", text), format="text", options=ImportOptions(tz="UTC"))
    assert [str(t) for t in result.events["time"]] == [
        "2024-04-15 23:50:00+00:00",
        "2024-04-16 00:10:00+00:00",
    ]
    assert any("next day" in w for w in result.warnings)


def test_lines_without_a_time_are_reported_not_dropped_silently() -> None:
    result = import_source(
        Source("t", b"9:14am: Deploy\nsome note\n9:20am: Rolled back\n"), format="text", options=ET
    )
    assert result.count == 2
    assert result.warnings == ["1 line(s) without a leading time were skipped (lines 2)"]


def test_missing_date_and_zone_are_clear_errors() -> None:
    with pytest.raises(InputError, match="no date"):
        import_source(Source("t.txt", b"9:14am: Deploy"), format="text", options=ImportOptions(tz="UTC"))
    with pytest.raises(NaiveTimeError) as err:
        import_source(
            Source("t.txt", b"9:14am: Deploy"), format="text", options=ImportOptions(date="2024-04-15")
        )
    assert str(err.value).startswith("t.txt:1: times have no time zone")


def test_impossible_clock_time_names_the_line() -> None:
    with pytest.raises(InputError) as err:
        import_source(Source("t.txt", b"9:14am: Deploy\n13:14pm: Oops"), format="text", options=ET)
    assert err.value.line == 2


def test_negated_milestone_words_do_not_classify() -> None:
    result = import_source(
        Source("t", b"9:14am: Deploy done, issue not yet detected"), format="text", options=ET
    )
    assert list(result.events["kind"]) == ["event"]
    assert result.events["time"][0] == pd.Timestamp("2024-04-15T13:14:00Z")
