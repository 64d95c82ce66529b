"""Dependencies: ``>>``, ``<<``, ``set_upstream``/``set_downstream``, ``chain``,
``chain_linear``, ``cross_downstream`` and edge labels, with Airflow's semantics.

The functions mirror ``DAGNode._set_relatives``, ``TaskGroup._set_relatives`` and
``EdgeModifier`` so that lists, groups (roots/leaves at the time the edge is set), XCom
references and labels behave as in Airflow. What cannot be resolved is reported as
``unresolved-dependency`` and left out; edges to tasks with unresolved ids are dropped
silently (their own diagnostic already says so).
"""

from __future__ import annotations

import ast
import itertools
from typing import TYPE_CHECKING

from translators.static import _groups, _tasks
from translators.static._objects import Group, Label, Task, Unknown, XComRef

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

_NODES = (Task, XComRef, Group, Label)


def is_node(value: object) -> bool:
    """True for values that take part in dependencies (tasks, XComArgs, groups, labels)."""
    return isinstance(value, _NODES)


def _describe(interp: Interpreter, value: object) -> str:
    if isinstance(value, Unknown):
        return repr(value.source)
    return f"a {type(value).__name__} value"


def _unresolved(interp: Interpreter, value: object) -> None:
    interp.warn("unresolved-dependency", f"dependency on {_describe(interp, value)} cannot be "
                "resolved statically; the edge is left out")


def connect(interp: Interpreter, upstream: Task, downstream: Task) -> None:
    """Add the edge ``upstream >> downstream`` (a task without a DAG joins the other's)."""
    if upstream.ghost or downstream.ghost:
        return
    if upstream.dag is None and downstream.dag is not None:
        _attach(interp, upstream, downstream)
    elif downstream.dag is None and upstream.dag is not None:
        _attach(interp, downstream, upstream)
    if upstream.dag is not downstream.dag:
        if upstream.dag is not None and downstream.dag is not None:
            interp.warn("unresolved-dependency", f"tasks {upstream.task_id!r} and "
                        f"{downstream.task_id!r} are in different DAGs; the edge is left out")
        return
    upstream.downstream[downstream] = None
    downstream.upstream[upstream] = None
    interp.created += 1


def _attach(interp: Interpreter, orphan: Task, other: Task) -> None:
    dag = other.dag
    interp.orphans.pop(orphan, None)
    group = interp.current_group(dag)
    if group is not None:
        orphan.task_id = group.child_id(orphan.task_id)
    _tasks.add_to_dag(interp, orphan, dag, group)


def roots(interp: Interpreter, value: object) -> list[Task] | None:
    """The tasks a value stands for on the downstream side of an edge."""
    if isinstance(value, Task):
        return [value]
    if isinstance(value, XComRef):
        return list(value.tasks)
    if isinstance(value, Group):
        return _groups.roots(value)
    if isinstance(value, Label):
        return _flatten(interp, value.downstream, upstream_side=False)
    return None


def leaves(interp: Interpreter, value: object) -> list[Task] | None:
    """The tasks a value stands for on the upstream side of an edge."""
    if isinstance(value, (Task, XComRef)):
        return roots(interp, value)
    if isinstance(value, Group):
        return _groups.leaves(value)
    if isinstance(value, Label):
        return _flatten(interp, value.upstream, upstream_side=True)
    return None


def _flatten(interp: Interpreter, nodes: list[object], *, upstream_side: bool) -> list[Task]:
    found: list[Task] = []
    for node in nodes:
        tasks = leaves(interp, node) if upstream_side else roots(interp, node)
        found.extend(tasks or [])
    return found


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def set_relatives(interp: Interpreter, node: object, other: object, *, upstream: bool) -> None:
    """``node.set_upstream(other)`` when ``upstream``, else ``node.set_downstream(other)``."""
    if isinstance(node, Task):
        _task_relatives(interp, node, other, upstream)
    elif isinstance(node, XComRef):
        for task in node.tasks:
            _task_relatives(interp, task, other, upstream)
    elif isinstance(node, Group):
        _group_relatives(interp, node, other, upstream)
    elif isinstance(node, Label):
        _label_relatives(interp, node, other, upstream)
    else:
        _unresolved(interp, node)


def _task_relatives(interp: Interpreter, task: Task, other: object, upstream: bool) -> None:
    found: list[Task] = []
    for item in _items(other):
        _update_relative(interp, item, task, other_is_upstream=not upstream)
        tasks = leaves(interp, item) if upstream else roots(interp, item)
        if tasks is None:
            _unresolved(interp, item)
            continue
        found.extend(tasks)
    for relative in found:
        if upstream:
            connect(interp, relative, task)
        else:
            connect(interp, task, relative)


