import pandas as pd
import pytest

from postmortem_widgets.errors import NaiveTimeError, TimestampError, TimeZoneError
from postmortem_widgets.timeline.timeparse import parse_times, resolve_zone, zone_label


def test_aliases_resolve_to_iana_zones() -> None:
    assert resolve_zone("ET").key == "America/New_York"
    assert resolve_zone("pt").key == "America/Los_Angeles"
    assert resolve_zone("Europe/Berlin").key == "Europe/Berlin"


def test_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(TimeZoneError) as err:
        resolve_zone("Berlin")
    assert "unknown time zone 'Berlin'" in str(err.value)
    assert "Europe/Berlin" in str(err.value)


def test_zone_label_is_the_generic_abbreviation() -> None:
    summer = pd.Timestamp("2024-07-01T12:00Z")
    assert zone_label(resolve_zone("America/New_York"), summer) == "ET"
    assert zone_label(resolve_zone("Europe/Berlin"), summer) == "CEST"


def test_iso_with_mixed_offsets() -> None:
    parsed = parse_times(
        pd.Series(["2024-04-15T09:14:00-04:00", "2024-04-15T13:42:00Z", "2024-04-15 15:47:00+0200"]),
        tz=None,
        file="f.csv",
        column="time",
    )
    assert [t.isoformat() for t in parsed.times] == [
        "2024-04-15T13:14:00+00:00",
        "2024-04-15T13:42:00+00:00",
        "2024-04-15T13:47:00+00:00",
    ]
    assert parsed.warnings == []


def test_naive_times_need_a_zone_and_name_file_and_column() -> None:
    with pytest.raises(NaiveTimeError) as err:
        parse_times(pd.Series(["2024-04-15 09:14:00"]), tz=None, file="tickets.csv", column="Created at")
    text = str(err.value)
    assert "tickets.csv" in text and "'Created at'" in text and "--tz" in text


def test_naive_times_are_read_in_the_given_zone() -> None:
    parsed = parse_times(pd.Series(["2024-04-15 09:14:00"]), tz="America/New_York", file="f", column="t")
    assert parsed.times[0] == pd.Timestamp("2024-04-15T13:14:00Z")


@pytest.mark.parametrize(
    "value",
    [1713186840, 1713186840000, 1713186840000000, 1713186840000000000, "1713186840.000200"],
)
def test_epoch_unit_is_read_from_magnitude(value: object) -> None:
    parsed = parse_times(pd.Series([value]), tz=None, file="f", column="ts")
    assert parsed.times[0].floor("s") == pd.Timestamp("2024-04-15T13:14:00Z")


def test_mixed_epoch_units_import_with_a_warning() -> None:
    parsed = parse_times(pd.Series([1713186840, 1713186900000]), tz=None, file="f", column="ts")
    assert list(parsed.times) == [pd.Timestamp("2024-04-15T13:14:00Z"), pd.Timestamp("2024-04-15T13:15:00Z")]
    assert parsed.warnings == ["mixed epoch units (s, ms); each value was converted by its magnitude"]


def test_out_of_range_values_are_left_out_with_their_rows() -> None:
    parsed = parse_times(
        pd.Series(["2024-04-15T13:14:00Z", "1970-01-01T00:00:00Z", "2024-04-15T13:20:00Z"]),
        tz=None,
        file="f",
        column="time",
        first_row=2,
    )
    assert parsed.dropped == [1]
    assert pd.isna(parsed.times[1])
    assert "rows 3" in parsed.warnings[0] and "outside 1990-2100" in parsed.warnings[0]


def test_unparseable_values_give_their_rows() -> None:
    with pytest.raises(TimestampError) as err:
        parse_times(
            pd.Series(["2024-04-15T13:14:00Z", "soon", "later"]),
            tz=None,
            file="f.csv",
            column="time",
            first_row=2,
        )
    assert err.value.rows == [3, 4]
    assert "rows 3, 4" in str(err.value)
