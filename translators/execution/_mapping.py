"""Dynamic task mapping: how many instances a mapped task (or a task in a mapped task
group) gets in this run, computed from its expand input as Airflow's scheduler does.

``.expand(x=[...], y=upstream.output)`` makes one instance per element of the cross
product; ``.expand_kwargs(list_of_dicts)`` one per dict; ``@task_group(...).expand(...)``
maps every task inside the group. Upstream values come from the run's XComs.
"""

from __future__ import annotations

import math
from collections.abc import Sized
from typing import Any

__all__ = ["instance_count"]


def instance_count(task: Any, context: dict[str, Any]) -> int | None:
    """The number of map indexes of ``task``; None when it is not mapped.

    Args:
        task: an operator or mapped operator of a loaded DAG.
        context: a context whose ``ti`` pulls XComs of the run (map index -1).

    Returns:
        None for an unmapped task, else the length of its expansion (may be 0).
    """
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    if isinstance(task, MappedOperator):
        expand_input = task._get_specified_expand_input()
    else:
        group = task.get_closest_mapped_task_group()
        if group is None:
            return None
        expand_input = group._expand_input
    return _length(expand_input, context)


def _length(expand_input: Any, context: dict[str, Any]) -> int:
    from airflow.sdk.definitions._internal.expandinput import DictOfListsExpandInput

    if isinstance(expand_input, DictOfListsExpandInput):
        lengths = [_sized(_resolved(value, context)) for value in expand_input.value.values()]
        return math.prod(lengths) if lengths else 0
    return _sized(_resolved(expand_input.value, context))


def _resolved(value: Any, context: dict[str, Any]) -> Any:
    from airflow.sdk.definitions.xcom_arg import XComArg

    return value.resolve(context) if isinstance(value, XComArg) else value


def _sized(value: Any) -> int:
    if value is None:
        return 0
    if not isinstance(value, Sized):
        raise TypeError(f"cannot map over a value of type {type(value).__name__}: expand() "
                        "needs a list or a dict")
    return len(value)
