"""``with`` blocks: DAG and TaskGroup contexts, setup/teardown contexts, anything else."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from translators.static import _dags
from translators.static._objects import Dag, Group, Scope, Task, Unknown, XComRef

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


def run_with(interp: Interpreter, stmt: ast.With | ast.AsyncWith, scope: Scope) -> None:
    """Enter each context (as Airflow's ``__enter__`` would), run the body, exit in reverse."""
    from translators.static._statements import assign

    exits: list[Callable[[], None]] = []
    try:
        for item in stmt.items:
            value = interp.eval(item.context_expr, scope)
            bound, leave = _enter(interp, value, item.context_expr)
            if leave is not None:
                exits.append(leave)
            if item.optional_vars is not None:
                assign(interp, item.optional_vars, bound, scope)
        interp.exec_block(stmt.body, scope)
    finally:
        for leave in reversed(exits):
            leave()


def _enter(interp: Interpreter, value: object,
           node: ast.expr) -> tuple[object, Callable[[], None] | None]:
    if isinstance(value, Dag):
        interp.dag_stack.append(value)

        def leave_dag() -> None:
            interp.dag_stack.pop()
            _dags.register(value)

        return value, leave_dag
    if isinstance(value, Group):
        interp.group_stack.append(value)

        def leave_group() -> None:
            interp.group_stack.pop()

        return value, leave_group
    if isinstance(value, (Task, XComRef)):
        if interp.setup_teardown.push(value):
            return Unknown("SetupTeardownContext"), interp.setup_teardown.exit
        interp.warn("dynamic-construct", f"{interp.segment(node)!r} is used as a context "
                    "manager but is not a setup or teardown task (Airflow raises)")
        return value, None
    return interp.unknown(node), None
