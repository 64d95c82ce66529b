"""The in-process runner."""

from __future__ import annotations

from bridge.runner._context import AssetContext, AssetLog
from bridge.runner._control import SkipAsset
from bridge.runner._hooks import RunHooks
from bridge.runner._materialize import RunOptions, materialize
from bridge.runner._result import AssetResult, RunResult

__all__ = ["AssetContext", "AssetLog", "AssetResult", "RunHooks", "RunOptions", "RunResult",
           "SkipAsset", "materialize"]
