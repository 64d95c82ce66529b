"""The live reader: DAG files loaded by Airflow's own ``DagBag``, converted to the IR.

Needs the ``airflow`` extra, imported only when :func:`read_live` runs (``_airflow_env``
prepares the process and loads the files). Lines come from the source, see ``_SourceLines``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from bridge.errors import TranslationError
from translators import _airflow_env as env
from translators.model import AssetExpression, AssetRef, DagInfo, Diagnostic, ReadResult, TaskInfo

__all__ = ["dag_info", "read_live"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
#: init kwargs that are wiring, or shown as TaskInfo fields of their own
_NOT_KWARGS = frozenset({"task_id", "dag", "task_group", "kwargs_to_upstream", "inlets", "outlets"})
#: what ``.partial()`` records for every mapped operator unless told otherwise
_PARTIAL_DEFAULTS = {"is_setup": False, "is_teardown": False, "on_failure_fail_dagrun": False,
                     "max_retry_delay": None}


def read_live(paths: Sequence[str | Path]) -> ReadResult:
    """Read DAG files and folders by importing them through Airflow's ``DagBag``.

    Args:
        paths: DAG files and folders (walked like Airflow's DAGs folder, ``.airflowignore``
            honoured, hidden directories and installed packages skipped).

    Returns:
        The DAGs found (sorted by id), import errors and warnings as diagnostics (one
        broken file never stops the others) and ``readers`` marking every file ``live``.

    Raises:
        TranslationError: Airflow is not installed, or is installed but cannot start.
    """
    if not env.airflow_available():
        raise TranslationError(
            "reading DAG files through Airflow (the live reader) requires the airflow extra: "
            "pip install 'assetbridge[airflow]', or read them statically"
        )
    _source_lines.cache_clear()
    with env.airflow_environment():
        loaded = env.load_dag_files(paths, dag_info)
    return ReadResult(
        dags=tuple(sorted(loaded.dags, key=lambda dag: (dag.dag_id, dag.file))),
        diagnostics=tuple(sorted(set(loaded.diagnostics), key=Diagnostic.sort_key)),
        readers=dict.fromkeys(loaded.files, "live"),
    )


def dag_info(dag: Any) -> DagInfo:
    """Convert one Airflow DAG (an ``airflow.sdk.DAG`` from a DagBag) to a :class:`DagInfo`."""
    lines = _source_lines(dag.fileloc)
    line = lines.dag(dag.dag_id)
    schedule, schedule_assets = _schedule(dag.schedule)
    return DagInfo(
        dag_id=dag.dag_id,
        file=dag.fileloc,
        line=line,
        schedule=schedule,
        schedule_assets=schedule_assets,
        tags=tuple(sorted(dag.tags)),
        params=_plain(dag.params.dump()),
        default_args=_plain(dict(dag.default_args)),
        description=dag.description,
        tasks=tuple(
            _task_info(task, dag, lines, line or 0)
            for task in sorted(dag.tasks, key=lambda t: t.task_id)
        ),
    )


def _task_info(task: Any, dag: Any, lines: _SourceLines, dag_line: int) -> TaskInfo:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    mapped = isinstance(task, MappedOperator)
    name = task.operator_name
    function = getattr(task, "python_callable", None)
    if function is None and mapped:
        function = task.partial_kwargs.get("python_callable")
    given = _given_kwargs(task, mapped)
    group = task.task_group.group_id if task.task_group is not None else None
    local_id = task.task_id.removeprefix(f"{group}.") if group else task.task_id  # as written
    return TaskInfo(
        task_id=task.task_id,
        operator=name if name.startswith("@") else task.task_type,
        operator_module=getattr(task, "operator_class", type(task)).__module__,
        kwargs=_kwargs(given, dag, mapped),
        upstream=tuple(sorted(task.upstream_task_ids)),
        group=group,
        trigger_rule=str(_plain(task.trigger_rule)),
        retries=None if task.retries is None else int(task.retries),
        outlets=tuple(ref for ref in map(_asset_ref, task.outlets) if ref is not None),
        inlets=tuple(ref for ref in map(_asset_ref, task.inlets) if ref is not None),
        mapped=mapped,
        is_setup=bool(task.is_setup),
        is_teardown=bool(task.is_teardown),
        callable_name=getattr(function, "__name__", None),
        data_inputs=_data_inputs(function, given),
        line=lines.task(dag.dag_id, task.task_id, local_id, dag_line)
        or _definition_line(function, dag.fileloc),
    )


def _given_kwargs(task: Any, mapped: bool) -> dict[str, Any]:
    """The keyword arguments the operator was built with (mapped: ``.partial`` + ``.expand``)."""
    if not mapped:
        return dict(getattr(task, "_BaseOperator__init_kwargs", {}))
    given = dict(task.partial_kwargs)
    taskflow = getattr(task, "op_kwargs_expand_input", None)
    expanded = (taskflow or task.expand_input).value
    if not isinstance(expanded, dict):
        given["expand_kwargs"] = expanded
    elif taskflow is not None:
        given["op_kwargs"] = {**(given.get("op_kwargs") or {}), **expanded}
    else:
        given |= expanded
    return given


def _kwargs(given: dict[str, Any], dag: Any, mapped: bool) -> dict[str, Any]:
    """``given`` as plain data, minus wiring and values inherited unchanged."""
    from airflow.sdk.bases.operator import OPERATOR_DEFAULTS

    inherited = {**dag.default_args, "params": dag.params.dump()}
    if mapped:
        inherited |= {**OPERATOR_DEFAULTS, **_PARTIAL_DEFAULTS}
    if isinstance(given.get("params"), Mapping):  # Param objects -> their values
        given = {**given, "params": {k: getattr(v, "value", v) for k, v in given["params"].items()}}
    return {
        key: _plain(value)
        for key, value in sorted(given.items())
        if key not in _NOT_KWARGS
        and not (key in inherited and _plain(value) == _plain(inherited[key]))
    }


def _data_inputs(function: Any, given: dict[str, Any]) -> dict[str, str]:
    """Parameter name -> the one upstream task whose XCom it receives (XComArg arguments)."""
    from airflow.sdk import XComArg

    args = given["op_args"] if isinstance(given.get("op_args"), (list, tuple)) else ()
    kwargs = given["op_kwargs"] if isinstance(given.get("op_kwargs"), dict) else {}
    try:
        bound = inspect.signature(function).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):  # no callable, or one without an inspectable signature
        bound = kwargs
    inputs = {}
    for name, value in bound.items():
        if isinstance(value, XComArg):
            producers = {op.task_id for op, _ in XComArg.iter_xcom_references(value)}
            if len(producers) == 1:
                inputs[name] = producers.pop()
    return inputs


def _definition_line(function: Any, file: str) -> int | None:
    code = getattr(inspect.unwrap(function), "__code__", None) if function else None
    return int(code.co_firstlineno) if code and env.same_file(code.co_filename, file) else None


class _SourceLines:
    """Where DAGs and tasks are defined in one file: first where the static reader found
    them (so both readers give the same lines: loops, helpers, factories, TaskFlow call
    sites), else a literal ``dag_id=``/``task_id=``, ``DAG("id")`` or a ``@dag``/``@asset``
    function's name. Tasks without either fall back to their TaskFlow callable's definition
    line; what stays unknown gets ``None``."""

    def __init__(self, file: str) -> None:
        self._dags: dict[str, list[int]] = {}
        self._tasks: dict[str, list[int]] = {}
        self._static_dags: dict[str, int] = {}
        self._static_tasks: dict[tuple[str, str], int] = {}
        self._read_statically(file)
        try:
            tree = ast.parse(Path(file).read_bytes())
        except (OSError, SyntaxError, ValueError):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                _root_name(d) in ("dag", "asset") for d in node.decorator_list
            ):
                self._dags.setdefault(node.name, []).append(node.decorator_list[0].lineno)

    def _call(self, node: ast.Call) -> None:
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else _root_name(node.func)
        if callee == "DAG" and node.args and isinstance(node.args[0], ast.Constant):
            self._dags.setdefault(str(node.args[0].value), []).append(node.lineno)
        for keyword in node.keywords:
            if keyword.arg in ("dag_id", "task_id") and isinstance(keyword.value, ast.Constant):
                found = self._dags if keyword.arg == "dag_id" else self._tasks
                found.setdefault(str(keyword.value.value), []).append(node.lineno)

    def _read_statically(self, file: str) -> None:
        from translators.static import read_static

        for dag in read_static([file]).dags:  # never raises: problems are diagnostics
            if dag.line is not None:
                self._static_dags.setdefault(dag.dag_id, dag.line)
            for task in dag.tasks:
                if task.line is not None:
                    self._static_tasks.setdefault((dag.dag_id, task.task_id), task.line)

    def dag(self, dag_id: str) -> int | None:
        """The line of ``dag_id``'s definition, if found."""
        return self._static_dags.get(dag_id) or min(self._dags.get(dag_id, ()), default=None)

    def task(self, dag_id: str, task_id: str, label: str, after: int) -> int | None:
        """Where the static reader found the task, else the first literal
        ``task_id=label`` at or after line ``after`` (else the first)."""
        known = self._static_tasks.get((dag_id, task_id))
        if known is not None:
            return known
        lines = sorted(self._tasks.get(label, ()))
        return next((n for n in lines if n >= after), lines[0] if lines else None)


