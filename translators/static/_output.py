"""From the interpreter's objects to the IR: JSON-able kwargs, DagInfo/TaskInfo, cycles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from translators.model import DagInfo, TaskInfo
from translators.static import _assets
from translators.static._callables import Function
from translators.static._objects import (
    AssetExpression,
    AssetRef,
    Dag,
    Group,
    Label,
    QualName,
    Task,
    Unknown,
    XComRef,
)

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

_SCALARS = (str, int, float, bool, type(None))
_SCHEDULE_KEYS = ("schedule", "schedule_interval", "timetable")


def to_json(value: object, source: str | None = None) -> object:
    """A JSON-able form of a value: plain data as is, unknown parts as their source text,
    anything else (tasks, XComArgs ...) as ``source`` (the argument's text) when given.

    Examples:
        >>> to_json((1, "a", {"k": [True]}))
        [1, 'a', {'k': [True]}]
        >>> to_json({"delay": Unknown("timedelta(days=1)")})
        {'delay': 'timedelta(days=1)'}
    """
    if isinstance(value, _SCALARS):
        return value
    if source and not _is_plain(value, 0):
        return source
    return _convert(value, 0)


def kwargs_json(values: dict[str, object], sources: Mapping[str, str],
                skip: frozenset[str] = frozenset()) -> dict[str, object]:
    """:func:`to_json` over keyword arguments (source text looked up only when needed)."""
    return {key: _convert(value, 0) if _is_plain(value, 0) else to_json(value, sources.get(key))
            for key, value in values.items() if key not in skip}


def _is_plain(value: object, depth: int) -> bool:
    """Plain data, possibly with unknown parts (those keep their own source text)."""
    if isinstance(value, (*_SCALARS, Unknown)):
        return True
    if depth > 20:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, _SCALARS) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _convert(value: object, depth: int) -> object:
    if isinstance(value, _SCALARS):
        return value
    if depth > 20:
        return "..."
    if isinstance(value, (list, tuple)):
        return [_convert(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [_convert(v, depth + 1) for v in value]
        try:
            return sorted(items)  # type: ignore[type-var]
        except TypeError:
            return items
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(_convert(k, depth + 1)): _convert(v, depth + 1)
                for k, v in value.items()}
    return describe(value)


def describe(value: object) -> str:
    """A short text for a value that is not JSON (``XComArg(extract)``, a source text ...)."""
    if isinstance(value, Unknown):
        return value.source
    if isinstance(value, QualName):
        return value.name
    if isinstance(value, Task):
        return value.task_id
    if isinstance(value, XComRef):
        ids = ", ".join(t.task_id for t in value.tasks)
        return f"XComArg({ids})" if value.key == "return_value" else (
            f"XComArg({ids}, key={value.key!r})")
    if isinstance(value, Function):
        return value.name
    if isinstance(value, Dag):
        return value.dag_id or "?"
    if isinstance(value, Group):
        return value.group_id or "?"
    if isinstance(value, AssetRef):
        return value.key
    if isinstance(value, AssetExpression):
        return _assets.describe(value)
    if isinstance(value, Label):
        return f"Label({value.text!r})"
    if isinstance(value, bytes):
        return repr(value)
    if isinstance(value, PurePosixPath):
        return str(value)
    return type(value).__name__


def _schedule(dag: Dag) -> tuple[str | None, AssetExpression | None]:
    key = next((k for k in _SCHEDULE_KEYS if k in dag.kwargs), None)
    if key is None:
        return None, None
    value, source = dag.kwargs[key], dag.sources.get(key)
    if value is None or isinstance(value, str):
        return value, None
    if isinstance(value, _assets.AssetOrTime):
        return source or "AssetOrTimeSchedule(...)", value.assets
    expression = _assets.to_expression(value)
    if expression is not None:
        return _assets.describe(expression), expression
    if isinstance(value, Unknown):
        return value.source, None
    return source or describe(value), None


def _json_dict(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        return {}
    return {str(k): to_json(v) for k, v in value.items()}


def dag_info(dag: Dag, file: str) -> DagInfo:
    """The IR for one DAG (tasks sorted by id, upstream ids sorted)."""
    schedule, schedule_assets = _schedule(dag)
    tags = dag.kwargs.get("tags")
    description = dag.kwargs.get("description")
    params = {**_json_dict(dag.kwargs.get("params")), **_json_dict(dag.extra_params)}
    tasks = [task_info(t) for t in dag.tasks.values() if not t.ghost]
    tasks.sort(key=lambda t: t.task_id)
    assert dag.dag_id is not None
    return DagInfo(
        dag_id=dag.dag_id,
        file=file,
        line=dag.line,
        schedule=schedule,
        schedule_assets=schedule_assets,
        tags=tuple(sorted({t for t in tags if isinstance(t, str)}))
        if isinstance(tags, (list, tuple, set, frozenset)) else (),
        params=params,
        default_args=_json_dict(dag.default_args),
        description=description if isinstance(description, str) else None,
        tasks=tuple(tasks),
    )


def task_info(task: Task) -> TaskInfo:
    """The IR for one task."""
    group = task.group
    return TaskInfo(
        task_id=task.task_id,
        operator=task.operator,
        operator_module=task.operator_module,
        kwargs=task.kwargs,
        upstream=tuple(sorted(u.task_id for u in task.upstream if not u.ghost)),
        group=group.group_id if group is not None and group.raw_id is not None else None,
        trigger_rule=task.trigger_rule if task.trigger_rule != "?" else None,
        retries=task.retries,
        outlets=tuple(task.outlets),
        inlets=tuple(task.inlets),
        mapped=task.mapped,
        is_setup=task.is_setup,
        is_teardown=task.is_teardown,
        callable_name=task.callable_name,
        data_inputs=dict(task.data_inputs),
        line=task.line,
    )


def check_cycles(interp: Interpreter, dag: Dag) -> None:
    """An error diagnostic naming one cycle, when the DAG's task graph has one."""
    tasks = [t for t in dag.tasks.values() if not t.ghost]
    if _is_acyclic(tasks):
        return
    import networkx as nx  # only when there is a cycle to name

    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from((u.task_id, t.task_id) for t in tasks for u in t.upstream if not u.ghost)
    edges = nx.find_cycle(graph)
    path = " -> ".join([edges[0][0], *(v for _, v in edges)])
    interp.warn("cycle", f"DAG {dag.dag_id!r} has a dependency cycle: {path}; Airflow "
                "rejects this DAG", dag.line, level="error", dag_id=dag.dag_id)


def _is_acyclic(tasks: list[Task]) -> bool:
    """Kahn's algorithm: a cheap check before asking networkx for the cycle itself."""
    pending = {id(t): sum(1 for u in t.upstream if not u.ghost) for t in tasks}
    ready = [t for t in tasks if pending[id(t)] == 0]
    done = 0
    while ready:
        task = ready.pop()
        done += 1
        for down in task.downstream:
            key = id(down)
            if key in pending:
                pending[key] -= 1
                if pending[key] == 0:
                    ready.append(down)
    return done == len(tasks)
