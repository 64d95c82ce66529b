"""From an asset graph to DAG plans: which asset goes into which DAG, and how DAGs connect.

Pure: no Airflow. Each definition (asset or multi-asset) is one task. Assets are grouped by
label (asset group, job, or one label for all) and by schedule kind (time partitions need a
time-table; everything else is scheduled on its upstream DAGs' assets). DAGs never form a
cycle (a cycle of asset schedules would trigger runs forever): an asset that would close
one goes into another DAG of its label. With ``split`` (the default), a label's assets
are also split where one DAG's schedule would not be exact:

- an asset-scheduled DAG runs when *all* its scheduled assets were updated, and Airflow (and
  ``assetbridge translate``) treats each first task as waiting for them. So every first task
  of such a DAG consumes exactly the scheduled assets, and later tasks consume a subset;
  an asset that needs other upstream DAGs starts a DAG of its own.
- a task edge carries every output of a multi-asset, so an asset that reads only some of
  them goes into another DAG, scheduled on exactly those.

With these rules, translating the exported DAGs back gives the same asset graph. Without
``split`` there is one DAG per label (and schedule kind) unless a cycle forbids it; a first
task then also waits for the scheduled assets it does not read, and translating back shows
those waits as extra dependencies.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge._asset import Asset
from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._partitions import StaticPartitions, TimeWindowPartitions
from bridge._selection import select
from bridge.errors import SelectionError
from translators.export._names import NameRegistry, dag_id_for, task_id_for
from translators.export._options import ExportError, ExportOptions

__all__ = ["DagPlan", "ExportPlan", "TaskPlan", "plan_export"]

_CRON = {"DailyPartitions": "0 0 * * *", "HourlyPartitions": "0 * * * *",
         "MonthlyPartitions": "0 0 1 * *"}


@dataclass(frozen=True)
class TaskPlan:
    """One Airflow task: it materializes one definition (one or more asset keys)."""

    task_id: str
    #: the Python name of the task in a generated file
    var: str
    keys: tuple[str, ...]
    #: asset group; a task group in DAGs that mix groups
    group: str
    task_group: str | None
    #: task ids in the same DAG this task waits for
    upstream: tuple[str, ...]
    #: assets from other DAGs (or source assets) it reads
    inlets: tuple[str, ...]
    owners: tuple[str, ...]
    description: str | None
    code_version: str | None
    retries: int
    retry_delay: float
    retry_backoff: float
    #: static partition keys: one mapped task instance per key
    static_partitions: tuple[str, ...] | None
    time_partitioned: bool
    #: the DAG param that carries its run config (the first key), or None
    param: str | None


@dataclass(frozen=True)
class DagPlan:
    """One Airflow DAG."""

    dag_id: str
    #: the asset group or job it comes from
    label: str
    #: cron of a time-partitioned DAG, a schedule from the options, or None
    cron: str | None
    #: True for time-partitioned DAGs (data interval = partition window)
    data_intervals: bool
    #: assets of upstream DAGs that trigger it (all of them, ``&``)
    schedule_assets: tuple[str, ...]
    start_date: str
    end_date: str | None
    catchup: bool
    tags: tuple[str, ...]
    tasks: tuple[TaskPlan, ...]
    #: DAG params: name -> (default, JSON schema keywords)
    params: dict[str, tuple[Any, dict[str, Any]]]

    @property
    def file_name(self) -> str:
        """The file the DAG is written to."""
        return f"{self.dag_id}.py"


@dataclass(frozen=True)
class ExportPlan:
    """Every DAG of an export, plus what was left out."""

    dags: tuple[DagPlan, ...]
    #: asset key -> outlet extra (``assetbridge_key``, ``code_version``)
    extras: dict[str, dict[str, Any]]
    #: assets that no job selected (exported DAGs read them as inlets only)
    left_out: tuple[str, ...] = ()
    options: ExportOptions = field(default_factory=ExportOptions)


@dataclass
class _Dag:
    bucket: tuple[str, str]
    units: list[Asset] = field(default_factory=list)
    keys: set[AssetKey] = field(default_factory=set)
    #: assets of other exported DAGs this DAG reads
    external: set[AssetKey] = field(default_factory=set)
    #: DAGs this one reads from
    feeds: set[int] = field(default_factory=set)


def plan_export(assets: Iterable[Asset] | AssetGraph, options: ExportOptions) -> ExportPlan:
    """Decide the DAGs, tasks, edges and schedules for ``assets``.

    Raises:
        ExportError: no asset to export, or a job selection that selects nothing.
    """
    graph = AssetGraph.from_assets(assets)
    labels = _labels(graph, options)
    order = {key: index for index, key in enumerate(graph.toposort())}
    units = sorted({id(d): d for d in graph.definitions()
                    if not d.is_source and d.key in labels}.values(),
                   key=lambda d: order[d.key])
    if not units:
        raise ExportError("nothing to export: the target defines only source assets or no job "
                          "selects an asset; check the target and --job selections")
    grouping = _Grouping(graph, labels, options.split)
    for unit in units:
        grouping.place(unit)
    extras = {str(spec.key): _extra(spec.key, spec.code_version, spec.metadata)
              for unit in units for spec in unit.specs}
    names = NameRegistry()
    dags = tuple(_dag_plan(graph, dag, grouping, options, names) for dag in grouping.dags)
    left = sorted(str(k) for k in graph.keys
                  if k not in labels and not graph.definition(k).is_source)
    return ExportPlan(dags=dags, extras=extras, left_out=tuple(left), options=options)


def _extra(key: AssetKey, code_version: str | None, metadata: dict[str, Any]) -> dict[str, Any]:
    """The outlet's extra: key, code version and the metadata, as JSON data."""
    extra: dict[str, Any] = {"assetbridge_key": str(key), "code_version": code_version}
    if metadata:
        extra["metadata"] = json.loads(json.dumps(metadata, default=str))
    return extra