@functools.lru_cache(maxsize=8)  # a file defining many DAGs is parsed once per read
def _source_lines(file: str) -> _SourceLines:
    return _SourceLines(file)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Call, ast.Attribute)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _schedule(raw: Any) -> tuple[str | None, AssetExpression | None]:
    """A readable schedule, plus the asset condition for asset-triggered DAGs."""
    if raw is None or isinstance(raw, str):
        return raw, None
    if isinstance(raw, timedelta):
        return _timedelta_text(raw), None
    expression = _expression(getattr(raw, "asset_condition", raw))
    if expression is None:
        return _timetable_text(raw), None
    text = _expression_text(expression)
    if (timetable := getattr(raw, "timetable", None)) is not None:  # AssetOrTimeSchedule
        text = f"{_timetable_text(timetable)} or {text}"
    elif hasattr(raw, "asset_condition"):
        text = f"{type(raw).__name__}({text})"
    return text, expression


def _timetable_text(timetable: Any) -> str:
    expression = getattr(timetable, "expression", None)  # cron-based timetables
    return type(timetable).__name__ + (f"({expression!r})" if isinstance(expression, str) else "()")


def _timedelta_text(delta: timedelta) -> str:
    hours, rest = divmod(delta.seconds, 3600)
    parts = {"days": delta.days, "hours": hours, "minutes": rest // 60, "seconds": rest % 60,
             "microseconds": delta.microseconds}
    return "timedelta({})".format(", ".join(f"{k}={v}" for k, v in parts.items() if v) or "0")


