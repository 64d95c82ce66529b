"""DAG detection: ``DAG(...)`` (assigned, ``with``, ``dag=``), ``@dag`` functions, factories.

A DAG counts when Airflow would collect it: it was used as a context manager (or built by a
``@dag`` call) with ``auto_register`` left on, or it is bound to a module-level name
(including ``globals()[name] = ...``) when the file has been read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translators.static._callables import CallSite, DagFunc
from translators.static._objects import Dag, Unknown
from translators.static._values import truth

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

#: what the source of a ``DAG(...)`` call without a dag_id reads as
_NO_DAG_ID = "DAG(...) without dag_id"


def new_dag(interp: Interpreter, dag_id: object, kwargs: dict[str, object],
            sources: dict[str, str], line: int) -> Dag:
    """Create a DAG object from evaluated constructor arguments."""
    default_args = kwargs.get("default_args")
    auto_register = truth(kwargs.get("auto_register", True))
    dag = Dag(
        dag_id=dag_id if isinstance(dag_id, str) and dag_id else None,
        line=line,
        kwargs=dict(kwargs),
        sources=dict(sources),
        default_args=dict(default_args) if isinstance(default_args, dict) else {},
        auto_register=auto_register is not False,
    )
    if dag.dag_id is None:
        dag.sources.setdefault("dag_id", dag_id.source if isinstance(dag_id, Unknown) else "")
    interp.dags.append(dag)
    return dag


def create_dag(interp: Interpreter, args: list[object], kwargs: dict[str, object],
               site: CallSite) -> Dag:
    """``DAG(dag_id, ...)``: the id is the first positional or ``dag_id=`` argument."""
    kw = dict(kwargs)
    dag_id = kw.pop("dag_id", args[0] if args else Unknown(_NO_DAG_ID))
    if site.unknown_splat and not isinstance(dag_id, str):
        dag_id = Unknown(interp.segment(site.node))
    sources = {name: interp.segment(node) for name, node in site.kw_nodes.items()}
    if args and site.arg_nodes:
        sources.setdefault("dag_id", interp.segment(site.arg_nodes[0]))
    return new_dag(interp, dag_id, kw, sources, site.line)


def call_dag_function(interp: Interpreter, func: DagFunc, args: list[object],
                      kwargs: dict[str, object], site: CallSite) -> Dag:
    """Call a ``@dag`` function: build the DAG with the body run inside its context.

    Like Airflow, the function's parameters become DAG params (their values are the
    defaults or the arguments of this call) and the body sees them as unknown values.
    """
    from translators.static._interp import bind_arguments

    dag = new_dag(interp, func.dag_id, func.kwargs, func.sources, func.line)
    bound = bind_arguments(func.function, args, kwargs)
    for name, value in bound.items():
        if not isinstance(value, Unknown):
            dag.extra_params[name] = value
    unknowns: dict[str, object] = {name: Unknown(f"params.{name}") for name in bound}
    interp.dag_stack.append(dag)
    try:
        interp.call_function(func.function, [], unknowns, site.line)
    finally:
        interp.dag_stack.pop()
        register(dag)
    return dag


def register(dag: Dag) -> None:
    """Airflow's auto-registration when a DAG context exits."""
    if dag.auto_register:
        dag.registered = True


def register_module_dags(interp: Interpreter) -> None:
    """DAGs bound to module-level names are collected whatever ``auto_register`` says."""
    for value in interp.module.vars.values():
        if isinstance(value, Dag):
            value.registered = True


def registered_dags(interp: Interpreter) -> list[Dag]:
    """The DAGs Airflow would collect from the file, first definition of each id wins.

    A registered DAG without a resolvable id and a repeated id are error diagnostics.
    """
    kept: dict[str, Dag] = {}
    for dag in interp.dags:
        if not dag.registered:
            continue
        if dag.dag_id is None:
            source = dag.sources.get("dag_id") or "?"
            if source == _NO_DAG_ID:
                message = ("DAG(...) is given no dag_id (Airflow rejects it); pass "
                           "dag_id='...' as the first argument; this DAG is left out")
            else:
                message = (f"the dag_id {source!r} cannot be resolved statically; this DAG "
                           "is left out")
            interp.warn("unresolved-dag-id", message, dag.line, level="error")
            continue
        if dag.dag_id in kept:
            interp.warn("duplicate-dag-id", f"dag_id {dag.dag_id!r} is defined again (first "
                        f"at line {kept[dag.dag_id].line}); the later one is left out",
                        dag.line, level="error", dag_id=dag.dag_id)
            continue
        kept[dag.dag_id] = dag
    return list(kept.values())
