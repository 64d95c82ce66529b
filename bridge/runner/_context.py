"""The ``context`` an asset function may ask for, and its captured log."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge._keys import AssetKey
from bridge._spec import AssetSpec

__all__ = ["AssetContext", "AssetLog"]

_LOGGER = logging.getLogger("assetbridge.assets")


class AssetLog:
    """A logger-like object that keeps each line for the run record and forwards it.

    Examples:
        >>> log = AssetLog("sales/revenue")
        >>> log.info("rows: %d", 3)
        >>> log.lines[0].endswith("INFO rows: 3")
        True
    """

    def __init__(self, asset_key: str) -> None:
        self.asset_key = asset_key
        #: every line logged, formatted ``HH:MM:SS LEVEL message``
        self.lines: list[str] = []

    def _log(self, level: int, message: str, args: tuple[Any, ...]) -> None:
        text = message % args if args else message
        stamp = time.strftime("%H:%M:%S")
        self.lines.append(f"{stamp} {logging.getLevelName(level)} {text}")
        if _LOGGER.isEnabledFor(level):
            _LOGGER.log(level, "[%s] %s", self.asset_key, text)

    def debug(self, message: str, *args: Any) -> None:
        """Log at DEBUG level."""
        self._log(logging.DEBUG, message, args)

    def info(self, message: str, *args: Any) -> None:
        """Log at INFO level."""
        self._log(logging.INFO, message, args)

    def warning(self, message: str, *args: Any) -> None:
        """Log at WARNING level."""
        self._log(logging.WARNING, message, args)

    def error(self, message: str, *args: Any) -> None:
        """Log at ERROR level."""
        self._log(logging.ERROR, message, args)

    def text(self) -> str | None:
        """All lines joined, or None when nothing was logged."""
        return "\n".join(self.lines) if self.lines else None


@dataclass(frozen=True)
class AssetContext:
    """What an asset function receives through a parameter named ``context``."""

    #: the asset being materialized (the first output of a multi-asset)
    asset_key: AssetKey
    spec: AssetSpec
    run_id: str
    #: the partition key, or None for unpartitioned assets
    partition: str | None
    #: the validated config model, or None
    config: Any
    log: AssetLog
    #: 1 for the first try, 2 for the first retry, ...
    attempt: int = 1
    #: free-form values a runner extension passes along (e.g. an Airflow task context)
    extras: dict[str, Any] = field(default_factory=dict)
    #: downstream keys this step asked to skip (see :meth:`skip_downstream`)
    skipped_downstream: list[AssetKey] = field(default_factory=list)

    def skip_downstream(self, *keys: AssetKey | str) -> None:
        """Skip these downstream assets in this run (a branch not taken, a short-circuit);
        their own downstream assets then follow their trigger rules."""
        self.skipped_downstream.extend(AssetKey.from_user(key) for key in keys)

    @property
    def partition_time_window(self) -> tuple[datetime, datetime] | None:
        """The ``[start, end)`` window of a time partition, or None."""
        from bridge._partitions import TimeWindowPartitions

        partitions = self.spec.partitions
        if self.partition is None or not isinstance(partitions, TimeWindowPartitions):
            return None
        return partitions.time_window(self.partition)
