"""``dag-to-assets``: a TaskFlow or PythonOperator DAG file to an asset module + loader."""

# ruff: noqa: E501  (examples are data: rewritten lines may exceed the limit)
from __future__ import annotations

from typing import ClassVar

from codemods._dag_to_assets_command import DagToAssetsRules
from codemods._types import NoChange
from codemods.commands._dag_to_assets_examples import CHANGES

__all__ = ["ConvertDagToAssetsCommand"]


class ConvertDagToAssetsCommand(DagToAssetsRules):
    """Turn a DAG of Python tasks into ``@asset`` functions plus a three-line Airflow loader.

    ``dags/etl.py`` becomes an asset module (run it with ``bridge.materialize`` or
    ``assetbridge run dags/etl.py``) and ``dags/etl_dag.py`` is written next to it::

        from translators.export import airflow_dags
        import etl
        globals().update(airflow_dags(etl, schedule="@daily", start_date="2021-03-01", catchup=True))

    so Airflow keeps scheduling the same work (``--diff`` shows both files; ``--write``
    writes both, never overwriting a different existing loader). Each ``@task`` function
    keeps its body and becomes an asset named after the task; a parameter fed by another
    task is renamed to that task's id, since bridge infers upstream assets from parameter
    names (``rows = extract`` first in the body keeps the old name working); literal
    arguments become such lines too; ``>>`` edges that carry no data become ``deps=``. A
    ``@task(multiple_outputs=True)`` task (or one annotated to return a dict) becomes an
    asset returning the whole dict, and a task given ``summary["total"]`` receives the
    ``summary`` asset and reads ``total = summary["total"]`` first. A
    ``PythonOperator`` whose callable is a function of the file becomes an asset calling it
    with its ``op_args`` / ``op_kwargs``; ``ti.xcom_pull(task_ids="x")`` in the callable
    becomes a keyword-only parameter ``x`` the asset passes its upstream ``x`` to. ``airflow``
    imports nothing uses any more are dropped, so the asset module runs without Airflow.

    The DAG's settings carry over: ``schedule`` (a string), ``start_date`` (a literal
    ``datetime`` / ``pendulum.datetime``, UTC or naive, to the minute) and ``catchup`` become
    the loader's ``airflow_dags`` options; ``tags`` become every asset's ``tags=`` (the export
    tags the DAG with them); ``default_args`` (a dict literal, or a module-level name bound
    to one) ``owner``, ``retries`` and ``retry_delay`` become ``owners=`` and
    ``retry=RetryPolicy(...)`` (Airflow's 300 s when ``retry_delay`` is not given). Every
    other setting is reported (``dag-setting``) and the DAG is converted without it.

    Converted: one DAG per file (``@dag`` function called at module level, or
    ``with DAG(...)``), ``@task`` functions (bare, ``@task()`` or
    ``@task(multiple_outputs=...)``) each called once, task results (or string keys of them)
    passed as arguments, literal arguments, ``>>`` / ``<<`` between tasks and lists of tasks,
    ``PythonOperator(task_id=, python_callable=, op_args=, op_kwargs=)``.

    Reports (``dag-to-assets/<code>``); the file is left as is unless noted:

    - ``operator``: a task that is not ``@task`` or a plain ``PythonOperator``.
    - ``context``: a task taking Airflow context values (``ds``, ``**context``, ``ti`` used
      for more than ``xcom_pull``).
    - ``expression``: ``.expand()`` / ``.override()``, a key read of a task that does not
      push its keys (no ``multiple_outputs``), other expressions.
    - ``statement``: a statement that builds no task, ``@task`` variants and options.
    - ``signature``: a ``@task`` taking ``*args``, ``**kwargs`` or keyword-only parameters.
    - ``call``: a task call with unpacked, unknown or several-task arguments.
    - ``called-twice``: a task called twice, or two tasks with one id.
    - ``empty``: a DAG with no task.
    - ``xcom``: an XCom pulled from a task not in the DAG.
    - ``dags``: several DAGs in a file.
    - ``dag-id``: a ``DAG(...)`` whose ``dag_id`` is not a literal.
    - ``dag-shape``: a DAG assigned to a name (``dag = DAG(...)``).
    - ``dag-params``: a ``@dag`` function with parameters (DAG params).
    - ``closure``: a task reading the ``@dag`` function's (or ``with`` block's) variables;
      its own parameters and locals are not such reads.
    - ``name-clash``: a task named like something else in the module.
    - ``param-name``: a parameter that would read as an upstream asset.
    - ``callable``: a ``python_callable`` not defined in the file, or one pulling XComs that
      is used elsewhere too.
    - ``module-name``: a file name that is not a Python identifier (no loader can import it).
    - ``dag-setting`` (converted): a DAG setting the export cannot carry
      (``max_active_runs``, ``doc_md`` or the ``@dag`` docstring, ``default_args`` keys
      other than the above, a non-literal ``start_date``...).
    - ``schedule`` (converted): a schedule that is not a string; the loader exports the DAG
      for manual runs.
    - ``export-unavailable`` (converted): ``translators.export`` is missing, so the loader
      will not load until assetbridge is upgraded.
    """

    NAME = "dag-to-assets"
    DESCRIPTION = ("TaskFlow / PythonOperator DAG file to an @asset module plus a three-line "
                   "Airflow loader (<file>_dag.py)")
    TRIGGERS = ("dag", "DAG")
    #: the tasks move to an asset module: the file no longer defines the DAG itself
    SPLITS_FILE: ClassVar[bool] = True

    CHANGE = CHANGES
    NO_CHANGE = (
        NoChange("""
            from airflow.providers.standard.operators.bash import BashOperator
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def mixed():
                @task
                def a():
                    return 1
                a() >> BashOperator(task_id="b", bash_command="echo hi")

            mixed()
            """, reports=('dag-to-assets/operator',)),
        NoChange("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def contextual():
                @task
                def stamp(ds):
                    return ds
                stamp()

            contextual()
            """, reports=('dag-to-assets/context',)),
        NoChange("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def twice():
                @task
                def one():
                    return 1
                one() >> one()

            twice()
            """, reports=('dag-to-assets/called-twice',)),
        NoChange("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def mapped():
                @task
                def double(x):
                    return 2 * x
                double.expand(x=[1, 2, 3])

            mapped()
            """, reports=('dag-to-assets/expression',)),
        NoChange("""
            def helper():
                return 1
            """),
        NoChange("""
            from airflow.sdk import DAG, task

            @task
            def a():
                return 1

            with DAG("first", schedule=None):
                a()
            with DAG("second", schedule=None):
                pass
            """, reports=('dag-to-assets/dags',)),
        NoChange("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            dag = DAG("classic", schedule=None)
            PythonOperator(task_id="t", python_callable=print, dag=dag)
            """, reports=('dag-to-assets/dag-shape',)),
        NoChange("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            def run(**context):
                return context["ds"]

            with DAG("ctx", schedule=None):
                PythonOperator(task_id="run", python_callable=run)
            """, reports=('dag-to-assets/context',)),
        NoChange("""
            from bridge import asset

            @asset(group="orders")
            def extract():
                return [1, 2, 3]
            """),
        NoChange("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def limited(limit: int = 3):
                @task
                def head():
                    return list(range(limit))
                head()

            limited()
            """, reports=('dag-to-assets/dag-params',)),
        NoChange("""
            from airflow.sdk import dag, task

            def extract():
                return 0

            @dag(schedule=None)
            def clash():
                @task
                def extract():
                    return 1
                extract()

            clash()
            """, reports=('dag-to-assets/name-clash',)),
        NoChange("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            def push(ti):
                ti.xcom_push(key="n", value=1)

            with DAG("pushes", schedule=None):
                PythonOperator(task_id="push", python_callable=push)
            """, reports=('dag-to-assets/context',)),
        NoChange("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def reads_state():
                @task
                def numbers():
                    return [1, 2]
                @task
                def first(n):
                    return n
                values = numbers()
                @task
                def report():
                    return str(values)
                first(values) >> report()

            reads_state()
            """, reports=('dag-to-assets/closure',)),
        NoChange("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def unkeyed():
                @task
                def stats():
                    return {"n": 1}
                @task
                def show(n):
                    return n
                show(stats()["n"])

            unkeyed()
            """, reports=('dag-to-assets/expression',)),
        NoChange("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            NAME = "nightly"

            def run():
                return 1

            with DAG(dag_id=NAME, schedule=None):
                PythonOperator(task_id="run", python_callable=run)
            """, reports=('dag-to-assets/dag-id',)),
    )
