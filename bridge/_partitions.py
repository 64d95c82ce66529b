"""Partitions: time windows (daily, hourly, monthly) and static sets of keys."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import ClassVar

from bridge.errors import PartitionError

__all__ = [
    "DailyPartitions",
    "HourlyPartitions",
    "MonthlyPartitions",
    "PartitionsDefinition",
    "StaticPartitions",
    "TimeWindowPartitions",
]


class PartitionsDefinition(abc.ABC):
    """The set of partition keys an asset is split into."""

    @abc.abstractmethod
    def keys(self) -> list[str]:
        """All partition keys, in order."""

    def validate(self, key: str) -> str:
        """Return ``key`` if it is one of this definition's keys, else raise PartitionError."""
        if key not in self._key_set():
            raise PartitionError(
                f"partition {key!r} is not in {self!r}; valid keys look like {self.keys()[:1]}"
            )
        return key

    def keys_between(self, start: str, end: str) -> list[str]:
        """Keys from ``start`` to ``end`` inclusive, in order.

        Examples:
            >>> StaticPartitions(["a", "b", "c"]).keys_between("a", "b")
            ['a', 'b']
        """
        keys = self.keys()
        self.validate(start)
        self.validate(end)
        first, last = keys.index(start), keys.index(end)
        if first > last:
            raise PartitionError(f"partition range {start!r}..{end!r} is empty: start is after end")
        return keys[first : last + 1]

    def _key_set(self) -> frozenset[str]:
        return frozenset(self.keys())

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


class StaticPartitions(PartitionsDefinition):
    """A fixed list of partition keys (regions, customers, ...).

    Examples:
        >>> StaticPartitions(["eu", "us"]).keys()
        ['eu', 'us']
    """

    def __init__(self, keys: Sequence[str]) -> None:
        if len(set(keys)) != len(keys) or not keys:
            raise PartitionError("StaticPartitions needs a non-empty list of distinct keys")
        self._keys = [str(key) for key in keys]

    def keys(self) -> list[str]:
        return list(self._keys)

    def __repr__(self) -> str:
        return f"StaticPartitions({self._keys!r})"


class TimeWindowPartitions(PartitionsDefinition):
    """Partitions that are consecutive time windows from ``start`` up to ``end`` (or now)."""

    #: strftime format of the keys
    fmt: ClassVar[str] = "%Y-%m-%d"

    def __init__(self, start: str | datetime, end: str | datetime | None = None) -> None:
        self.start = self._to_datetime(start)
        self.end = self._to_datetime(end) if end is not None else None

    @abc.abstractmethod
    def _next(self, window_start: datetime) -> datetime:
        """The start of the window after the one starting at ``window_start``."""

    def _to_datetime(self, value: str | datetime) -> datetime:
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = datetime.strptime(value, self.fmt)
            except ValueError:
                try:
                    parsed = datetime.fromisoformat(value)
                except ValueError:
                    raise PartitionError(
                        f"{value!r} is not a date for {type(self).__name__}; "
                        f"use the format {self.fmt!r}"
                    ) from None
        # align to the start of its window: a 12:00 daily start or a 00:30 hourly key is none
        return self._align(parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc))

    def _align(self, moment: datetime) -> datetime:
        """The start of the window ``moment`` falls in."""
        aligned = datetime.strptime(moment.strftime(self.fmt), self.fmt)
        return aligned.replace(tzinfo=moment.tzinfo)

    def keys(self) -> list[str]:
        limit = self.end or datetime.now(timezone.utc)
        keys: list[str] = []
        current = self.start
        while self._next(current) <= limit:
            keys.append(current.strftime(self.fmt))
            current = self._next(current)
        return keys

    def validate(self, key: str) -> str:
        start = self._to_datetime(key)
        if start.strftime(self.fmt) != key or start < self.start:
            raise PartitionError(
                f"partition {key!r} is not a window of {self!r}; use the format {self.fmt!r}"
            )
        if self.end is not None and self._next(start) > self.end:
            raise PartitionError(f"partition {key!r} is after the end of {self!r}")
        return key

    def keys_between(self, start: str, end: str) -> list[str]:
        first, last = self._to_datetime(self.validate(start)), self._to_datetime(self.validate(end))
        if first > last:
            raise PartitionError(f"partition range {start!r}..{end!r} is empty: start is after end")
        keys = []
        while first <= last:
            keys.append(first.strftime(self.fmt))
            first = self._next(first)
        return keys

    def time_window(self, key: str) -> tuple[datetime, datetime]:
        """The ``[start, end)`` window of a partition key (Airflow's data interval).

        Examples:
            >>> start, end = DailyPartitions(start="2024-01-01").time_window("2024-01-02")
            >>> (start.isoformat(), end.isoformat())
            ('2024-01-02T00:00:00+00:00', '2024-01-03T00:00:00+00:00')
        """
        start = self._to_datetime(self.validate(key))
        return start, self._next(start)

    def __repr__(self) -> str:
        end = f", end={self.end.strftime(self.fmt)!r}" if self.end else ""
        return f"{type(self).__name__}(start={self.start.strftime(self.fmt)!r}{end})"


class DailyPartitions(TimeWindowPartitions):
    """One partition per day, keyed ``YYYY-MM-DD``.

    Examples:
        >>> DailyPartitions(start="2024-01-01", end="2024-01-04").keys()
        ['2024-01-01', '2024-01-02', '2024-01-03']
    """

    fmt = "%Y-%m-%d"

    def _next(self, window_start: datetime) -> datetime:
        return window_start + timedelta(days=1)


class HourlyPartitions(TimeWindowPartitions):
    """One partition per hour, keyed ``YYYY-MM-DDTHH:00``.

    Examples:
        >>> HourlyPartitions(start="2024-01-01T00:00", end="2024-01-01T02:00").keys()
        ['2024-01-01T00:00', '2024-01-01T01:00']
    """

    fmt = "%Y-%m-%dT%H:%M"

    def _align(self, moment: datetime) -> datetime:
        return moment.replace(minute=0, second=0, microsecond=0)

    def _next(self, window_start: datetime) -> datetime:
        return window_start + timedelta(hours=1)


class MonthlyPartitions(TimeWindowPartitions):
    """One partition per calendar month, keyed ``YYYY-MM``.

    Examples:
        >>> MonthlyPartitions(start="2024-11", end="2025-02").keys()
        ['2024-11', '2024-12', '2025-01']
    """

    fmt = "%Y-%m"

    def _next(self, window_start: datetime) -> datetime:
        year, month = divmod(window_start.month, 12)
        return window_start.replace(year=window_start.year + year, month=month + 1)
