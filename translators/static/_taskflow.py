"""TaskFlow: calling ``@task`` functions, ``.override()``, ``.partial()``, ``.expand()``.

Calling a decorated function creates a task (id: ``task_id=`` of the decorator or
``.override()``, else the function name; repeated calls get ``__1``, ``__2`` like Airflow)
and returns an XCom reference to it. Arguments that are XCom references become upstream
edges and ``data_inputs`` (argument name -> upstream task id). The function body is never
run: it is the task's code, not DAG structure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from translators.static import _tasks
from translators.static._callables import CallSite, TaskFlowFunc
from translators.static._objects import XComRef

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


def operator_name(func: TaskFlowFunc) -> str:
    """``@task`` for Python tasks, ``@task.bash`` and so on for the other flavors."""
    return "@task" if func.kind == "python" else f"@task.{func.kind}"


def _param_names(func: TaskFlowFunc) -> tuple[list[str], str | None]:
    if func.function is None:
        return [], None
    params = func.function.node.args
    vararg = params.vararg.arg if params.vararg is not None else None
    return [p.arg for p in (*params.posonlyargs, *params.args)], vararg


def call_taskflow(interp: Interpreter, func: TaskFlowFunc, args: list[object],
                  kwargs: dict[str, object], site: CallSite, *,
                  mapped_by: tuple[str, object] | None = None) -> XComRef:
    """Create the task a call of a TaskFlow function creates; return its XCom reference."""
    names, vararg = _param_names(func)
    # XCom references in decorator/override arguments (``env=``...) are dependencies too
    data_args: dict[str, object] = {**func.kwargs, **func.partial_kwargs}
    for index, value in enumerate(args):
        if index < len(names):
            data_args[names[index]] = value
        else:
            data_args[f"{vararg or 'args'}.{index - len(names)}"] = value
    data_args.update(kwargs)
    shown: dict[str, object] = dict(func.kwargs)
    if args:
        shown["op_args"] = list(args)
    op_kwargs = {**func.partial_kwargs, **kwargs}
    if op_kwargs:
        shown["op_kwargs"] = op_kwargs
    if mapped_by is not None:  # ("expand", {name: values}) or ("expand_kwargs", value)
        how, value = mapped_by
        if how == "expand" and isinstance(value, dict):
            data_args.update(value)
        else:
            data_args[how] = value
        shown[how] = value
    spec_kwargs = dict(func.kwargs)
    task = _tasks.create_task(interp, _tasks.TaskSpec(
        raw_id=func.kwargs.get("task_id", func.function_name),
        operator=operator_name(func),
        module=func.module,
        kwargs=spec_kwargs,
        sources=func.sources,
        line=site.line,
        callable_name=func.function_name or None,
        mapped=mapped_by is not None,
        unique=True,
        is_setup=func.is_setup,
        is_teardown=func.is_teardown,
        data_args=data_args,
        shown_kwargs=shown,
    ))
    return XComRef((task,))


def taskflow_method(interp: Interpreter, func: TaskFlowFunc, name: str, args: list[object],
                    kwargs: dict[str, object], site: CallSite) -> object:
    """``.override()``, ``.partial()``, ``.expand()``, ``.expand_kwargs()`` of a TaskFlow
    function; None when ``name`` is not one of them."""
    sources = {key: interp.segment(node) for key, node in site.kw_nodes.items()}
    if name == "override":
        return replace(func, kwargs={**func.kwargs, **kwargs},
                       sources={**func.sources, **sources})
    if name == "partial":
        return replace(func, partial_kwargs={**func.partial_kwargs, **kwargs})
    if name == "expand":
        return call_taskflow(interp, func, [], {}, site, mapped_by=("expand", dict(kwargs)))
    if name == "expand_kwargs":
        value = args[0] if args else kwargs.get("kwargs")
        return call_taskflow(interp, func, [], {}, site, mapped_by=("expand_kwargs", value))
    return None
