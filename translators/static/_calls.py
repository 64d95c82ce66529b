"""Calls: what calling each kind of value does (Airflow symbols, operators, functions of the
file, TaskFlow functions, methods of tasks/groups/DAGs, allow-listed builtins)."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING

from translators.static import (
    _assets,
    _classes,
    _dags,
    _decorators,
    _edges,
    _groups,
    _setup_teardown,
    _taskflow,
    _tasks,
)
from translators.static._callables import (
    BoundMethod,
    CallSite,
    DagFunc,
    Decorator,
    Function,
    GlobalsProxy,
    Instance,
    LocalClass,
    PartialCall,
    PartialOperator,
    TaskFlowFunc,
    TaskGroupFunc,
)
from translators.static._imports import looks_like_operator, symbol_kind
from translators.static._objects import Dag, Group, Label, QualName, Task, Unknown, XComRef
from translators.static._stdlib import call_pure_function, is_pure_function
from translators.static._values import DATA_TYPES, UNKNOWN, call_builtin, call_method

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

_GRAPH_VALUES = (Task, XComRef, Group, Dag, Label)


def call(interp: Interpreter, fn: object, args: list[object], kwargs: dict[str, object],
         site: CallSite) -> object:
    """Call ``fn`` with evaluated arguments."""
    if isinstance(fn, QualName):
        return _call_symbol(interp, fn, args, kwargs, site)
    if isinstance(fn, Function):
        return interp.call_function(fn, args, kwargs, site.line)
    if isinstance(fn, TaskFlowFunc):
        return _taskflow.call_taskflow(interp, fn, args, kwargs, site)
    if isinstance(fn, TaskGroupFunc):
        return _groups.call_group_function(interp, fn, args, kwargs, site)
    if isinstance(fn, DagFunc):
        return _dags.call_dag_function(interp, fn, args, kwargs, site)
    if isinstance(fn, Decorator):
        return _decorators.finish(interp, fn, args[0] if args else None, site.line)
    if isinstance(fn, LocalClass):
        if fn.is_operator:
            return _tasks.create_operator(interp, fn, kwargs, site)
        return _classes.instantiate(interp, fn, args, kwargs, site)
    if isinstance(fn, BoundMethod):
        return _call_method(interp, fn, args, kwargs, site)
    if isinstance(fn, PartialCall):
        return call(interp, fn.fn, [*fn.args, *args], {**fn.kwargs, **kwargs}, site)
    _external(interp, fn, args, kwargs, site)
    return interp.unknown(site.node)


def _external(interp: Interpreter, fn: object, args: list[object], kwargs: dict[str, object],
              site: CallSite) -> None:
    """Warn when code the reader cannot see receives DAG objects or builds a task (the
    standard library, ``print(dag)`` or ``logging.info(task)``, is not suspicious)."""
    if isinstance(fn, QualName) and fn.name.partition(".")[0] in sys.stdlib_module_names:
        return
    if "task_id" in kwargs or any(
        isinstance(v, _GRAPH_VALUES) or (isinstance(v, list) and any(
            isinstance(i, _GRAPH_VALUES) for i in v))
        for v in [*args, *kwargs.values()]
    ):
        name = fn.name if isinstance(fn, QualName) else interp.segment(
            site.node.func if site.node is not None else None)
        interp.warn("dynamic-construct", f"{name}(...) is not defined in this file; tasks or "
                    "dependencies it creates are not read", site.line)


@functools.lru_cache(maxsize=4096)
def _symbol_call(name: str) -> tuple[str, str]:
    """What calling a qualified name does: (how, detail); cached per name."""
    qual = QualName(name)
    if qual.module == "builtins":
        return "builtin", qual.last
    if name == "functools.partial":
        return "partial_call", ""
    if is_pure_function(name):
        return "pure", ""
    decorator = _decorators.decorator_kind(qual)
    if decorator is not None:
        return "decorator", decorator
    kind = symbol_kind(qual)
    if kind is not None:
        return "airflow", kind
    parent = QualName(qual.module)
    if qual.last == "partial" and looks_like_operator(parent, False):
        return "partial", ""
    if qual.last == "ref" and symbol_kind(parent) == "asset":
        return "asset_ref", ""
    if looks_like_operator(qual, False):
        return "operator", ""
    if looks_like_operator(qual, True):
        return "operator_with_task_id", ""
    return "external", ""


def _call_symbol(interp: Interpreter, qual: QualName, args: list[object],
                 kwargs: dict[str, object], site: CallSite) -> object:
    how, detail = _symbol_call(qual.name)
    if how == "operator" or (how == "operator_with_task_id" and "task_id" in kwargs):
        return _tasks.create_operator(interp, qual, kwargs, site)
    if how == "builtin":
        if detail == "globals":
            return GlobalsProxy(interp.module)
        value = call_builtin(detail, args, kwargs)
        return interp.unknown(site.node) if value is UNKNOWN else value
    if how == "partial_call" and args:
        return PartialCall(args[0], list(args[1:]), dict(kwargs))
    if how == "pure":
        value = call_pure_function(qual.name, args, kwargs)
        return interp.unknown(site.node) if value is UNKNOWN else value
    if how == "decorator":
        return _decorators.call_decorator_symbol(interp, qual, detail, args, kwargs, site)
    if how == "airflow":
        return _call_airflow(interp, detail, args, kwargs, site)
    if how == "partial":
        return _partial(interp, QualName(qual.module), kwargs, site)
    if how == "asset_ref":
        return _assets.asset_ref(kwargs)
    _external(interp, qual, args, kwargs, site)
    return interp.unknown(site.node)


def _call_airflow(interp: Interpreter, kind: str, args: list[object],
                  kwargs: dict[str, object], site: CallSite) -> object:
    if kind == "dag":
        return _dags.create_dag(interp, args, kwargs, site)
    if kind == "task_group":
        return _groups.create_group_from_call(interp, args, kwargs, site)
    if kind == "label":
        return Label(args[0] if args else kwargs.get("label"))
    if kind == "chain":
        _edges.chain(interp, args)
        return None
    if kind == "chain_linear":
        _edges.chain_linear(interp, args)
        return None
    if kind == "cross_downstream":
        from_tasks = kwargs.get("from_tasks", args[0] if args else [])
        to_tasks = kwargs.get("to_tasks", args[1] if len(args) > 1 else [])
        _edges.cross_downstream(interp, from_tasks, to_tasks)
        return None
    if kind == "xcomarg":
        operator = args[0] if args else kwargs.get("operator")
        key = kwargs.get("key", args[1] if len(args) > 1 else "return_value")
        if isinstance(operator, Task):
            return XComRef((operator,), key=key if isinstance(key, str) else "return_value")
        return interp.unknown(site.node)
    if kind == "param":
        default = args[0] if args else kwargs.get("default")
        return default if isinstance(default, DATA_TYPES) else interp.unknown(site.node)
    if kind.startswith("asset"):
        value = _assets.make_asset(kind, args, kwargs)
        return interp.unknown(site.node) if isinstance(value, Unknown) else value
    return interp.unknown(site.node)


def _partial(interp: Interpreter, cls: QualName | LocalClass, kwargs: dict[str, object],
             site: CallSite) -> PartialOperator:
    sources = {key: interp.segment(node) for key, node in site.kw_nodes.items()}
    return PartialOperator(cls, dict(kwargs), sources, site.line)


def _expand(interp: Interpreter, partial: PartialOperator, name: str, args: list[object],
            kwargs: dict[str, object], site: CallSite) -> Task:
    if name == "expand":
        mapped = dict(kwargs)
        full = {**partial.kwargs, **mapped}
        shown = {**partial.kwargs, "expand": mapped}
    else:
        value = args[0] if args else kwargs.get("kwargs")
        full = {**partial.kwargs, "expand_kwargs": value}
        shown = full
    sources = {**partial.sources,
               **{key: interp.segment(node) for key, node in site.kw_nodes.items()}}
    at = CallSite(site.node, partial.line, unknown_splat=site.unknown_splat)
    return _tasks.create_operator(interp, partial.cls, full, at, mapped=True, sources=sources,
                                  shown=shown)


def _call_method(interp: Interpreter, method: BoundMethod, args: list[object],
                 kwargs: dict[str, object], site: CallSite) -> object:
    obj, name = method.obj, method.name
    if isinstance(obj, (Task, XComRef, Group, Label)):
        result = _node_method(interp, obj, name, args, kwargs)
        if result is not UNKNOWN:
            return result
    elif isinstance(obj, TaskFlowFunc):
        value = _taskflow.taskflow_method(interp, obj, name, args, kwargs, site)
        if value is not None:
            return value
    elif isinstance(obj, TaskGroupFunc):
        value = _groups.group_function_method(interp, obj, name, args, kwargs, site)
        if value is not None:
            return value
    elif isinstance(obj, LocalClass) and obj.is_operator and name == "partial":
        return _partial(interp, obj, kwargs, site)
    elif isinstance(obj, (Instance, LocalClass)):
        return _classes.call_method(interp, obj, name, args, kwargs, site)
    elif isinstance(obj, PartialOperator) and name in {"expand", "expand_kwargs"}:
        return _expand(interp, obj, name, args, kwargs, site)
    elif isinstance(obj, Dag) and name in {"add_task", "add_tasks"}:
        for task in args[0] if name == "add_tasks" and isinstance(args[0], list) else args:
            if isinstance(task, Task) and task.dag is None:
                interp.orphans.pop(task, None)
                _tasks.add_to_dag(interp, task, obj, obj.root)
        return None
    elif isinstance(obj, GlobalsProxy) and name == "update" and args:
        if isinstance(args[0], dict):
            obj.scope.vars.update({k: v for k, v in args[0].items() if isinstance(k, str)})
        return None
    elif isinstance(obj, DATA_TYPES):
        value = call_method(obj, name, args, kwargs)
        return interp.unknown(site.node) if value is UNKNOWN else value
    return interp.unknown(site.node)


def _node_method(interp: Interpreter, obj: Task | XComRef | Group | Label, name: str,
                 args: list[object], kwargs: dict[str, object]) -> object:
    """Dependency and setup/teardown methods of tasks, XComArgs, groups and labels."""
    if name in {"set_upstream", "set_downstream"}:
        other = args[0] if args else kwargs.get("task_or_task_list")
        _edges.set_relatives(interp, obj, other, upstream=name == "set_upstream")
        return None
    if name == "update_relative":
        return None
    if name == "as_setup":
        return _setup_teardown.as_setup(obj)
    if name == "as_teardown":
        return _setup_teardown.as_teardown(interp, obj, kwargs.get("setups"))
    if isinstance(obj, XComRef) and name in {"map", "zip", "concat"}:
        tasks = list(obj.tasks)
        for other in args:
            if isinstance(other, XComRef):
                tasks.extend(other.tasks)
        return XComRef(tuple(tasks), key=obj.key)
    return UNKNOWN
