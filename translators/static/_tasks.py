"""Task creation: operator instantiation (classic, mapped) and the bookkeeping Airflow does.

Every task, classic or TaskFlow, goes through :func:`create_task`, which mirrors
``BaseOperator.__init__``: find the DAG and task group from the arguments or the context,
prefix the id with the group, merge ``default_args`` (DAG, then groups, then the task's
own), add the task to its DAG (duplicate ids are errors), and depend on every XCom
reference found in the arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from translators.static import _assets, _edges, _output
from translators.static._callables import CallSite, Function, LazySources, LocalClass
from translators.static._objects import AssetRef, Dag, Group, QualName, Task, Unknown, XComRef

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

_SUFFIX = re.compile(r"^(.*)__(\d+)$")
_SCALARS = (str, int, float, bool, type(None))
#: constructor arguments that say where a task goes, not what it does
_STRUCTURAL = frozenset({"dag", "task_group"})


@dataclass(slots=True)
class TaskSpec:
    """Everything needed to create one task."""

    raw_id: object
    operator: str
    module: str | None
    #: evaluated keyword arguments, as the task's constructor receives them
    kwargs: dict[str, object]
    sources: Mapping[str, str]
    line: int
    callable_name: str | None = None
    mapped: bool = False
    #: TaskFlow ids get ``__1``, ``__2`` suffixes instead of colliding
    unique: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    #: argument name -> value; XCom references inside become upstream data inputs
    data_args: dict[str, object] = field(default_factory=dict)
    #: the kwargs reported in TaskInfo (defaults to ``kwargs``)
    shown_kwargs: dict[str, object] | None = None
    extra_outlets: list[AssetRef] = field(default_factory=list)
    extra_inlets: list[AssetRef] = field(default_factory=list)


def create_operator(interp: Interpreter, cls: QualName | LocalClass, kwargs: dict[str, object],
                    site: CallSite, *, mapped: bool = False,
                    sources: Mapping[str, str] | None = None,
                    shown: dict[str, object] | None = None) -> Task:
    """``SomeOperator(task_id=..., ...)`` (``mapped`` for ``.partial().expand()``)."""
    name = cls.last if isinstance(cls, QualName) else cls.name
    module = cls.module if isinstance(cls, QualName) else None
    srcs = sources if sources is not None else LazySources(interp.segment, site.kw_nodes)
    raw_id = kwargs.get("task_id")
    if raw_id is None:
        raw_id = Unknown(interp.segment(site.node) if site.unknown_splat
                         else f"{name}(...) without task_id")
    return create_task(interp, TaskSpec(
        raw_id=raw_id, operator=name, module=module, kwargs=kwargs, sources=srcs,
        line=site.line, callable_name=callable_name(kwargs.get("python_callable"),
                                                    srcs.get("python_callable")),
        mapped=mapped, data_args=kwargs, shown_kwargs=shown,
    ))


def callable_name(value: object, source: str | None) -> str | None:
    """The name of a ``python_callable`` (a function of the file, an import, a lambda)."""
    if value is None:
        return None
    if isinstance(value, Function):
        return value.name
    if isinstance(value, QualName):
        return value.last
    return source or None


def create_task(interp: Interpreter, spec: TaskSpec) -> Task:
    """Create a task the way ``BaseOperator.__init__`` does (see module docstring)."""
    kwargs = spec.kwargs
    dag_arg = kwargs.get("dag")
    dag = dag_arg if isinstance(dag_arg, Dag) else interp.current_dag()
    if dag_arg is not None and not isinstance(dag_arg, Dag):
        interp.warn("dynamic-construct", f"dag={spec.sources.get('dag', '?')} of task "
                    f"{_describe(spec.raw_id)} cannot be resolved statically", spec.line)
    group_arg = kwargs.get("task_group")
    group = group_arg if isinstance(group_arg, Group) else interp.current_group(dag)
    task = Task(task_id="?", operator=spec.operator, line=spec.line,
                operator_module=spec.module, callable_name=spec.callable_name,
                is_setup=spec.is_setup, is_teardown=spec.is_teardown)
    raw = spec.raw_id
    interp.created += 1
    if group is not None and group.ghost:
        task.ghost = True
        return task
    if not isinstance(raw, str) or not raw:
        task.ghost = True
        interp.warn("unresolved-task-id", f"the task id {_describe(raw)} of a "
                    f"{spec.operator} cannot be resolved statically; the task is left out",
                    spec.line, dag_id=dag.dag_id if dag else None)
        return task
    if spec.unique and dag is not None:
        raw = unique_task_id(raw, dag, group)
    task.task_id = group.child_id(raw) if group is not None else raw
    _apply_defaults(interp, task, spec, dag, group)
    task.mapped = spec.mapped or (group is not None and group.is_mapped())
    if interp.setup_teardown.active:
        interp.setup_teardown.update_context_map(task)
    add_to_dag(interp, task, dag, group)
    for path, ref in xcom_refs(spec.data_args):
        for upstream in ref.tasks:
            if upstream.ghost:
                continue
            task.data_inputs.setdefault(path, upstream.task_id)
            _edges.connect(interp, upstream, task)
    return task


def _merged_defaults(kwargs: dict[str, object], dag: Dag | None,
                     group: Group | None) -> dict[str, object]:
    """``default_args`` as the task sees them: DAG's, then its groups', then its own."""
    own = kwargs.get("default_args")
    layers = [dag.default_args if dag is not None else None,
              group.default_args if group is not None else None,
              own if isinstance(own, dict) else None]
    merged: dict[str, object] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def _apply_defaults(interp: Interpreter, task: Task, spec: TaskSpec, dag: Dag | None,
                    group: Group | None) -> None:
    kwargs = spec.kwargs
    defaults = _merged_defaults(kwargs, dag, group)
    rule = kwargs.get("trigger_rule", defaults.get("trigger_rule", "all_success"))
    task.trigger_rule = rule if isinstance(rule, str) else "?"
    if task.is_teardown:
        task.trigger_rule = "all_done_setup_success"
    retries = kwargs.get("retries", defaults.get("retries"))
    task.retries = retries if isinstance(retries, int) and not isinstance(retries, bool) else None
    if "outlets" in kwargs or spec.extra_outlets:
        task.outlets = [*_assets.collect_refs(interp, kwargs.get("outlets"), spec.line),
                        *spec.extra_outlets]
    if "inlets" in kwargs or spec.extra_inlets:
        task.inlets = [*_assets.collect_refs(interp, kwargs.get("inlets"), spec.line),
                       *spec.extra_inlets]
    shown = spec.shown_kwargs if spec.shown_kwargs is not None else kwargs
    task.kwargs = _output.kwargs_json(shown, spec.sources, _STRUCTURAL)


def add_to_dag(interp: Interpreter, task: Task, dag: Dag | None, group: Group | None) -> None:
    """``dag.add_task``: ids are unique across tasks and groups of a DAG."""
    if dag is None:
        interp.orphans[task] = None
        return
    task_id = task.task_id
    if task_id in dag.tasks or task_id in dag.used_group_ids:
        task.ghost = True
        interp.warn("duplicate-task-id", f"task id {task_id!r} is already used in DAG "
                    f"{dag.dag_id!r}; Airflow rejects this DAG", task.line, level="error",
                    dag_id=dag.dag_id, task_id=task_id)
        return
    dag.tasks[task_id] = task
    dag.used_group_ids.add(task_id)
    match = _SUFFIX.match(task_id)
    if match:
        stem, number = match.group(1), int(match.group(2))
        dag.suffixes[stem] = max(dag.suffixes.get(stem, 0), number)
    home = group if group is not None else dag.root
    home.children[task_id] = task
    task.group = home
    task.dag = dag


def unique_task_id(task_id: str, dag: Dag, group: Group | None) -> str:
    """Airflow's ``get_unique_task_id``: ``name``, then ``name__1``, ``name__2`` ..."""
    full = group.child_id(task_id) if group is not None else task_id
    if full not in dag.tasks:
        return task_id
    stem = re.split(r"__\d+$", full)[0]
    core = re.split(r"__\d+$", task_id)[0]
    return f"{core}__{dag.suffixes.get(stem, 0) + 1}"


def xcom_refs(values: dict[str, object]) -> Iterator[tuple[str, XComRef]]:
    """Every XCom reference in argument values, with a dotted path to it."""
    for name, value in values.items():
        yield from _refs(value, name, 0)


def _refs(value: object, path: str, depth: int) -> Iterator[tuple[str, XComRef]]:
    if isinstance(value, _SCALARS):
        return
    if isinstance(value, XComRef):
        yield path, value
    elif depth > 8:
        return
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _refs(item, f"{path}.{index}", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _refs(item, f"{path}.{key}", depth + 1)


def _describe(value: object) -> str:
    if isinstance(value, Unknown):
        return repr(value.source)
    return repr(value)