def _expression(condition: Any) -> AssetExpression | None:
    """An Airflow asset condition (asset, alias, ref, list, AssetAll/AssetAny) as IR."""
    from airflow.sdk import AssetAll, AssetAny

    if isinstance(condition, (list, tuple, AssetAll, AssetAny)):
        op: Literal["and", "or"] = "or" if isinstance(condition, AssetAny) else "and"
        objects = condition if isinstance(condition, (list, tuple)) else condition.objects
        items = tuple(item for item in map(_expression, objects) if item is not None)
        if len(items) <= 1:
            return items[0] if items else None
        return AssetExpression(op=op, items=items)
    ref = _asset_ref(condition)
    return None if ref is None else AssetExpression(op="asset", asset=ref)


def _expression_text(expression: AssetExpression, nested: bool = False) -> str:
    if expression.asset is not None:
        return expression.asset.key
    joiner = " & " if expression.op == "and" else " | "
    text = joiner.join(_expression_text(item, nested=True) for item in expression.items)
    return f"({text})" if nested else text


def _asset_ref(value: Any) -> AssetRef | None:
    """An Asset/Dataset, AssetAlias or name/URI reference; None for other lineage objects."""
    from airflow.sdk import Asset, AssetAlias
    from airflow.sdk.definitions.asset import AssetNameRef, AssetUriRef

    if isinstance(value, AssetAlias):
        return AssetRef(name=value.name, kind="alias")
    if isinstance(value, (Asset, AssetNameRef, AssetUriRef)):  # an Asset has both
        return AssetRef(name=getattr(value, "name", None), uri=getattr(value, "uri", None))
    return None


def _plain(value: Any, depth: int = 0) -> Any:
    """JSON-able data: literals and containers as they are, anything else as its repr."""
    if isinstance(value, Enum):
        value = value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth < 10 and isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(item, depth + 1) for item in value]
        return items if isinstance(value, (list, tuple)) else sorted(items, key=repr)
    if depth < 10 and isinstance(value, Mapping):
        return {str(key): _plain(item, depth + 1) for key, item in value.items()}
    return _ADDRESS.sub("", repr(value))
