"""Runner hooks: observe a run (progress bars, notifications) without changing it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from bridge._keys import AssetKey

if TYPE_CHECKING:
    from bridge.runner._result import AssetResult, RunResult

__all__ = ["RunHooks"]


class RunHooks(Protocol):
    """Callbacks the runner calls; every argument is keyword-only and ``**_`` keeps them
    compatible with arguments added later.
    """

    def on_run_start(self, *, run_id: str, keys: list[AssetKey], **_: Any) -> None:
        """Called once before the first asset."""

    def before_asset(self, *, key: AssetKey, run_id: str, **_: Any) -> None:
        """Called before an asset's function runs."""

    def after_asset(self, *, result: AssetResult, run_id: str, **_: Any) -> None:
        """Called after each asset, whatever its outcome."""

    def on_run_end(self, *, result: RunResult, **_: Any) -> None:
        """Called once after the run is recorded."""
