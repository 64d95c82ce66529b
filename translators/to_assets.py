"""Airflow DAGs to one asset graph across DAGs, with diagnostics instead of exceptions.

Each task maintains an asset (keys and groups: :mod:`translators.translator`) whose
upstream assets come from the task's upstream tasks; its inlets; for the DAG's root tasks,
every asset of an asset schedule (``&`` and ``|`` alike); ``ExternalTaskSensor`` (the
sensor depends on the external task, task group or, naming none, the other DAG's leaves);
``ExternalTaskMarker`` (the marked task depends on the marker); ``TriggerDagRunOperator``
(the triggered DAG's roots depend on the trigger). An asset consumed but produced by no
task is a source asset (group ``external``). Unknown references are warnings, a cycle is
an error diagnostic; bad input never raises. The assets are graph-only: calling one raises,
as running Airflow task code in-process is the executor's job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from bridge._asset import Asset, SourceAsset
from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._spec import AssetSpec
from bridge.errors import CycleError, DefinitionError, TranslationError
from translators.contract import AssetRecord, AssetTranslation, diagnostic_order
from translators.model import DagInfo, Diagnostic, Level, ReadResult, TaskInfo
from translators.translator import AirflowTranslator, airflow_asset_key

# AssetTranslation lives with the other output shapes in translators.contract
__all__ = ["SOURCE_GROUP", "AssetTranslation", "dags_to_assets"]

#: group of source assets: consumed by some task, produced by none of the DAGs read
SOURCE_GROUP = "external"

#: operators (class name as written) that make cross-DAG edges, and how
_CROSS_DAG = {"ExternalTaskSensor": "sensor", "ExternalTaskSensorAsync": "sensor",
              "ExternalTaskMarker": "marker", "TriggerDagRunOperator": "trigger"}

_TaskRef = tuple[str, str]  # (dag_id, task_id)


def dags_to_assets(
    result: ReadResult, translator: AirflowTranslator | None = None
) -> AssetTranslation:
    """Build one asset graph from every DAG a reader found.

    Args:
        result: the DAGs (and reader diagnostics) from ``translators.reading.read_dags``.
        translator: decides each task's asset spec; :class:`AirflowTranslator` by default.

    Returns:
        The definitions, their contract records and translation diagnostics, all sorted.

    Examples:
        >>> from translators.model import AssetRef
        >>> producer = DagInfo(dag_id="a", file="a.py", tasks=(
        ...     TaskInfo(task_id="load", operator="BashOperator",
        ...              outlets=(AssetRef(name="orders"),)),))
        >>> consumer = DagInfo(dag_id="b", file="b.py", tasks=(
        ...     TaskInfo(task_id="report", operator="EmptyOperator",
        ...              inlets=(AssetRef(name="orders"),)),))
        >>> found = dags_to_assets(ReadResult(dags=(producer, consumer)))
        >>> [(r.key, r.deps) for r in found.records]
        [('b/report', ('orders',)), ('orders', ())]
    """
    builder = _Builder(translator or AirflowTranslator())
    for dag in builder.register(result.dags):
        builder.add_specs(dag)
    for dag in builder.dags.values():
        builder.link(dag)
    return builder.finish()


class _Builder:
    """Collects specs and edges task by task; :meth:`finish` turns them into assets."""

    def __init__(self, translator: AirflowTranslator) -> None:
        self.translator = translator
        self.dags: dict[str, DagInfo] = {}
        self.tasks: dict[str, dict[str, TaskInfo]] = {}
        self.specs: dict[_TaskRef, tuple[AssetSpec, ...]] = {}
        self.owner: dict[AssetKey, _TaskRef] = {}
        self.task_deps: defaultdict[_TaskRef, set[_TaskRef]] = defaultdict(set)
        self.key_deps: defaultdict[_TaskRef, set[AssetKey]] = defaultdict(set)
        self.diagnostics: list[Diagnostic] = []

    def note(self, level: Level, code: str, message: str, dag: DagInfo | None,
             task: TaskInfo | None = None) -> None:
        line = task.line if task is not None and task.line is not None else (
            dag.line if dag is not None else None)
        self.diagnostics.append(Diagnostic(
            level=level, code=code, message=message, file=dag.file if dag else None, line=line,
            dag_id=dag.dag_id if dag else None, task_id=task.task_id if task else None))

    def register(self, dags: Iterable[DagInfo]) -> list[DagInfo]:
        """Index DAGs by id (the first file wins a duplicate id) and their tasks."""
        for dag in sorted(dags, key=lambda d: (d.dag_id, d.file, d.line or 0)):
            if dag.dag_id in self.dags:
                self.note("warning", "duplicate-dag-id", f"DAG {dag.dag_id!r} is also defined in "
                          f"{self.dags[dag.dag_id].file}; only that one is in the graph", dag)
                continue
            self.dags[dag.dag_id] = dag
            self.tasks[dag.dag_id] = {}
            for task in dag.tasks:
                self.tasks[dag.dag_id].setdefault(task.task_id, task)
        return list(self.dags.values())

    def add_specs(self, dag: DagInfo) -> None:
        """Ask the translator for each task's spec; claim its key, or its outlets' keys."""
        for task_id, task in sorted(self.tasks[dag.dag_id].items()):
            ref = (dag.dag_id, task_id)
            try:
                template = self.translator.get_asset_spec(task, dag)
            except (DefinitionError, ValidationError) as exc:
                self.note("error", "invalid-asset-spec", f"task {task_id!r} has no asset: "
                          f"{str(exc).splitlines()[0]}; fix the DAG or the translator",
                          dag, task)
                continue
            self.key_deps[ref] |= set(template.deps)
            wanted = sorted({airflow_asset_key(outlet) for outlet in task.outlets})
            self._claim(ref, [template.replace(key=key) for key in wanted] or [template],
                        template, dag, task)

    def _claim(self, ref: _TaskRef, specs: list[AssetSpec], template: AssetSpec,
               dag: DagInfo, task: TaskInfo) -> None:
        """Own the specs' keys; a task whose keys are all taken keeps its own instead."""
        taken = {spec.key: self.owner.setdefault(spec.key, ref) for spec in specs}
        claimed = [spec for spec in specs if taken[spec.key] == ref]
        for key in [] if claimed else [template.key, _own_key(dag, task)]:
            if key is not None and self.owner.setdefault(key, ref) == ref:
                claimed = [template.replace(key=key)]
                break
        outcome = ("has no asset in the graph" if not claimed else
                   "does not produce it in the graph" if claimed[0].key in taken else
                   f"produces {str(claimed[0].key)!r} instead")
        for key, other in taken.items():
            if other != ref:
                self.note("warning", "duplicate-asset-key", f"asset {str(key)!r} is already "
                          f"produced by task {other[1]!r} of DAG {other[0]!r}; task "
                          f"{task.task_id!r} {outcome}", dag, task)
        if claimed:
            self.specs[ref] = tuple(claimed)

    def link(self, dag: DagInfo) -> None:
        """Edges from the DAG's own structure, inlets, schedule and cross-DAG references."""
        tasks = self.tasks[dag.dag_id]
        for task_id, task in sorted(tasks.items()):
            ref = (dag.dag_id, task_id)
            for upstream in task.upstream:
                if upstream in tasks:
                    self.task_deps[ref].add((dag.dag_id, upstream))
                else:
                    self.note("warning", "unknown-upstream-task", f"task {task_id!r} lists "
                              f"upstream {upstream!r}, which is not a task of this DAG",
                              dag, task)
            self.key_deps[ref] |= set(map(airflow_asset_key, task.inlets))
            self._link_external(dag, task, ref)
        if dag.schedule_assets is not None:
            scheduled = set(map(airflow_asset_key, dag.schedule_assets.assets()))
            for root in _roots(tasks.values()):
                self.key_deps[(dag.dag_id, root)] |= scheduled

    def _link_external(self, dag: DagInfo, task: TaskInfo, ref: _TaskRef) -> None:
        kind = _CROSS_DAG.get(task.operator.rsplit(".", 1)[-1])
        if kind == "sensor":
            self.task_deps[ref].update(self._external_tasks(dag, task, whole_dag=_leaves))
        elif kind == "marker":
            for target in self._external_tasks(dag, task, whole_dag=_roots):
                self.task_deps[target].add(ref)
        elif kind == "trigger":
            other = self._other_dag(dag, task, "trigger_dag_id", "unknown-triggered-dag")
            if other == dag.dag_id:
                self.note("info", "self-trigger", f"task {task.task_id!r} triggers its own "
                          "DAG; that loop is not an asset dependency", dag, task)
            elif other is not None:
                for root in _roots(self.tasks[other].values()):
                    self.task_deps[(other, root)].add(ref)

    def _other_dag(self, dag: DagInfo, task: TaskInfo, kwarg: str, code: str) -> str | None:
        value = task.kwargs.get(kwarg)
        if not isinstance(value, str) or not value or "{{" in value:
            self.note("warning", "unresolved-external-reference", f"{task.operator} "
                      f"{task.task_id!r}: {kwarg} is {value!r}, not a literal DAG id; no "
                      "cross-DAG edge is drawn", dag, task)
            return None
        if value not in self.dags:
            self.note("warning", code, f"{task.operator} {task.task_id!r} refers to DAG "
                      f"{value!r}, which is not in the files read; no cross-DAG edge is "
                      "drawn (read that DAG's file too)", dag, task)
            return None
        return value

    def _external_tasks(self, dag: DagInfo, task: TaskInfo,
                        whole_dag: Callable[[Iterable[TaskInfo]], list[str]]) -> list[_TaskRef]:
        other = self._other_dag(dag, task, "external_dag_id", "unknown-external-dag")
        if other is None:
            return []
        tasks, kwargs = self.tasks[other], task.kwargs
        ids = _strings(kwargs.get("external_task_id")) or _strings(
            kwargs.get("external_task_ids"))
        group = kwargs.get("external_task_group_id")
        if ids:
            missing, chosen = [i for i in ids if i not in tasks], [i for i in ids if i in tasks]
            what = ", ".join(f"task {task_id!r}" for task_id in sorted(set(missing)))
        elif isinstance(group, str) and group:
            chosen = _leaves(t for t in tasks.values()
                             if t.group and f"{t.group}.".startswith(f"{group}."))
            what = "" if chosen else f"task group {group!r}"
        else:
            chosen, what = whole_dag(tasks.values()), ""
        if what:
            code = "unknown-external-task" if ids else "unknown-external-task-group"
            self.note("warning", code, f"{task.operator} {task.task_id!r} refers to {what}, "
                      f"which DAG {other!r} does not have", dag, task)
        return [(other, task_id) for task_id in sorted(set(chosen))]

    def finish(self) -> AssetTranslation:
        """Definitions (tasks, then source assets), records and the validated graph."""
        keys_of = {ref: tuple(spec.key for spec in specs) for ref, specs in self.specs.items()}
        assets: list[Asset] = []
        records: list[AssetRecord] = []
        consumed: set[AssetKey] = set()
        for ref, specs in sorted(self.specs.items()):
            consumed |= self.key_deps[ref]
            deps = self.key_deps[ref].union(
                *(keys_of.get(upstream, ()) for upstream in self.task_deps[ref]))
            ordered = tuple(sorted(deps - set(keys_of[ref])))
            specs = tuple(spec.replace(deps=ordered) for spec in specs)
            assets.append(Asset(specs=specs, fn=self._graph_only(ref, specs[0].key)))
            records.extend(AssetRecord(key=str(spec.key), deps=tuple(sorted(map(str, ordered))),
                                       dag_id=ref[0], task_id=ref[1], group=spec.group)
                           for spec in specs)
        for key in sorted(consumed - set(self.owner)):
            assets.append(SourceAsset(key, group=SOURCE_GROUP, description=(
                "Airflow asset that the DAGs read consume but none produces")))
            records.append(AssetRecord(key=str(key), deps=(), dag_id=None, task_id=None,
                                       group=SOURCE_GROUP))
        graph = self._validate(assets)
        records.sort(key=lambda record: record.key)
        self.diagnostics.sort(key=diagnostic_order)
        return AssetTranslation(assets, records, self.diagnostics, graph)

    def _validate(self, assets: list[Asset]) -> AssetGraph | None:
        try:
            return AssetGraph.from_assets(assets)
        except CycleError as exc:
            by_text = {str(key): ref for key, ref in self.owner.items()}
            dag_id, task_id = by_text[exc.cycle[0]]  # only tasks' assets have deps
            dags = sorted({by_text[text][0] for text in exc.cycle if text in by_text})
            where = (f"across DAGs {', '.join(map(repr, dags))}" if len(dags) > 1
                     else f"in DAG {dag_id!r}")
            self.note("error", "asset-cycle", f"the asset graph has a cycle {where}: "
                      f"{' -> '.join([*exc.cycle, exc.cycle[0]])}; remove one of these "
                      "dependencies (task edge, sensor, trigger, inlet or asset schedule)",
                      self.dags[dag_id], self.tasks[dag_id][task_id])
        except DefinitionError as exc:
            self.note("error", "invalid-asset-graph", str(exc).splitlines()[0], None)
        return None

    def _graph_only(self, ref: _TaskRef, key: AssetKey) -> Callable[[], Any]:
        dag, task = self.dags[ref[0]], self.tasks[ref[0]][ref[1]]

        def run() -> Any:
            raise TranslationError(
                f"asset {str(key)!r} (task {task.task_id!r}, {task.operator}, of DAG "
                f"{dag.dag_id!r}) is graph-only: in-process execution of translated DAGs needs "
                "the Airflow task executor; run the DAG file with `assetbridge run` instead",
                file=dag.file, line=task.line, dag_id=dag.dag_id, task_id=task.task_id,
                operator=task.operator)

        return run


def _own_key(dag: DagInfo, task: TaskInfo) -> AssetKey | None:
    try:
        return AssetKey.from_user([dag.dag_id, task.task_id])
    except DefinitionError:
        return None


def _strings(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
    return [item for item in items if isinstance(item, str) and item]


def _roots(tasks: Iterable[TaskInfo]) -> list[str]:
    """Tasks with no upstream task inside ``tasks``."""
    chosen = list(tasks)
    ids = {task.task_id for task in chosen}
    return sorted(t.task_id for t in chosen if not ids.intersection(t.upstream))


def _leaves(tasks: Iterable[TaskInfo]) -> list[str]:
    """Tasks no other task inside ``tasks`` depends on."""
    chosen = list(tasks)
    upstream = {up for task in chosen for up in task.upstream}
    return sorted(task.task_id for task in chosen if task.task_id not in upstream)