def _labels(graph: AssetGraph, options: ExportOptions) -> dict[AssetKey, str]:
    """The DAG label of every exported key."""
    if options.jobs:
        labels: dict[AssetKey, str] = {}
        for name, selection in options.jobs:
            try:
                chosen = select(graph, selection)
            except SelectionError as exc:
                raise ExportError(f"job {name!r}: {exc}") from exc
            if not chosen:
                raise ExportError(f"job {name!r}: selection {selection!r} selects no asset")
            for key in sorted(chosen):
                labels.setdefault(key, name)
        # a multi-asset goes where its first key goes
        return {k: labels[graph.definition(k).key] for k in labels
                if graph.definition(k).key in labels}
    if options.group_by == "one":
        return {key: "assets" for key in graph.keys}
    return {key: graph.definition(key).specs[0].group for key in graph.keys}


def _schedule_kind(unit: Asset) -> str:
    partitions = unit.specs[0].partitions
    return repr(partitions) if isinstance(partitions, TimeWindowPartitions) else ""


class _Grouping:
    """Greedy placement of definitions (in topological order) into DAGs."""

    def __init__(self, graph: AssetGraph, labels: dict[AssetKey, str], split: bool) -> None:
        self.graph, self.labels, self.split = graph, labels, split
        self.dags: list[_Dag] = []
        self.dag_of: dict[AssetKey, int] = {}
        self.unit_keys: dict[AssetKey, tuple[AssetKey, ...]] = {}
        self.by_bucket: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        #: DAG index -> the DAGs that read from it
        self.readers: defaultdict[int, set[int]] = defaultdict(set)
        self._deps: dict[int, set[AssetKey]] = {}

    def deps(self, unit: Asset) -> set[AssetKey]:
        """Every upstream key of the definition (outside its own keys)."""
        found = self._deps.get(id(unit))
        if found is None:
            own = set(unit.keys)
            found = {dep for key in own for dep in self.graph.spec(key).deps} - own
            self._deps[id(unit)] = found
        return found

    def place(self, unit: Asset) -> None:
        keys = unit.keys
        bucket = (self.labels[keys[0]], _schedule_kind(unit))
        deps = self.deps(unit)
        exact = self.split and not bucket[1]  # time-partitioned DAGs run on their timetable
        for index in self._candidates(bucket, deps):
            dag = self.dags[index]
            inside = deps & dag.keys
            outside = {d for d in deps - dag.keys if d in self.dag_of}
            if self.split and any(not set(self.unit_keys[d]) <= deps for d in inside):
                continue  # a task edge would make it read every output of a multi-asset
            if exact:
                if (outside != dag.external) if not inside else not outside <= dag.external:
                    continue
            else:
                feeding = {self.dag_of[d] for d in outside}
                if feeding - dag.feeds and self._reaches(index, feeding):
                    continue
            self._add(index, keys, unit, outside)
            return
        self.dags.append(_Dag(bucket))
        self.by_bucket[bucket].append(len(self.dags) - 1)
        self._add(len(self.dags) - 1, keys, unit, {d for d in deps if d in self.dag_of})

    def _candidates(self, bucket: tuple[str, str], deps: set[AssetKey]) -> list[int]:
        """DAGs of the bucket holding an upstream first, then the bucket's other DAGs."""
        mine = self.by_bucket.get(bucket, [])
        first = sorted({self.dag_of[d] for d in deps if d in self.dag_of}.intersection(mine))
        return first + [index for index in mine[:8] if index not in first]

    def _add(self, index: int, keys: tuple[AssetKey, ...], unit: Asset,
             outside: set[AssetKey]) -> None:
        dag = self.dags[index]
        dag.units.append(unit)
        dag.keys.update(keys)
        dag.external |= outside
        feeding = {self.dag_of[d] for d in outside}
        dag.feeds |= feeding
        for source in feeding:
            self.readers[source].add(index)
        for key in keys:
            self.dag_of[key] = index
            self.unit_keys[key] = keys

    def _reaches(self, start: int, targets: set[int]) -> bool:
        """Whether DAG ``start`` feeds (transitively) any of ``targets``."""
        seen, todo = {start}, [start]
        while todo:
            for nxt in self.readers[todo.pop()] - seen:
                if nxt in targets:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return start in targets


