"""Decorators: ``@task`` (and flavors), ``@setup``/``@teardown``, ``@task_group``, ``@dag``,
``@asset``; applied bare (``@task``) or configured (``@task(retries=2)``)."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from translators.static import _assets, _dags
from translators.static._callables import (
    CallSite,
    DagFunc,
    Decorator,
    Function,
    TaskFlowFunc,
    TaskGroupFunc,
)
from translators.static._imports import symbol_kind, taskflow_flavor
from translators.static._objects import AssetRef, QualName, Unknown

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

#: ``@task.<name>`` attributes that modify a task instead of choosing a flavor
_MODIFIERS = frozenset({"run_if", "skip_if"})
_KIND_OF_SYMBOL = {
    "dag_decorator": "dag",
    "task_group_decorator": "task_group",
    "setup_decorator": "setup",
    "teardown_decorator": "teardown",
    "asset_decorator": "asset",
}


def decorator_kind(qual: QualName) -> str | None:
    """The decorator a qualified name stands for (``task``, ``dag`` ...), or None."""
    if taskflow_flavor(qual) is not None:
        return "modifier" if qual.last in _MODIFIERS else "task"
    if qual.last == "multi" and symbol_kind(QualName(qual.module)) == "asset_decorator":
        return "asset_multi"
    kind = symbol_kind(qual)
    return _KIND_OF_SYMBOL.get(kind) if kind else None


def _module(qual: QualName) -> str:
    """The module a decorator was imported from (``airflow.sdk`` for ``task.bash`` too)."""
    if taskflow_flavor(qual) is not None and qual.last != "task":
        return QualName(qual.module).module
    return qual.module


def _sources(interp: Interpreter, site: CallSite) -> dict[str, str]:
    return {name: interp.segment(node) for name, node in site.kw_nodes.items()}


def call_decorator_symbol(interp: Interpreter, qual: QualName, kind: str, args: list[object],
                          kwargs: dict[str, object], site: CallSite) -> object:
    """A call of a decorator name: ``task(fn)`` wraps at once, ``task(retries=2)`` configures."""
    flavor = taskflow_flavor(qual) or "python"
    if kind == "modifier":
        return Decorator(kind="modifier")
    first = args[0] if args else kwargs.get("python_callable")
    if kind in {"task", "setup", "teardown", "task_group", "dag"} and (
        isinstance(first, (Function, TaskFlowFunc))
        or (isinstance(first, QualName) and kind == "task")
    ):
        rest = {k: v for k, v in kwargs.items() if k != "python_callable"}
        base = Decorator(kind=kind, flavor=flavor, module=_module(qual), kwargs=rest,
                         sources=_sources(interp, site), line=site.line)
        return finish(interp, base, first, site.line)
    return Decorator(kind=kind, flavor=flavor, module=_module(qual), args=list(args),
                     kwargs=dict(kwargs), sources=_sources(interp, site), line=site.line)


def apply_decorator(interp: Interpreter, decorator: object, target: object,
                    node: ast.expr) -> object:
    """``@decorator`` over ``target`` (a function or an already decorated value)."""
    line = getattr(node, "lineno", interp.line)
    if isinstance(decorator, QualName):
        kind = decorator_kind(decorator)
        if kind is None:
            return target
        bare = Decorator(kind=kind, flavor=taskflow_flavor(decorator) or "python",
                         module=_module(decorator), line=line)
        return finish(interp, bare, target, line)
    if isinstance(decorator, Decorator):
        return finish(interp, decorator, target, line)
    if isinstance(decorator, Function):
        return interp.call_function(decorator, [target], {}, line)
    return target  # an unknown decorator is read as transparent


def finish(interp: Interpreter, decorator: Decorator, target: object, line: int) -> object:
    """Apply a configured decorator to its function."""
    kind = decorator.kind
    if kind == "modifier":
        return target
    if kind in {"task", "setup", "teardown"}:
        return _taskflow(decorator, target)
    if not isinstance(target, Function):
        return target
    if kind == "task_group":
        return TaskGroupFunc(target, kwargs=dict(decorator.kwargs))
    if kind == "dag":
        dag_id: object = decorator.kwargs.get("dag_id", target.name)
        if "dag_id" not in decorator.kwargs and decorator.args and isinstance(
            decorator.args[0], str
        ) and decorator.args[0].strip():
            dag_id = decorator.args[0]
        kwargs = {k: v for k, v in decorator.kwargs.items() if k != "dag_id"}
        return DagFunc(target, dag_id=dag_id, kwargs=kwargs, sources=dict(decorator.sources),
                       line=line)
    if kind in {"asset", "asset_multi"}:
        return _asset(interp, decorator, target, line)
    return target


def _taskflow(decorator: Decorator, target: object) -> object:
    is_setup = decorator.kind == "setup"
    is_teardown = decorator.kind == "teardown"
    if isinstance(target, TaskFlowFunc):
        if decorator.kind == "task":
            return target
        return replace(target, is_setup=target.is_setup or is_setup,
                       is_teardown=target.is_teardown or is_teardown,
                       kwargs={**target.kwargs, **decorator.kwargs})
    function = target if isinstance(target, Function) else None
    name = target.last if isinstance(target, QualName) else (
        target.source if isinstance(target, Unknown) else "")
    return TaskFlowFunc(function=function, kind=decorator.flavor, kwargs=dict(decorator.kwargs),
                        sources=dict(decorator.sources), module=decorator.module,
                        is_setup=is_setup, is_teardown=is_teardown, name=name)


def _asset(interp: Interpreter, decorator: Decorator, target: Function, line: int) -> object:
    """``@asset``: a one-task DAG producing the asset (Airflow 3)."""
    from translators.static import _tasks

    kwargs = decorator.kwargs
    if decorator.kind == "asset_multi":
        outlets = _assets.collect_refs(interp, kwargs.get("outlets"), line)
        result: object = Unknown(target.name)
        dag_default = target.name
    else:
        name = kwargs.get("name") or target.name
        uri = kwargs.get("uri")
        if not isinstance(name, str):
            return Unknown(target.name)
        ref = AssetRef(name=name, uri=uri if isinstance(uri, str) else name)
        outlets, result, dag_default = [ref], ref, name
    dag_kwargs = {k: v for k, v in kwargs.items()
                  if k in {"schedule", "description", "params", "tags", "dag_display_name"}}
    dag = _dags.new_dag(interp, kwargs.get("dag_id") or dag_default, dag_kwargs,
                        decorator.sources, line)
    interp.dag_stack.append(dag)
    try:
        fn = target
        params = [*fn.node.args.posonlyargs, *fn.node.args.args, *fn.node.args.kwonlyargs]
        inlets = [AssetRef(name=p.arg) for p in params
                  if p.arg not in {"self", "context", "outlet_events"}
                  and p.arg not in fn.defaults]
        _tasks.create_task(interp, _tasks.TaskSpec(
            raw_id=fn.name, operator="@asset", module=decorator.module,
            kwargs={"task_id": fn.name}, sources={}, line=line, callable_name=fn.name,
            extra_outlets=outlets, extra_inlets=inlets,
        ))
    finally:
        interp.dag_stack.pop()
        _dags.register(dag)
    return result
