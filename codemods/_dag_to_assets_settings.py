"""The DAG-level settings ``dag-to-assets`` carries over, and the loader file it writes.

:func:`read_settings` reads the DAG call's ``schedule``, ``start_date``, ``catchup``,
``tags`` and ``default_args`` (``owner``, ``retries``, ``retry_delay``): what the export
options and ``@asset`` arguments can express is carried, the rest is listed for a report.
:func:`loader_source` is the small Airflow file that exports the asset module.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from codemods._dag_to_assets_plan import DagPlan, Resolve

__all__ = ["DagSettings", "loader_source", "read_settings", "string_literal"]

_CODE = cst.Module([]).code_for_node


def loader_source(module: str, options: Mapping[str, str | bool] | None = None) -> str:
    """The three-line Airflow loader of asset module ``module``, passing the DAG's settings
    as ``airflow_dags`` options.

    Examples:
        >>> print(loader_source("etl", {"schedule": "@daily", "catchup": True}), end="")
        from translators.export import airflow_dags
        import etl
        globals().update(airflow_dags(etl, schedule="@daily", catchup=True))
    """
    text = "".join(f", {name}={value!r}" if isinstance(value, bool)
                   else f", {name}={string_literal(value)}"
                   for name, value in (options or {}).items())
    return (f"from translators.export import airflow_dags\nimport {module}\n"
            f"globals().update(airflow_dags({module}{text}))\n")


@dataclass(frozen=True)
class DagSettings:
    """What carries each setting of the DAG (its ``DAG(...)`` / ``@dag(...)`` arguments)."""

    #: ``airflow_dags`` options of the loader: ``schedule``, ``start_date``, ``catchup``
    options: dict[str, str | bool] = field(default_factory=dict)
    #: ``@asset`` arguments (source) for every task: ``owners=``, ``tags=``, ``retry=``
    asset_args: tuple[str, ...] = ()
    #: the settings neither can carry: (node to report, what it is)
    dropped: tuple[tuple[cst.CSTNode, str], ...] = ()


#: Airflow's ``retry_delay`` when ``retries`` comes without one (``[core]
#: default_task_retry_delay``)
_AIRFLOW_RETRY_DELAY = 300.0
_CARRIED_BY_PLAN = frozenset({"dag_id", "schedule", "schedule_interval"})
_DATETIMES = frozenset({"datetime.datetime", "pendulum.datetime"})
_UTC = frozenset({"datetime.timezone.utc", "pendulum.UTC"})
_TIMEDELTAS = frozenset({"datetime.timedelta", "pendulum.duration"})


def read_settings(module: cst.Module, plan: DagPlan, resolve: Resolve) -> DagSettings:
    """The DAG's settings as loader options and ``@asset`` arguments, and those the export
    cannot express (``max_active_runs``, ``doc_md``...), which the command reports.

    ``start_date`` carries when it is a literal ``datetime`` / ``pendulum.datetime`` in UTC
    (or naive: Airflow's default timezone is UTC) to the minute; ``tags`` become asset tags
    (the export tags the DAG with them); ``default_args`` ``owner``, ``retries`` and
    ``retry_delay`` become ``owners=`` and ``retry=RetryPolicy(...)``.
    """
    options: dict[str, str | bool] = {}
    if isinstance(plan.schedule, str):
        options["schedule"] = plan.schedule
    asset_args: list[str] = []
    dropped: list[tuple[cst.CSTNode, str]] = []
    args = plan.call.args if plan.call is not None else ()
    for index, arg in enumerate(args):
        name = arg.keyword.value if arg.keyword is not None else ("dag_id" if index == 0
                                                                 else None)
        value = arg.value
        if name in _CARRIED_BY_PLAN:
            continue
        if name == "start_date" and (date := _start_date(value, resolve)) is not None:
            options["start_date"] = date
        elif name == "catchup" and isinstance(value, cst.Name) and \
                value.value in ("True", "False"):
            options["catchup"] = value.value == "True"
        elif name == "tags" and (tags := _tags(value)) is not None:
            asset_args.append(tags)
        elif name == "default_args" and (found := _dict_of(value, module)) is not None:
            carried, lost = _default_args(found, resolve)
            asset_args += carried
            dropped += lost
        else:
            dropped.append((arg, _CODE(arg).strip().rstrip(",")))
    first = plan.statements[0]
    if isinstance(first, cst.FunctionDef) and "doc_md" not in {
            a.keyword.value for a in args if a.keyword is not None}:
        doc = first.get_docstring()
        if doc is not None:
            dropped.append((first.body.body[0], "the @dag function's docstring (the DAG's "
                            "doc_md)"))
    return DagSettings(options, tuple(asset_args), tuple(dropped))


def _start_date(node: cst.BaseExpression, resolve: Resolve) -> str | None:
    """``YYYY-MM-DD[THH:MM]`` for a literal UTC or naive datetime, else None."""
    if not isinstance(node, cst.Call) or resolve(node.func) not in _DATETIMES:
        return None
    fields = ("year", "month", "day", "hour", "minute", "second")
    values: dict[str, int] = {}
    for index, arg in enumerate(node.args):
        name = arg.keyword.value if arg.keyword is not None else \
            (fields[index] if index < len(fields) else "")
        if name in ("tz", "tzinfo"):
            utc = (isinstance(arg.value, cst.SimpleString)
                   and arg.value.evaluated_value in ("UTC", "utc")) or \
                resolve(arg.value) in _UTC
            if not utc:
                return None
        elif name in fields and isinstance(arg.value, cst.Integer):
            values[name] = int(arg.value.evaluated_value)
        else:
            return None
    try:
        moment = datetime.datetime(**values)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if moment.second:
        return None
    clock = f"T{moment:%H:%M}" if moment.hour or moment.minute else ""
    return f"{moment:%Y-%m-%d}{clock}"


def _tags(node: cst.BaseExpression) -> str | None:
    """``tags={...}`` for a list of literal tags: ``"team:data"`` is the tag ``team`` with
    value ``data`` (the export writes it back as ``team:data``), ``"x"`` is ``x`` with ``""``."""
    if not isinstance(node, cst.List | cst.Tuple | cst.Set):
        return None
    pairs = []
    for element in node.elements:
        value = element.value
        if not isinstance(value, cst.SimpleString) or \
                not isinstance(value.evaluated_value, str):
            return None
        key, colon, rest = value.evaluated_value.partition(":")
        pairs.append((key, rest) if colon and key and rest else (value.evaluated_value, ""))
    return "tags={" + ", ".join(f"{string_literal(k)}: {string_literal(v)}" for k, v in pairs) + "}"


def _dict_of(node: cst.BaseExpression, module: cst.Module) -> cst.Dict | None:
    """``node`` as a dict literal, following a name assigned one at module level."""
    if isinstance(node, cst.Name):
        name = node.value
        for statement in module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                            isinstance(small.targets[0].target, cst.Name) and \
                            small.targets[0].target.value == name:
                        node = small.value
    return node if isinstance(node, cst.Dict) else None


def _default_args(node: cst.Dict, resolve: Resolve
                  ) -> tuple[list[str], list[tuple[cst.CSTNode, str]]]:
    """``owner`` / ``retries`` / ``retry_delay`` as ``@asset`` arguments; the other keys."""
    carried: list[str] = []
    dropped: list[tuple[cst.CSTNode, str]] = []
    retries, delay = 0, _AIRFLOW_RETRY_DELAY
    for element in node.elements:
        key = element.key if isinstance(element, cst.DictElement) else None
        name = key.evaluated_value if isinstance(key, cst.SimpleString) else None
        value = element.value
        if name == "owner" and isinstance(value, cst.SimpleString) and \
                isinstance(value.evaluated_value, str):
            carried.append(f"owners=[{string_literal(value.evaluated_value)}]")
        elif name == "retries" and isinstance(value, cst.Integer):
            retries = int(value.evaluated_value)
        elif name == "retry_delay" and (seconds := _seconds(value, resolve)) is not None:
            delay = seconds
        else:
            dropped.append((element, f"default_args {_CODE(element).strip().rstrip(',')}"))
    if retries:
        carried.append(f"retry=RetryPolicy(max_retries={retries}, delay={delay!r})")
    return carried, dropped


def _seconds(node: cst.BaseExpression, resolve: Resolve) -> float | None:
    """Seconds of a literal number or ``timedelta(...)`` of literal numbers."""
    if isinstance(node, cst.Integer | cst.Float):
        return float(node.evaluated_value)
    if not isinstance(node, cst.Call) or resolve(node.func) not in _TIMEDELTAS:
        return None
    amounts: dict[str, float] = {}
    for index, arg in enumerate(node.args):
        name = arg.keyword.value if arg.keyword is not None else \
            ("days", "seconds", "microseconds")[index] if index < 3 else ""
        if not isinstance(arg.value, cst.Integer | cst.Float):
            return None
        amounts[name] = float(arg.value.evaluated_value)
    try:
        return datetime.timedelta(**amounts).total_seconds()
    except TypeError:
        return None


def string_literal(text: str) -> str:
    """``text`` as a double-quoted Python string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
