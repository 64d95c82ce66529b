"""Attribute access, subscripts and attribute assignment on the reader's values."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from translators.static import _classes
from translators.static._callables import (
    BoundMethod,
    Function,
    GlobalsProxy,
    Instance,
    LocalClass,
)
from translators.static._imports import trigger_rule_member
from translators.static._objects import AssetRef, Dag, Group, QualName, Task, Unknown, XComRef
from translators.static._stdlib import PATH_ATTRIBUTES
from translators.static._values import DATA_TYPES, SAFE_METHODS

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


def get_attr(interp: Interpreter, obj: object, name: str, node: ast.expr) -> object:
    """``obj.name``: qualified names grow, task/DAG/group properties resolve, methods bind."""
    if isinstance(obj, QualName):
        qual = QualName(f"{obj.name}.{name}")
        member = trigger_rule_member(qual)
        return member if member is not None else qual
    if isinstance(obj, Unknown):
        return interp.unknown(node)
    if isinstance(obj, (Instance, LocalClass)):
        return _classes.get_attr(interp, obj, name, node)
    if isinstance(obj, Task):
        return _task_attr(obj, name)
    if isinstance(obj, XComRef):
        if name == "operator" and obj.tasks:
            return obj.tasks[0]
        return BoundMethod(obj, name)
    if isinstance(obj, Dag):
        if name == "dag_id":
            return obj.dag_id if obj.dag_id is not None else interp.unknown(node)
        if name == "task_group":
            return obj.root
        if name == "default_args":
            return obj.default_args
        return BoundMethod(obj, name)
    if isinstance(obj, Group):
        if name == "group_id":
            return obj.group_id
        return BoundMethod(obj, name)
    if isinstance(obj, AssetRef):
        if name in {"name", "uri"}:
            return getattr(obj, name)
        return BoundMethod(obj, name)
    if isinstance(obj, Function) and name == "__name__":
        return obj.name
    if isinstance(obj, PurePosixPath) and name in PATH_ATTRIBUTES:
        value: object = getattr(obj, name)
        return list(value) if isinstance(value, tuple) else value
    if isinstance(obj, DATA_TYPES):
        methods = SAFE_METHODS.get(type(obj), frozenset())
        return BoundMethod(obj, name) if name in methods else interp.unknown(node)
    if isinstance(obj, BoundMethod | Function):
        return interp.unknown(node)
    return BoundMethod(obj, name)


def _task_attr(task: Task, name: str) -> object:
    if name == "output":
        return XComRef((task,))
    if name == "task_id":
        return task.task_id
    if name in {"roots", "leaves"}:
        return [task]
    if name == "trigger_rule":
        return task.trigger_rule
    return BoundMethod(task, name)


def get_item(interp: Interpreter, obj: object, key: object, node: ast.Subscript) -> object:
    """``obj[key]``: plain containers, ``xcom["key"]``, ``globals()["name"]``, ``group["id"]``."""
    if isinstance(obj, Unknown) or isinstance(key, Unknown):
        return interp.unknown(node)
    if isinstance(obj, XComRef):
        return XComRef(obj.tasks, key=key if isinstance(key, str) else obj.key)
    if isinstance(obj, GlobalsProxy) and isinstance(key, str):
        return obj.scope.vars.get(key, interp.unknown(node))
    if isinstance(obj, Group) and isinstance(key, str):
        child = obj.children.get(obj.child_id(key))
        return child if child is not None else interp.unknown(node)
    if isinstance(obj, (list, tuple, str, dict)):
        try:
            value: object = obj[key]  # type: ignore[index,call-overload]
        except Exception:
            return interp.unknown(node)
        return value
    return interp.unknown(node)


def set_attr(interp: Interpreter, obj: object, name: str, value: object) -> None:
    """``obj.name = value`` on instances of the file's classes, and where it changes the
    graph (a task's trigger rule, retries, DAG)."""
    if isinstance(obj, Instance):
        obj.attrs[name] = value
        return
    if not isinstance(obj, Task):
        return
    if name == "trigger_rule" and isinstance(value, str):
        obj.trigger_rule = value
    elif name == "retries" and isinstance(value, int):
        obj.retries = value
    elif name == "dag" and isinstance(value, Dag) and obj.dag is None:
        from translators.static import _tasks

        interp.orphans.pop(obj, None)
        _tasks.add_to_dag(interp, obj, value, value.root)
