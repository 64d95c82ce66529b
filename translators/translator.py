"""The customisation seam: how an Airflow task becomes an asset spec.

:class:`AirflowTranslator` has one method to override, :meth:`~AirflowTranslator.get_asset_spec`
(the LibCST pattern: one abstract-ish hook, everything else is fixed machinery). A team
that keys tasks by the table they write subclasses it and adjusts the default spec with
``spec.replace(...)``.

Key scheme:
    A task's asset is keyed ``dag_id/task_id``: two key parts, the task id kept whole, so a
    task-group id such as ``extract.orders`` stays one part (``etl/extract.orders``).

Groups:
    The asset group is the ``dag_id``: ``--select group:etl`` picks one whole DAG, and task
    group ids are only unique inside their DAG. The task group itself is kept in the spec's
    metadata (``task_group``) and in the ``translate`` contract's task records.

Outlets:
    A task with Airflow Asset/Dataset outlets produces those assets instead of its own: the
    spec returned here is the template, and each outlet becomes a copy of it keyed by the
    outlet's Airflow name (or URI), so schedules and inlets in other DAGs resolve to it.
    An ``AssetAlias`` is keyed by its name like an asset, linking its writers and readers.
"""

from __future__ import annotations

from typing import Any

from bridge._keys import AssetKey
from bridge._spec import AssetSpec
from bridge.errors import DefinitionError
from translators.model import AssetRef, DagInfo, TaskInfo

__all__ = ["AirflowTranslator", "airflow_asset_key"]


class AirflowTranslator:
    """Turns one Airflow task into the spec of the asset it maintains.

    Override :meth:`get_asset_spec` to change keys, groups, owners, tags or metadata; call
    ``super().get_asset_spec(task, dag)`` and ``spec.replace(...)`` to keep the rest.

    Examples:
        >>> dag = DagInfo(dag_id="etl", file="dags/etl.py", tags=("sales",),
        ...               default_args={"owner": "data-eng"})
        >>> task = TaskInfo(task_id="extract.orders", operator="PythonOperator", line=12)
        >>> spec = AirflowTranslator().get_asset_spec(task, dag)
        >>> str(spec.key), spec.group, spec.owners, spec.tags
        ('etl/extract.orders', 'etl', ('data-eng',), {'sales': ''})
    """

    def get_asset_spec(self, task: TaskInfo, dag: DagInfo) -> AssetSpec:
        """The spec of the asset ``task`` maintains.

        Args:
            task: the Airflow task, as a reader found it.
            dag: the DAG the task belongs to.

        Returns:
            The asset spec. Dependencies found in the DAGs (task edges, inlets, asset
            schedules, cross-DAG references) are added to its ``deps``; a dep nothing
            produces becomes a source asset. For a task with outlets, the spec is copied
            once per outlet with the outlet's key.
        """
        metadata: dict[str, Any] = {
            "dag_id": dag.dag_id,
            "task_id": task.task_id,
            "operator": task.operator,
            "file": dag.file,
            "line": task.line if task.line is not None else dag.line,
        }
        if task.operator_module:
            metadata["operator_module"] = task.operator_module
        if task.group:
            metadata["task_group"] = task.group
        return AssetSpec(
            key=AssetKey.from_user([dag.dag_id, task.task_id]),
            group=dag.dag_id,
            description=_description(task, dag),
            owners=_owners(task, dag),
            tags=dict.fromkeys(dag.tags, ""),
            metadata=metadata,
        )


def airflow_asset_key(ref: AssetRef) -> AssetKey:
    """The bridge key of an Airflow Asset: its name, else its URI, as written.

    A name like ``warehouse/orders`` splits into parts as usual; text that is not a valid
    ``/``-separated key (a URI such as ``s3://bucket/orders.csv``) is kept whole as one
    part, so the key's text form is exactly the Airflow name or URI.

    Examples:
        >>> str(airflow_asset_key(AssetRef(name="warehouse/orders")))
        'warehouse/orders'
        >>> key = airflow_asset_key(AssetRef(uri="s3://bucket/orders.csv"))
        >>> str(key), key.parts
        ('s3://bucket/orders.csv', ('s3://bucket/orders.csv',))
    """
    text = ref.key
    try:
        return AssetKey.parse(text)
    except DefinitionError:  # not a plain key: keep the Airflow text whole
        return AssetKey((text,))


def _description(task: TaskInfo, dag: DagInfo) -> str:
    for name in ("doc_md", "doc", "doc_rst", "doc_json", "doc_yaml"):
        value = task.kwargs.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return f"Airflow task {task.task_id!r} ({task.operator}) in DAG {dag.dag_id!r}"


def _owners(task: TaskInfo, dag: DagInfo) -> tuple[str, ...]:
    owner = task.kwargs.get("owner", dag.default_args.get("owner"))
    if not isinstance(owner, str):
        return ()
    return tuple(part.strip() for part in owner.split(",") if part.strip())
