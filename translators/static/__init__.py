"""The static reader: Airflow DAG files to the IR without importing or executing them.

It parses each file with :mod:`ast` and interprets the module the way Python would, with
values it can compute (literals, module-level names, f-strings, ``.format``, containers,
comprehensions, simple arithmetic, functions defined in the file) and Airflow's own rules
for DAGs, tasks, task groups, TaskFlow, dependencies and setup/teardown. Nothing outside
the file is imported, so it works without Airflow and without the DAG's helper modules.
Anything it cannot compute is an :class:`~translators.static._objects.Unknown`; what that
hides from the graph is reported as a diagnostic, and the rest of the graph is kept.

Reported values that need a convention:

- ``TaskInfo.operator``: the class name as defined (aliases resolved); TaskFlow tasks are
  ``@task``, ``@task.bash``, ``@task.branch`` ...; ``@asset`` functions are ``@asset``.
- ``TaskInfo.kwargs``: keyword arguments as written (``dag``/``task_group`` left out),
  folded to JSON values where possible, else their source text. TaskFlow calls report the
  call arguments as ``op_args``/``op_kwargs``; mapped tasks report the mapped arguments
  under ``expand`` (or ``expand_kwargs``).
- ``TaskInfo.trigger_rule`` is always the effective rule (``all_success`` by default,
  ``all_done_setup_success`` for teardowns); ``retries`` is None unless set in the task or
  ``default_args`` (Airflow's default comes from its configuration).
- ``TaskInfo.data_inputs`` keys are argument names, with a dotted path when the XCom
  reference is nested (``op_kwargs.x``, ``items.0``).
- ``TaskInfo.mapped`` is also true for tasks inside an expanded ``@task_group``.
- ``DagInfo.params`` holds ``Param(...)`` defaults, and the parameters of ``@dag`` functions.

Diagnostic codes (level in brackets):

- ``syntax-error`` [error]: the file does not parse; none of its DAGs is read.
- ``unreadable-file`` / ``file-not-found`` [error]: the path cannot be read.
- ``unresolved-dag-id`` [error]: a collected DAG whose id cannot be computed; left out.
- ``duplicate-dag-id`` [error]: a dag_id defined twice in one file; the later is left out.
- ``duplicate-task-id`` [error]: a task or task group id used twice in a DAG (Airflow
  rejects the DAG); the later task is left out.
- ``cycle`` [error]: the DAG's dependencies contain a cycle (the message names one).
- ``unresolved-task-id`` [warning]: a task (or group) id cannot be computed; the task is left
  out, with its edges.
- ``unresolved-dependency`` [warning]: one side of a dependency cannot be resolved (or the
  dependency is invalid in Airflow); that edge is left out.
- ``unresolved-asset`` [warning]: an outlet/inlet asset cannot be computed; left out.
- ``dynamic-construct`` [warning]: code the reader cannot follow built or may have built
  tasks (a loop over unknown values, an unknown condition, a call into another module that
  receives DAG objects, an evaluation budget exhausted ...).
- ``task-without-dag`` [warning]: a task created outside any DAG the reader found.
- ``no-dag-found`` [info]: the file imports Airflow but defines no DAG the reader can see.
- ``internal-error`` [warning]: a statement the reader failed on; it is skipped.

Examples:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "etl.py").write_text(
    ...     "from airflow.sdk import DAG\\n"
    ...     "from airflow.providers.standard.operators.empty import EmptyOperator as E\\n"
    ...     "with DAG('etl', schedule='@daily'):\\n"
    ...     "    E(task_id='extract') >> E(task_id='load')\\n")
    >>> result = read_static([folder])
    >>> [(t.task_id, t.operator, t.upstream) for t in result.dags[0].tasks]
    [('extract', 'EmptyOperator', ()), ('load', 'EmptyOperator', ('extract',))]
"""

from __future__ import annotations

from translators.static._reader import read_static

__all__ = ["read_static"]
