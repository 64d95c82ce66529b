"""``AssetOperator``: the Airflow 3 task of an exported asset.

It renders nothing (``template_fields`` is empty: asset keys, descriptions and config are
data, never Jinja), runs :func:`translators.export.runtime.run_task` in the task's process
and returns the small materialization record, which Airflow keeps in XCom. Each outlet's
asset event carries the bridge run id, partition, code and data version in its extra.

The class is built on first access (``from translators.export.operator import
AssetOperator``), so importing this module does not import Airflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

__all__ = ["AssetOperator"]

if TYPE_CHECKING:
    AssetOperator: type[Any]


def _build() -> type[Any]:
    from airflow.sdk import BaseOperator

    class AssetOperator(BaseOperator):  # type: ignore[misc]  # untyped base under mypy
        """Materialize one asset definition through assetbridge.

        Args:
            asset_keys: the keys the definition produces (several for a multi-asset).
            assets: the asset file or module to load at run time.
            env: the assetbridge.toml environment whose resources to use.
            store: run storage URL (``${VAR}`` read at run time); default in
                ``$ASSETBRIDGE_HOME``.
            partition: a static partition key (set by ``.expand(partition=[...])``).
            time_partitioned: the partition is the data interval's start.
            param: the DAG param holding the asset's run config.
            code_version: the asset's code version (shown on the task).
        """

        template_fields: Sequence[str] = ()
        ui_color = "#dbeafe"

        def __init__(self, *, asset_keys: Sequence[str], assets: str, env: str | None = None,
                     store: str | None = None, partition: str | None = None,
                     time_partitioned: bool = False, param: str | None = None,
                     code_version: str | None = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.asset_keys = list(asset_keys)
            self.assets = assets
            self.env = env
            self.store = store
            self.partition = partition
            self.time_partitioned = time_partitioned
            self.param = param
            self.code_version = code_version

        def execute(self, context: Any) -> dict[str, Any]:
            return _execute(self, context)

    AssetOperator.__module__ = __name__
    AssetOperator.__qualname__ = "AssetOperator"
    return AssetOperator


def _execute(operator: Any, context: Any) -> dict[str, Any]:
    from translators.export.runtime import run_task

    params = context.get("params") or {}
    config = params.get(operator.param) if operator.param else None
    record = run_task(
        assets=operator.assets, keys=operator.asset_keys, env=operator.env,
        store=operator.store, partition=operator.partition,
        data_interval_start=context.get("data_interval_start")
        if operator.time_partitioned else None,
        config=config or None, tags=_airflow_tags(context),
    )
    by_key = {item["key"]: item for item in record["assets"]}
    for outlet in operator.outlets:
        item = by_key.get(getattr(outlet, "name", None))
        if item is not None:
            context["outlet_events"][outlet].extra = {
                "assetbridge_run_id": record["run_id"], "partition": record["partition"],
                "code_version": item["code_version"], "data_version": item["data_version"],
            }
    return record


def _airflow_tags(context: Any) -> dict[str, str]:
    ti = context.get("ti")
    tags = {"airflow_dag_id": str(getattr(ti, "dag_id", "")),
            "airflow_run_id": str(context.get("run_id", "")),
            "airflow_task_id": str(getattr(ti, "task_id", ""))}
    if ti is not None:
        tags["airflow_try_number"] = str(getattr(ti, "try_number", ""))
        if getattr(ti, "map_index", -1) not in (-1, None):
            tags["airflow_map_index"] = str(ti.map_index)
    return tags


def __getattr__(name: str) -> Any:
    if name == "AssetOperator":
        built = _build()
        globals()[name] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
