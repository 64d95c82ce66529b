"""Task groups: ``TaskGroup(...)`` and ``@task_group`` functions, ids, roots and leaves.

Ids follow Airflow: a child's id is prefixed with the group id unless the group has
``prefix_group_id=False``; a ``@task_group`` function called again gets ``__1``, ``__2``
suffixes (``add_suffix_on_collision``); a group used in a dependency stands for its roots
(downstream side) or leaves (upstream side), computed when the dependency is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from translators.static._callables import CallSite, TaskGroupFunc
from translators.static._objects import Dag, Group, Task, Unknown, XComRef
from translators.static._values import truth

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


def create_group(interp: Interpreter, raw_id: object, kwargs: dict[str, object], line: int,
                 *, add_suffix: bool) -> Group | Unknown:
    """A new task group under the current (or given) parent, registered in its DAG."""
    parent_arg = kwargs.get("parent_group")
    dag_arg = kwargs.get("dag")
    parent = parent_arg if isinstance(parent_arg, Group) else (
        interp.group_stack[-1] if interp.group_stack else None)
    dag = dag_arg if isinstance(dag_arg, Dag) else (
        parent.dag if parent is not None else interp.current_dag())
    if dag is None:
        interp.warn("dynamic-construct", "a TaskGroup outside any DAG the reader found is "
                    "ignored", line)
        return Unknown("TaskGroup(...)")
    if parent is None:
        parent = dag.root
    own_defaults = kwargs.get("default_args")
    group = Group(
        raw_id="?", dag=dag, parent=parent, line=line,
        prefix_group_id=truth(kwargs.get("prefix_group_id", True)) is not False,
        default_args={**parent.default_args,
                      **(own_defaults if isinstance(own_defaults, dict) else {})},
        ghost=parent.ghost,
    )
    if not isinstance(raw_id, str) or not raw_id:
        source = raw_id.source if isinstance(raw_id, Unknown) else repr(raw_id)
        interp.warn("unresolved-task-id", f"the task group id {source!r} cannot be resolved "
                    "statically; its tasks are left out", line, dag_id=dag.dag_id)
        group.ghost = True
        return group
    group.raw_id = raw_id
    _register(interp, group, dag, parent, add_suffix=add_suffix)
    return group


def _register(interp: Interpreter, group: Group, dag: Dag, parent: Group, *,
              add_suffix: bool) -> None:
    group_id = group.group_id or ""
    raw = group.raw_id or ""
    if group_id in dag.used_group_ids:
        if not add_suffix:
            interp.warn("duplicate-task-id", f"task group id {group_id!r} is already used in "
                        f"DAG {dag.dag_id!r}; Airflow rejects this DAG", group.line,
                        level="error", dag_id=dag.dag_id)
            group.ghost = True
            return
        # Airflow matches the un-prefixed stem against the (prefixed) used ids
        stem = re.split(r"__\d+$", raw)[0]
        pattern = re.compile(rf"^{re.escape(stem)}__(\d+)$")
        numbers = [int(m.group(1)) for used in dag.used_group_ids if (m := pattern.match(used))]
        group.raw_id = f"{stem}__{max(numbers) + 1}" if numbers else f"{raw}__1"
        group_id = group.group_id or ""
    if group_id in parent.children:
        interp.warn("duplicate-task-id", f"task group id {group_id!r} is already used in DAG "
                    f"{dag.dag_id!r}; Airflow rejects this DAG", group.line, level="error",
                    dag_id=dag.dag_id)
        group.ghost = True
        return
    dag.used_group_ids.update({group_id, f"{group_id}.downstream_join_id",
                               f"{group_id}.upstream_join_id"})
    parent.children[group_id] = group


def create_group_from_call(interp: Interpreter, args: list[object], kwargs: dict[str, object],
                           site: CallSite) -> Group | Unknown:
    """``TaskGroup("id", ...)`` / ``TaskGroup(group_id="id", ...)``."""
    raw_id = kwargs.get("group_id", args[0] if args else Unknown("TaskGroup(...)"))
    return create_group(interp, raw_id, kwargs, site.line,
                        add_suffix=truth(kwargs.get("add_suffix_on_collision")) is True)


def call_group_function(interp: Interpreter, func: TaskGroupFunc, args: list[object],
                        kwargs: dict[str, object], site: CallSite,
                        mapped_by: dict[str, object] | None = None) -> object:
    """Call a ``@task_group`` function: run its body inside a new group.

    Returns what the function returns, or the group when it returns None (Airflow).
    Under ``.expand()``, mapped parameters are references to the expanded values.
    """
    raw_id = func.kwargs.get("group_id", func.function.name)
    group = create_group(interp, raw_id, func.kwargs, site.line, add_suffix=True)
    if not isinstance(group, Group):
        return group
    call_kwargs = {**func.partial_kwargs, **kwargs}
    if mapped_by is not None:
        group.mapped = True
        for name, value in mapped_by.items():
            call_kwargs[name] = _mapped_argument(value)
    interp.group_stack.append(group)
    try:
        result = interp.call_function(func.function, args, call_kwargs, site.line)
    finally:
        interp.group_stack.pop()
    return group if result is None else result


def _mapped_argument(value: object) -> object:
    """Inside a mapped group a parameter resolves at run time; it still depends on the
    tasks whose output is expanded."""
    refs: list[Task] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, XComRef):
            refs.extend(item.tasks)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return XComRef(tuple(refs)) if refs else Unknown("mapped argument")


def group_function_method(interp: Interpreter, func: TaskGroupFunc, name: str,
                          args: list[object], kwargs: dict[str, object],
                          site: CallSite) -> object:
    """``.override()`` / ``.partial()`` / ``.expand()`` / ``.expand_kwargs()``; None otherwise."""
    if name == "override":
        return replace(func, kwargs={**func.kwargs, **kwargs})
    if name == "partial":
        return replace(func, partial_kwargs={**func.partial_kwargs, **kwargs})
    if name == "expand":
        return call_group_function(interp, func, [], {}, site, mapped_by=dict(kwargs))
    if name == "expand_kwargs":
        params = func.function.node.args
        names = [p.arg for p in (*params.posonlyargs, *params.args, *params.kwonlyargs)]
        value = args[0] if args else kwargs.get("kwargs")
        return call_group_function(interp, func, [], {}, site,
                                   mapped_by={n: value for n in names
                                              if n not in func.partial_kwargs})
    return None


def roots(group: Group) -> list[Task]:
    """Tasks of the group with no upstream inside the group (``TaskGroup.get_roots``)."""
    tasks = [t for t in group.tasks() if not t.ghost]
    inside = {id(t) for t in tasks}
    return [t for t in tasks if not any(id(u) in inside for u in t.upstream)]


def leaves(group: Group) -> list[Task]:
    """``TaskGroup.get_leaves``: tasks with no downstream inside the group, looking through
    teardowns to the work they tear down."""
    tasks = [t for t in group.tasks() if not t.ghost]
    inside = {id(t) for t in tasks}

    def has_non_teardown_downstream(task: Task, exclude: Task) -> bool:
        return any(d is not exclude and id(d) in inside and not d.is_teardown
                   for d in task.downstream)

    def first_non_teardown(task: Task) -> Iterator[Task]:
        for upstream in task.upstream:
            if id(upstream) not in inside:
                continue
            if upstream.is_teardown:
                yield from first_non_teardown(upstream)
            elif task.is_teardown and upstream.is_setup:
                continue
            elif not has_non_teardown_downstream(upstream, exclude=task):
                yield upstream

    result: list[Task] = []
    for task in tasks:
        if not any(id(d) in inside for d in task.downstream):
            if not task.is_teardown:
                result.append(task)
            else:
                result.extend(first_non_teardown(task))
    return result


def find_leaves(group: Group | None) -> list[Task]:
    """``TaskGroup._set_relatives``' leaves: an empty group stands for what is upstream of it
    (or of its parents)."""
    while group is not None:
        found = leaves(group)
        if found:
            return found
        if group.upstream_task_ids:
            return [group.dag.tasks[i] for i in sorted(group.upstream_task_ids)
                    if i in group.dag.tasks]
        group = group.parent
    return []
