"""From DAGs to catalog entries: the translate logic, so imported keys match translated ones.

:func:`catalog_from_dags` runs :func:`translators.to_assets.dags_to_assets` over the DAGs an
import found (or the DAG files given with ``--dags``) and turns each contract record into a
:class:`~bridge.storage.CatalogAsset`. :class:`TaskAssets` then answers, for a task
instance or an asset event, which asset keys its history belongs to.
:func:`resolve_aliases` first replaces Airflow asset aliases by the assets they resolved to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bridge._keys import AssetKey
from bridge.errors import DefinitionError
from bridge.storage import CatalogAsset
from translators.model import AssetExpression, AssetRef, DagInfo, ReadResult
from translators.to_assets import SOURCE_GROUP, dags_to_assets
from translators.translator import airflow_asset_key

__all__ = ["TaskAssets", "catalog_from_dags", "resolve_aliases", "task_key"]


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


def resolve_aliases(dags: Sequence[DagInfo],
                    aliases: Mapping[str, Sequence[AssetRef]]) -> list[DagInfo]:
    """The DAGs with every asset alias replaced by the assets Airflow resolved it to.

    An alias is not an asset: the assets emitted through it are. So a task whose outlets
    name an alias produces the alias's assets, and a schedule or inlet on an alias depends
    on them (a schedule term becomes "any of" them). An alias absent from ``aliases`` (it
    never resolved) is dropped: a task left without outlets keeps its own asset, and the
    schedule term goes.

    Args:
        dags: the DAGs, with :class:`~translators.model.AssetRef` of kind ``alias``.
        aliases: alias name -> the assets it resolved to.

    Examples:
        >>> from translators.model import TaskInfo
        >>> task = TaskInfo(task_id="export", operator="@task",
        ...                 outlets=(AssetRef(name="daily", kind="alias"),))
        >>> [dag] = resolve_aliases([DagInfo(dag_id="d", file="d.py", tasks=(task,))],
        ...                         {"daily": [AssetRef(uri="s3://lake/a.csv")]})
        >>> [ref.key for ref in dag.tasks[0].outlets]
        ['s3://lake/a.csv']
    """
    def refs(found: Iterable[AssetRef]) -> tuple[AssetRef, ...]:
        out = {r.key: r for ref in found
               for r in (aliases.get(ref.name or "", ()) if ref.kind == "alias" else (ref,))}
        return tuple(out[key] for key in sorted(out))

    def schedule(expr: AssetExpression) -> AssetExpression | None:
        if expr.asset is not None and expr.asset.kind == "alias":
            resolved = [AssetExpression(op="asset", asset=ref) for ref in refs([expr.asset])]
            return (None if not resolved else resolved[0] if len(resolved) == 1
                    else AssetExpression(op="or", items=tuple(resolved)))
        if expr.asset is not None:
            return expr
        items = tuple(item for item in map(schedule, expr.items) if item is not None)
        return expr.model_copy(update={"items": items}) if items else None

    resolved = []
    for dag in dags:
        mentioned = [*(dag.schedule_assets.assets() if dag.schedule_assets else ()),
                     *(ref for task in dag.tasks for ref in (*task.outlets, *task.inlets))]
        if any(ref.kind == "alias" for ref in mentioned):
            dag = dag.model_copy(update={
                "schedule_assets": dag.schedule_assets and schedule(dag.schedule_assets),
                "tasks": tuple(task.model_copy(update={"outlets": refs(task.outlets),
                                                       "inlets": refs(task.inlets)})
                               for task in dag.tasks)})
        resolved.append(dag)
    return resolved
