"""assetbridge core: assets, the in-process runner, run storage and the status questions.

Names are imported on first use (PEP 562), so ``assetbridge --help`` and ``import bridge``
stay fast; type checkers see ordinary imports.

Examples:
    >>> from bridge import asset, materialize
    >>> @asset
    ... def greeting() -> str: return "hello"
    >>> materialize([greeting]).output_for("greeting")
    'hello'
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bridge._asset import Asset, SourceAsset, asset, multi_asset
    from bridge._graph import AssetGraph
    from bridge._impact import changed_assets_since, impacted_assets
    from bridge._keys import AssetKey
    from bridge._partitions import (
        DailyPartitions,
        HourlyPartitions,
        MonthlyPartitions,
        PartitionsDefinition,
        StaticPartitions,
    )
    from bridge._selection import select
    from bridge._spec import AssetSpec, RetryPolicy
    from bridge._status import AssetStatusReport, asset_statuses, provenance, refresh_plan
    from bridge._types import AssetOutcome, AssetStatus, RunStatus, TriggerRule
    from bridge.containers import ContainerTask, SubprocessContainerRunner, context_value
    from bridge.io import (
        FilesystemIOManager,
        InMemoryIOManager,
        IOManager,
        SqlTableIOManager,
    )
    from bridge.runner import AssetContext, RunOptions, RunResult, SkipAsset, materialize
    from bridge.runner._backfill import BackfillResult, backfill
    from bridge.storage import InMemoryStore, SqlStore, Store

__all__ = [
    "Asset",
    "AssetContext",
    "AssetGraph",
    "AssetKey",
    "AssetOutcome",
    "AssetSpec",
    "AssetStatus",
    "AssetStatusReport",
    "BackfillResult",
    "ContainerTask",
    "DailyPartitions",
    "FilesystemIOManager",
    "HourlyPartitions",
    "IOManager",
    "InMemoryIOManager",
    "InMemoryStore",
    "MonthlyPartitions",
    "PartitionsDefinition",
    "RetryPolicy",
    "RunOptions",
    "RunResult",
    "RunStatus",
    "SkipAsset",
    "SourceAsset",
    "SqlStore",
    "SqlTableIOManager",
    "StaticPartitions",
    "Store",
    "SubprocessContainerRunner",
    "TriggerRule",
    "asset",
    "asset_statuses",
    "backfill",
    "changed_assets_since",
    "context_value",
    "impacted_assets",
    "materialize",
    "multi_asset",
    "provenance",
    "refresh_plan",
    "select",
]

_HOMES = {
    "bridge._asset": ("Asset", "SourceAsset", "asset", "multi_asset"),
    "bridge._graph": ("AssetGraph",),
    "bridge._impact": ("changed_assets_since", "impacted_assets"),
    "bridge._keys": ("AssetKey",),
    "bridge._partitions": ("DailyPartitions", "HourlyPartitions", "MonthlyPartitions",
                           "PartitionsDefinition", "StaticPartitions"),
    "bridge._selection": ("select",),
    "bridge._spec": ("AssetSpec", "RetryPolicy"),
    "bridge._status": ("AssetStatusReport", "asset_statuses", "provenance", "refresh_plan"),
    "bridge._types": ("AssetOutcome", "AssetStatus", "RunStatus", "TriggerRule"),
    "bridge.containers": ("ContainerTask", "SubprocessContainerRunner", "context_value"),
    "bridge.io": ("FilesystemIOManager", "IOManager", "InMemoryIOManager",
                  "SqlTableIOManager"),
    "bridge.runner": ("AssetContext", "RunOptions", "RunResult", "SkipAsset", "materialize"),
    "bridge.runner._backfill": ("BackfillResult", "backfill"),
    "bridge.storage": ("InMemoryStore", "SqlStore", "Store"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

logging.getLogger("assetbridge").addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'bridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
