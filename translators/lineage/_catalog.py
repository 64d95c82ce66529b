"""From DAGs to catalog entries: the translate logic, so imported keys match translated ones.

:func:`catalog_from_dags` runs :func:`translators.to_assets.dags_to_assets` over the DAGs an
import found (or the DAG files given with ``--dags``) and turns each contract record into a
:class:`~bridge.storage.CatalogAsset`. :class:`TaskAssets` then answers, for a task
instance or an asset event, which asset keys its history belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bridge._keys import AssetKey
from bridge.errors import DefinitionError
from bridge.storage import CatalogAsset
from translators.model import AssetRef, DagInfo, ReadResult
from translators.to_assets import SOURCE_GROUP, dags_to_assets
from translators.translator import airflow_asset_key

__all__ = ["TaskAssets", "catalog_from_dags", "task_key"]


@dataclass
class TaskAssets:
    """Which asset keys each Airflow task maintains, as the translated graph says."""

    #: (dag_id, task_id) -> keys, sorted
    keys: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: tasks with Asset outlets: their successes are recorded by Airflow's asset events
    with_outlets: set[tuple[str, str]] = field(default_factory=set)

    def of(self, dag_id: str, task_id: str) -> tuple[str, ...]:
        """The task's keys; a task the DAGs do not describe keeps ``dag_id/task_id``."""
        return self.keys.get((dag_id, task_id)) or (task_key(dag_id, task_id),)


def task_key(dag_id: str, task_id: str) -> str:
    """The key of a task's own asset (``dag_id/task_id``), as the translator builds it.

    Examples:
        >>> task_key("etl", "extract.orders")
        'etl/extract.orders'
    """
    try:
        return str(AssetKey.from_user([dag_id, task_id]))
    except DefinitionError:
        return f"{dag_id}/{task_id}"


def catalog_from_dags(dags: Sequence[DagInfo], source: str, *,
                      extra_assets: Iterable[AssetRef] = ()) -> tuple[list[CatalogAsset],
                                                                     TaskAssets]:
    """Catalog entries for every asset of the translated graph, plus ``extra_assets``
    (Airflow assets nothing in ``dags`` mentions) as source assets.

    Args:
        dags: the DAGs, from the metadata DB or from DAG files.
        source: the catalog entries' ``source`` (``airflow-db``, ``airflow-api``).
        extra_assets: further Airflow assets to list (group ``external``).

    Returns:
        The entries sorted by key, and the task -> keys map for history.
    """
    translation = dags_to_assets(ReadResult(dags=tuple(dags)))
    uris = {str(airflow_asset_key(ref)): ref.uri for dag in dags for task in dag.tasks
            for ref in (*task.outlets, *task.inlets) if ref.uri}
    entries: dict[str, CatalogAsset] = {}
    mapping = TaskAssets()
    for record in translation.records:
        metadata = {"uri": uris[record.key]} if record.key in uris else {}
        entries[record.key] = CatalogAsset(
            key=record.key, group=record.group, deps=record.deps, dag_id=record.dag_id,
            task_id=record.task_id, source=source, metadata=metadata)
        if record.dag_id is not None and record.task_id is not None:
            ref = (record.dag_id, record.task_id)
            mapping.keys[ref] = tuple(sorted((*mapping.keys.get(ref, ()), record.key)))
    for dag in dags:
        mapping.with_outlets.update((dag.dag_id, task.task_id) for task in dag.tasks
                                    if any(ref.kind == "asset" for ref in task.outlets))
    for asset in extra_assets:
        key = str(airflow_asset_key(asset))
        if key not in entries:
            entries[key] = CatalogAsset(key=key, group=SOURCE_GROUP, source=source,
                                        metadata={"uri": asset.uri} if asset.uri else {})
    return [entries[key] for key in sorted(entries)], mapping
