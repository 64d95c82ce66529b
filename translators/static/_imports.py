"""Imports as qualified names, and what each Airflow name means to the reader.

An ``import`` binds names to :class:`QualName` values, so aliases resolve for free:
``from airflow.operators.bash import BashOperator as B`` makes ``B`` the qualified name
``airflow.operators.bash.BashOperator``. Airflow symbols are recognised by their last
dotted part under any ``airflow`` module, which covers the 1.x, 2.x and 3.x import paths
(``airflow.models.DAG``, ``airflow.DAG``, ``airflow.sdk.DAG`` ...).
"""

from __future__ import annotations

import ast
import builtins
import re

from translators.static._objects import QualName, Scope

#: Airflow symbols by last dotted part -> the reader's name for them
_AIRFLOW_SYMBOLS: dict[str, str] = {
    "DAG": "dag",
    "dag": "dag_decorator",
    "task": "task_decorator",
    "setup": "setup_decorator",
    "teardown": "teardown_decorator",
    "task_group": "task_group_decorator",
    "TaskGroup": "task_group",
    "Label": "label",
    "chain": "chain",
    "chain_linear": "chain_linear",
    "cross_downstream": "cross_downstream",
    "XComArg": "xcomarg",
    "Asset": "asset",
    "Dataset": "asset",
    "AssetAlias": "asset_alias",
    "DatasetAlias": "asset_alias",
    "AssetAll": "asset_all",
    "DatasetAll": "asset_all",
    "AssetAny": "asset_any",
    "DatasetAny": "asset_any",
    "AssetOrTimeSchedule": "asset_or_time",
    "DatasetOrTimeSchedule": "asset_or_time",
    "Param": "param",
    "asset": "asset_decorator",
}

#: modules whose classes are operators even without an ``Operator``/``Sensor`` suffix
_OPERATOR_MODULE_PARTS = frozenset({"operators", "sensors", "transfers"})
_CAPWORDS = re.compile(r"^_?[A-Z][A-Za-z0-9_]*$")
#: base classes that never are operators themselves
_NOT_OPERATORS = frozenset({"BaseOperatorLink", "BaseOperatorMeta", "OperatorPartial"})

#: builtin names the reader can look up (everything in ``builtins``)
BUILTIN_NAMES = frozenset(dir(builtins))


def bind_import(node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
    """Bind the names an import statement defines into ``scope`` as qualified names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                scope.vars[alias.asname] = QualName(alias.name)
            else:
                top = alias.name.partition(".")[0]
                scope.vars[top] = QualName(top)
        return
    module = "." * node.level + (node.module or "")
    for alias in node.names:
        if alias.name == "*":
            continue
        dotted = f"{module}.{alias.name}" if module and not module.endswith(".") else (
            module + alias.name
        )
        scope.vars[alias.asname or alias.name] = QualName(dotted)


def star_modules(tree: ast.Module) -> list[str]:
    """Modules imported with ``from x import *`` at module level."""
    return [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        and any(alias.name == "*" for alias in node.names)
    ]


def is_airflow(qual: QualName) -> bool:
    """True for names under the ``airflow`` package."""
    return qual.name == "airflow" or qual.name.startswith("airflow.")


def symbol_kind(qual: QualName) -> str | None:
    """What an Airflow symbol is to the reader (``dag``, ``task_group``, ...), or None.

    ``DAG`` is recognised from any module (teams re-export it from helper packages).

    Examples:
        >>> symbol_kind(QualName("airflow.models.DAG"))
        'dag'
        >>> symbol_kind(QualName("airflow.sdk.task"))
        'task_decorator'
        >>> symbol_kind(QualName("mylib.helpers.chain")) is None
        True
    """
    last = qual.last
    if last == "DAG":
        return "dag"
    if not is_airflow(qual):
        return None
    return _AIRFLOW_SYMBOLS.get(last)


def taskflow_flavor(qual: QualName) -> str | None:
    """The TaskFlow flavor of ``task`` / ``task.<flavor>`` names, else None.

    Examples:
        >>> taskflow_flavor(QualName("airflow.sdk.task"))
        'python'
        >>> taskflow_flavor(QualName("airflow.decorators.task.bash"))
        'bash'
    """
    if not is_airflow(qual):
        return None
    if qual.last == "task":
        return "python"
    parent = QualName(qual.module)
    if parent.last == "task" and qual.last[:1].islower():
        return qual.last
    return None


def looks_like_operator(qual: QualName, has_task_id: bool) -> bool:
    """Heuristic: is a call of this class an operator instantiation?

    Classes named ``...Operator`` / ``...Sensor``, classes from ``operators`` / ``sensors``
    modules, and any CapWords class called with ``task_id=``.

    Examples:
        >>> looks_like_operator(QualName("airflow.operators.bash.BashOperator"), False)
        True
        >>> looks_like_operator(QualName("datetime.timedelta"), False)
        False
    """
    last = qual.last
    if not _CAPWORDS.match(last) or last in _NOT_OPERATORS:
        return False
    if last.endswith(("Operator", "Sensor")) and last not in {"BaseOperator", "BaseSensorOperator"}:
        return True
    if _OPERATOR_MODULE_PARTS.intersection(qual.module.split(".")):
        return True
    return has_task_id


def is_operator_base(qual: QualName) -> bool:
    """True when a class deriving from ``qual`` is an operator."""
    last = qual.last
    return bool(_CAPWORDS.match(last)) and last.endswith(("Operator", "Sensor")) and (
        last not in _NOT_OPERATORS
    )


def trigger_rule_member(qual: QualName) -> str | None:
    """``TriggerRule.ALL_DONE`` -> ``all_done`` (the enum's string value), else None."""
    if QualName(qual.module).last == "TriggerRule" and qual.last.isupper():
        return qual.last.lower()
    return None
