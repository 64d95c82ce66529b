"""Results of a run: per-asset outcomes, and values read back through the I/O managers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bridge._keys import AssetKey
from bridge._types import AssetOutcome, RunStatus
from bridge.errors import BridgeError

__all__ = ["AssetResult", "RunResult"]


@dataclass(frozen=True, slots=True)
class AssetResult:
    """What happened to one asset in a run."""

    key: AssetKey
    outcome: AssetOutcome
    partition: str | None = None
    seconds: float = 0.0
    #: one-line reason for a failure or a skip
    error: str | None = None
    #: the full traceback of a failure
    traceback: str | None = None
    logs: str | None = None
    attempts: int = 1
    #: the error of a failure: AssetExecutionError (``.asset_key``, ``.original``, cause
    #: chained) for user code, another BridgeError for missing inputs or bad outputs
    exception: BridgeError | None = field(default=None, compare=False)
    #: skipped because an upstream failed (Airflow's ``upstream_failed``)
    upstream_failed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The ``assets[]`` entry of ``assetbridge run --json``."""
        return {
            "key": str(self.key), "outcome": self.outcome.value, "partition": self.partition,
            "seconds": round(self.seconds, 6), "error": self.error,
        }


@dataclass(frozen=True)
class RunResult:
    """The outcome of :func:`bridge.materialize`. It never raises for user failures."""

    run_id: str
    status: RunStatus
    #: per asset, in execution order
    assets: dict[AssetKey, AssetResult]
    _loader: Callable[[AssetKey, str | None], Any] = field(repr=False)

    @property
    def success(self) -> bool:
        """True when every asset in the run succeeded."""
        return self.status is RunStatus.SUCCESS

    @property
    def failures(self) -> list[AssetResult]:
        """The assets that failed (not those skipped because of them)."""
        return [r for r in self.assets.values() if r.outcome is AssetOutcome.FAILED]

    def raise_on_failure(self) -> RunResult:
        """Raise the first failure's error (AssetExecutionError for user code); else return
        self, so tests can write ``materialize(...).raise_on_failure()``."""
        for failure in self.failures:
            if failure.exception is not None:
                raise failure.exception
        return self

    def result_for(self, key: AssetKey | str) -> AssetResult:
        """The outcome of one asset."""
        return self.assets[AssetKey.from_user(key)]

    def output_for(self, key: AssetKey | str, partition: str | None = None) -> Any:
        """The value an asset produced, read back through its I/O manager."""
        asset_key = AssetKey.from_user(key)
        result = self.assets.get(asset_key)
        if result is None:
            from bridge.errors import SelectionError

            raise SelectionError(f"asset {str(asset_key)!r} was not part of run {self.run_id!r}")
        return self._loader(asset_key, partition if partition is not None else result.partition)

    def to_json(self) -> dict[str, Any]:
        """The ``assetbridge run --json`` document."""
        return {
            "run_id": self.run_id, "success": self.success,
            "assets": [r.to_json() for r in sorted(self.assets.values(), key=lambda r: r.key)],
        }
