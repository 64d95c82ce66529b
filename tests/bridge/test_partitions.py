"""Partitions: daily, hourly and monthly windows, and static key sets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bridge import (
    DailyPartitions,
    HourlyPartitions,
    MonthlyPartitions,
    PartitionsDefinition,
    StaticPartitions,
)
from bridge.errors import BridgeError, PartitionError

UTC = timezone.utc


# --- daily -------------------------------------------------------------------------------


def test_daily_keys_stop_before_the_end() -> None:
    daily = DailyPartitions(start="2024-02-27", end="2024-03-02")
    assert daily.keys() == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]


def test_daily_with_end_equal_to_start_is_empty() -> None:
    assert DailyPartitions(start="2024-01-01", end="2024-01-01").keys() == []


def test_daily_without_end_runs_until_the_last_complete_day() -> None:
    keys = DailyPartitions(start=datetime.now(UTC) - timedelta(days=5)).keys()
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")
    assert 4 <= len(keys) <= 5
    assert three_days_ago in keys
    assert today not in keys, "today's window is not complete yet"
    assert keys == sorted(keys)


def test_daily_start_may_be_a_datetime() -> None:
    daily = DailyPartitions(start=datetime(2024, 1, 1), end=datetime(2024, 1, 3, tzinfo=UTC))
    assert daily.keys() == ["2024-01-01", "2024-01-02"]
    assert daily.start == datetime(2024, 1, 1, tzinfo=UTC)


def test_daily_start_inside_a_day_is_aligned_to_that_day() -> None:
    daily = DailyPartitions(start="2024-01-01T12:00", end="2024-01-03")
    assert daily.keys() == ["2024-01-01", "2024-01-02"]
    assert daily.validate("2024-01-01") == "2024-01-01"


def test_daily_validate_returns_the_key() -> None:
    assert DailyPartitions(start="2024-01-01").validate("2024-03-05") == "2024-03-05"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("2024/01/02", "not a date for DailyPartitions; use the format '%Y-%m-%d'"),
        ("yesterday", "not a date"),
        ("", "not a date"),
        ("2024-1-2", "not a window of DailyPartitions"),
        ("2024-01-02T05:00", "not a window of DailyPartitions"),
        ("2023-12-31", "not a window of DailyPartitions"),
        ("2024-01-10", "after the end of DailyPartitions"),
        ("2024-01-09", "after the end"),
    ],
)
def test_daily_validate_rejects(key: str, message: str) -> None:
    daily = DailyPartitions(start="2024-01-01", end="2024-01-09")
    with pytest.raises(PartitionError, match=message):
        daily.validate(key)


def test_last_daily_window_before_the_end_is_valid() -> None:
    daily = DailyPartitions(start="2024-01-01", end="2024-01-09")
    assert daily.validate("2024-01-08") == "2024-01-08"
    assert daily.keys()[-1] == "2024-01-08"


def test_partition_error_is_a_bridge_error() -> None:
    with pytest.raises(BridgeError):
        DailyPartitions(start="2024-01-01").validate("nope")


def test_invalid_start_raises_partition_error() -> None:
    with pytest.raises(PartitionError, match=r"'first of may' is not a date for DailyPartitions"):
        DailyPartitions(start="first of may")


def test_daily_keys_between_crosses_months_and_years() -> None:
    daily = DailyPartitions(start="2020-01-01")
    assert daily.keys_between("2023-12-30", "2024-01-02") == [
        "2023-12-30", "2023-12-31", "2024-01-01", "2024-01-02",
    ]
    assert daily.keys_between("2024-02-28", "2024-03-01") == [
        "2024-02-28", "2024-02-29", "2024-03-01",
    ]
    assert daily.keys_between("2024-05-05", "2024-05-05") == ["2024-05-05"]


def test_keys_between_rejects_reversed_ranges() -> None:
    with pytest.raises(PartitionError, match=r"'2024-01-05'\.\.'2024-01-01' is empty"):
        DailyPartitions(start="2024-01-01").keys_between("2024-01-05", "2024-01-01")


def test_keys_between_validates_both_ends() -> None:
    daily = DailyPartitions(start="2024-01-01", end="2024-02-01")
    with pytest.raises(PartitionError, match="'2023-12-31' is not a window"):
        daily.keys_between("2023-12-31", "2024-01-03")
    with pytest.raises(PartitionError, match="'2024-02-01' is after the end"):
        daily.keys_between("2024-01-03", "2024-02-01")


def test_daily_time_window() -> None:
    start, end = DailyPartitions(start="2024-01-01").time_window("2024-02-29")
    assert start == datetime(2024, 2, 29, tzinfo=UTC)
    assert end == datetime(2024, 3, 1, tzinfo=UTC)
    assert start.tzinfo is not None


def test_time_window_validates_the_key() -> None:
    with pytest.raises(PartitionError, match="not a window"):
        DailyPartitions(start="2024-01-01").time_window("2023-06-01")


# --- hourly ------------------------------------------------------------------------------


def test_hourly_keys_use_hours_and_minutes() -> None:
    hourly = HourlyPartitions(start="2024-01-01T22:00", end="2024-01-02T01:00")
    assert hourly.keys() == ["2024-01-01T22:00", "2024-01-01T23:00", "2024-01-02T00:00"]


def test_hourly_start_may_be_a_date() -> None:
    hourly = HourlyPartitions(start="2024-01-01", end="2024-01-01T02:00")
    assert hourly.keys() == ["2024-01-01T00:00", "2024-01-01T01:00"]


def test_hourly_start_inside_an_hour_is_aligned_to_that_hour() -> None:
    hourly = HourlyPartitions(start="2024-01-01T00:30", end="2024-01-01T02:00")
    assert hourly.keys() == ["2024-01-01T00:00", "2024-01-01T01:00"]


@pytest.mark.parametrize(
    "key", ["2024-01-01T00:30", "2024-01-01 01:00", "2024-01-01", "2024-01-01T1:00"]
)
def test_hourly_validate_rejects_keys_that_are_not_hour_windows(key: str) -> None:
    with pytest.raises(PartitionError, match=r"use the format '%Y-%m-%dT%H:%M'"):
        HourlyPartitions(start="2024-01-01T00:00").validate(key)


def test_hourly_keys_between_and_time_window() -> None:
    hourly = HourlyPartitions(start="2024-01-01T00:00")
    assert hourly.keys_between("2024-03-31T23:00", "2024-04-01T01:00") == [
        "2024-03-31T23:00", "2024-04-01T00:00", "2024-04-01T01:00",
    ]
    assert hourly.time_window("2024-12-31T23:00") == (
        datetime(2024, 12, 31, 23, tzinfo=UTC), datetime(2025, 1, 1, 0, tzinfo=UTC),
    )


# --- monthly -----------------------------------------------------------------------------


def test_monthly_keys_roll_over_december() -> None:
    monthly = MonthlyPartitions(start="2023-10", end="2024-03")
    assert monthly.keys() == ["2023-10", "2023-11", "2023-12", "2024-01", "2024-02"]


def test_monthly_time_window_from_december_ends_in_january() -> None:
    start, end = MonthlyPartitions(start="2024-01").time_window("2024-12")
    assert start == datetime(2024, 12, 1, tzinfo=UTC)
    assert end == datetime(2025, 1, 1, tzinfo=UTC)


def test_monthly_time_window_spans_the_whole_month() -> None:
    start, end = MonthlyPartitions(start="2024-01").time_window("2024-02")
    assert (end - start).days == 29


def test_monthly_keys_between_over_new_year() -> None:
    monthly = MonthlyPartitions(start="2020-01")
    assert monthly.keys_between("2024-11", "2025-02") == [
        "2024-11", "2024-12", "2025-01", "2025-02",
    ]


def test_monthly_start_late_in_a_month_is_aligned_to_the_first() -> None:
    monthly = MonthlyPartitions(start=datetime(2024, 1, 31), end="2024-04")
    assert monthly.keys() == ["2024-01", "2024-02", "2024-03"]
    assert monthly.validate("2024-01") == "2024-01"


@pytest.mark.parametrize("key", ["2024-13", "2024-1", "2024-01-01", "2023-12", "24-01"])
def test_monthly_validate_rejects(key: str) -> None:
    with pytest.raises(PartitionError, match=repr(key)):
        MonthlyPartitions(start="2024-01").validate(key)


# --- static ------------------------------------------------------------------------------


def test_static_keys_keep_their_order() -> None:
    regions = StaticPartitions(["us", "eu", "apac"])
    assert regions.keys() == ["us", "eu", "apac"]
    assert regions.keys_between("eu", "apac") == ["eu", "apac"]
    assert regions.keys_between("us", "us") == ["us"]


def test_static_keys_returns_a_copy() -> None:
    regions = StaticPartitions(["us", "eu"])
    regions.keys().append("mars")
    assert regions.keys() == ["us", "eu"]


def test_static_validate() -> None:
    regions = StaticPartitions(["us", "eu"])
    assert regions.validate("eu") == "eu"
    with pytest.raises(PartitionError, match=r"partition 'mars' is not in StaticPartitions\("):
        regions.validate("mars")
    with pytest.raises(PartitionError, match="'EU' is not in"):
        regions.validate("EU")


def test_static_keys_between_rejects_reversed_and_unknown() -> None:
    regions = StaticPartitions(["us", "eu", "apac"])
    with pytest.raises(PartitionError, match="is empty: start is after end"):
        regions.keys_between("apac", "us")
    with pytest.raises(PartitionError, match="'mars' is not in"):
        regions.keys_between("us", "mars")


@pytest.mark.parametrize("keys", [[], ["a", "a"], ["eu", "us", "eu"]])
def test_static_needs_distinct_keys(keys: list[str]) -> None:
    with pytest.raises(PartitionError, match="non-empty list of distinct keys"):
        StaticPartitions(keys)


def test_static_partitions_have_no_time_window() -> None:
    assert not hasattr(StaticPartitions(["a"]), "time_window")


# --- identity ----------------------------------------------------------------------------


def test_repr() -> None:
    assert repr(DailyPartitions(start="2024-01-01")) == "DailyPartitions(start='2024-01-01')"
    assert (
        repr(HourlyPartitions(start="2024-01-01T05:00", end="2024-01-02T00:00"))
        == "HourlyPartitions(start='2024-01-01T05:00', end='2024-01-02T00:00')"
    )
    assert repr(MonthlyPartitions(start="2024-03")) == "MonthlyPartitions(start='2024-03')"
    assert repr(StaticPartitions(["a", "b"])) == "StaticPartitions(['a', 'b'])"


def test_equality_and_hash() -> None:
    assert DailyPartitions(start="2024-01-01") == DailyPartitions(start=datetime(2024, 1, 1))
    assert DailyPartitions(start="2024-01-01") != DailyPartitions(start="2024-01-02")
    assert DailyPartitions(start="2024-01-01") != DailyPartitions(
        start="2024-01-01", end="2024-02-01"
    )
    assert DailyPartitions(start="2024-01-01") != HourlyPartitions(start="2024-01-01")
    assert StaticPartitions(["a", "b"]) == StaticPartitions(["a", "b"])
    assert StaticPartitions(["a", "b"]) != StaticPartitions(["b", "a"])
    assert len({DailyPartitions(start="2024-01-01"), DailyPartitions(start="2024-01-01")}) == 1


def test_every_definition_is_a_partitions_definition() -> None:
    for definition in [
        DailyPartitions(start="2024-01-01"),
        HourlyPartitions(start="2024-01-01"),
        MonthlyPartitions(start="2024-01"),
        StaticPartitions(["a"]),
    ]:
        assert isinstance(definition, PartitionsDefinition)