def _update_relative(interp: Interpreter, item: object, other: object, *,
                     other_is_upstream: bool) -> None:
    """``item.update_relative(other, upstream=other_is_upstream)``."""
    if isinstance(item, Label):
        _label_relatives(interp, item, other, other_is_upstream)
    elif isinstance(item, Group) and other_is_upstream and not isinstance(other, Group):
        for task in roots(interp, other) or []:
            item.upstream_task_ids.add(task.task_id)


def _group_relatives(interp: Interpreter, group: Group, other: object, upstream: bool) -> None:
    items = _items(other)
    group_leaves = _groups.find_leaves(group)
    for item in items:
        _update_relative(interp, group, item, other_is_upstream=upstream)
    if upstream:
        for task in _groups.roots(group):
            _task_relatives(interp, task, items, True)
    else:
        for task in group_leaves:
            _task_relatives(interp, task, items, False)


def _label_relatives(interp: Interpreter, label: Label, other: object, upstream: bool) -> None:
    """``EdgeModifier.set_upstream``/``set_downstream``: remember, then connect through."""
    nodes = [n for n in _items(other) if is_node(n)]
    for item in _items(other):
        if not is_node(item):
            _unresolved(interp, item)
    (label.upstream if upstream else label.downstream).extend(nodes)
    if label.upstream and label.downstream:
        _convert_streams(label)
    for node in (label.downstream if upstream else label.upstream):
        set_relatives(interp, node, other, upstream=upstream)


def _convert_streams(label: Label) -> None:
    """Nodes from different groups are replaced by their groups (Airflow's labels do this)."""
    group_ids: set[str | None] = set()
    for node in [*label.upstream, *label.downstream]:
        task = node.tasks[0] if isinstance(node, XComRef) and node.tasks else node
        if isinstance(task, Task) and task.group is not None:
            group_ids.add("root" if task.group.raw_id is None else task.group.group_id)
        elif isinstance(node, Group):
            group_ids.add(node.group_id)
    if len(group_ids) != 1:
        label.upstream = [_group_of(n) for n in label.upstream]
        label.downstream = [_group_of(n) for n in label.downstream]


def _group_of(node: object) -> object:
    if isinstance(node, Task) and node.group is not None and node.group.raw_id is not None:
        return node.group
    return node


def shift(interp: Interpreter, left: object, right: object, rshift: bool,
          node: ast.AST | None = None) -> object:
    """``left >> right`` / ``left << right``; returns what Python returns (the right side)."""
    if is_node(left):
        set_relatives(interp, left, right, upstream=not rshift)
        return right
    if isinstance(left, (list, tuple)) and is_node(right):
        set_relatives(interp, right, left, upstream=rshift)
        return right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        interp.warn("unresolved-dependency", f"{interp.segment(node) or 'list >> list'!r}: a "
                    "list cannot be shifted into a list (Airflow raises TypeError)")
        return right
    _unresolved(interp, left if not is_node(left) and not isinstance(left, (list, tuple))
                else right)
    return right


def chain(interp: Interpreter, elements: list[object]) -> None:
    """``chain(a, [b, c], [d, e], f)``: pairs equal-length lists element by element."""
    for up, down in itertools.pairwise(elements):
        if is_node(up):
            set_relatives(interp, up, down, upstream=False)
        elif is_node(down):
            set_relatives(interp, down, up, upstream=True)
        elif not isinstance(up, (list, tuple)) or not isinstance(down, (list, tuple)):
            _unresolved(interp, up if not isinstance(up, (list, tuple)) else down)
        elif len(up) != len(down):
            interp.warn("unresolved-dependency", f"chain() between lists of different length "
                        f"({len(up)} and {len(down)}); Airflow raises ValueError")
        else:
            for up_item, down_item in zip(up, down, strict=True):
                set_relatives(interp, up_item, down_item, upstream=False)


def chain_linear(interp: Interpreter, elements: list[object]) -> None:
    """``chain_linear(a, [b, c], [d, e, f], g)``: every element of one step to the next."""
    previous: list[object] | None = None
    for element in elements:
        if isinstance(element, Label):
            interp.warn("unresolved-dependency", "labels are not supported by chain_linear")
            return
        if previous is not None:
            for task in previous:
                shift(interp, task, element, True)
        previous = [element] if is_node(element) else _items(element)


def cross_downstream(interp: Interpreter, from_tasks: object, to_tasks: object) -> None:
    """Every task of ``from_tasks`` upstream of every task of ``to_tasks``."""
    for task in _items(from_tasks):
        set_relatives(interp, task, to_tasks, upstream=False)