def _dag_plan(graph: AssetGraph, dag: _Dag, grouping: _Grouping, options: ExportOptions,
              names: NameRegistry) -> DagPlan:
    label, kind = dag.bucket
    first = dag.units[0]
    dag_id = dag_id_for(options.dag_id_prefix, label, first.key, names)
    mixed = len({unit.specs[0].group for unit in dag.units}) > 1 or options.group_by == "one" \
        or bool(options.jobs)
    task_names = NameRegistry()
    task_of: dict[AssetKey, str] = {}
    tasks: list[TaskPlan] = []
    params: dict[str, tuple[Any, dict[str, Any]]] = {}
    for unit in dag.units:
        spec = unit.specs[0]
        task_group = spec.group if mixed else None
        task_id, var = task_id_for(unit.key, label if not mixed else spec.group, task_names)
        full_id = f"{task_names.group_id(task_group)}.{task_id}" if task_group else task_id
        deps = grouping.deps(unit)
        upstream = sorted({task_of[d] for d in deps if d in dag.keys})
        param = _param(unit)
        if param is not None:
            params[str(unit.key)] = param
        partitions = spec.partitions
        tasks.append(TaskPlan(
            task_id=task_id, var=var, keys=tuple(str(k) for k in unit.keys), group=spec.group,
            task_group=task_names.group_id(task_group) if task_group else None,
            upstream=tuple(upstream),
            inlets=tuple(sorted(str(d) for d in deps if d not in dag.keys)),
            owners=spec.owners, description=spec.description, code_version=spec.code_version,
            retries=spec.retry.max_retries if spec.retry else 0,
            retry_delay=spec.retry.delay if spec.retry else 0.0,
            retry_backoff=spec.retry.backoff if spec.retry else 1.0,
            static_partitions=tuple(partitions.keys())
            if isinstance(partitions, StaticPartitions) else None,
            time_partitioned=isinstance(partitions, TimeWindowPartitions),
            param=str(unit.key) if param is not None else None,
        ))
        for key in unit.keys:
            task_of[key] = full_id
    partitions = first.specs[0].partitions
    timed = isinstance(partitions, TimeWindowPartitions)
    return DagPlan(
        dag_id=dag_id, label=label,
        cron=_CRON.get(type(partitions).__name__, "0 0 * * *") if timed and kind
        else (None if dag.external else options.schedule_for(label)),
        data_intervals=timed and bool(kind),
        schedule_assets=() if kind else tuple(sorted(str(k) for k in dag.external)),
        start_date=partitions.start.strftime("%Y-%m-%dT%H:%M")
        if isinstance(partitions, TimeWindowPartitions) and kind else options.start_date,
        end_date=partitions.end.strftime("%Y-%m-%dT%H:%M")
        if isinstance(partitions, TimeWindowPartitions) and kind and partitions.end else None,
        catchup=options.catchup, tags=_tags(dag.units, label), tasks=tuple(tasks),
        params=params,
    )


def _param(unit: Asset) -> tuple[Any, dict[str, Any]] | None:
    """Run config as a DAG param: the model's defaults and its JSON schema."""
    model = unit.signature.config_model
    if model is None:
        return None
    schema = model.model_json_schema()
    keywords: dict[str, Any] = {k: schema[k] for k in ("type", "properties", "required", "$defs")
                                if k in schema}
    defaults = {name: info.get_default(call_default_factory=True)
                for name, info in model.model_fields.items() if not info.is_required()}
    return defaults, keywords


def _tags(units: Sequence[Asset], label: str) -> tuple[str, ...]:
    tags = {"assetbridge", f"group:{label}"[:100]}
    for unit in units:
        for key, value in unit.specs[0].tags.items():
            text = f"{key}:{value}" if value else key
            if len(text) <= 100:
                tags.add(text)
    return tuple(sorted(tags))
