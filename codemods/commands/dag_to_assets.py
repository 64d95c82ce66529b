"""``dag-to-assets``: a TaskFlow or PythonOperator DAG file to an asset module + loader."""

# ruff: noqa: E501  (examples are data: rewritten lines may exceed the limit)
from __future__ import annotations

from typing import ClassVar

from codemods._dag_to_assets_command import DagToAssetsRules
from codemods._types import Change, NoChange

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

    CHANGE = (
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def orders():
                @task
                def extract():
                    return [1, 2, 3]
                @task
                def total(rows):
                    return sum(rows)
                total(extract())

            orders()
            """, """
            from bridge import asset

            @asset(group="orders")
            def extract():
                return [1, 2, 3]


            @asset(group="orders")
            def total(extract):
                rows = extract
                return sum(rows)
            """),
        Change("""
            from airflow.sdk import DAG, task

            @task
            def fetch():
                return "a,b"

            @task
            def split(text):
                return text.split(",")

            with DAG("words", schedule=None):
                split(fetch())
            """, """
            from bridge import asset

            @asset(group="words")
            def fetch():
                return "a,b"

            @asset(group="words")
            def split(fetch):
                text = fetch
                return text.split(",")
            """),
        Change("""
            from airflow import DAG
            from airflow.operators.python import PythonOperator

            def download():
                return 10

            def publish():
                print("published")

            with DAG("reports", schedule="@hourly") as dag:
                get = PythonOperator(task_id="get", python_callable=download)
                send = PythonOperator(task_id="send", python_callable=publish)
                get >> send
            """, """
            from bridge import asset

            def download():
                return 10

            def publish():
                print("published")

            @asset(group="reports")
            def get():
                return download()


            @asset(group="reports", deps=["get"])
            def send():
                return publish()
            """),
        Change("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            def scale(value, factor=1):
                return value * factor

            with DAG("scaled", schedule=None):
                PythonOperator(task_id="scaled", python_callable=scale, op_args=[3], op_kwargs={"factor": 2})
            """, """
            from bridge import asset

            def scale(value, factor=1):
                return value * factor

            @asset(group="scaled")
            def scaled():
                return scale(3, factor=2)
            """),
        Change("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            def extract():
                return [1, 2]

            with DAG("etl", schedule=None):
                PythonOperator(task_id="extract", python_callable=extract)
            """, """
            from bridge import asset

            def extract():
                return [1, 2]

            @asset(name="extract", group="etl")
            def extract_asset():
                return extract()
            """),
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def fan_in():
                @task
                def a():
                    return 1
                @task
                def b():
                    return 2
                @task
                def report():
                    return "ok"
                [a(), b()] >> report()

            fan_in()
            """, """
            from bridge import asset

            @asset(group="fan_in")
            def a():
                return 1


            @asset(group="fan_in")
            def b():
                return 2


            @asset(group="fan_in", deps=["a", "b"])
            def report():
                return "ok"
            """),
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def backwards():
                @task
                def first():
                    return 1
                @task
                def second():
                    return 2
                s = second()
                s << first()

            backwards()
            """, """
            from bridge import asset

            @asset(group="backwards", deps=["first"])
            def second():
                return 2


            @asset(group="backwards")
            def first():
                return 1
            """),
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def keywords():
                @task
                def numbers():
                    return [1, 2]
                @task
                def mean(values, digits=2):
                    return round(sum(values) / len(values), digits)
                mean(values=numbers(), digits=1)

            keywords()
            """, """
            from bridge import asset

            @asset(group="keywords")
            def numbers():
                return [1, 2]


            @asset(group="keywords")
            def mean(numbers):
                values = numbers
                digits = 1
                return round(sum(values) / len(values), digits)
            """),
        Change('''
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def assigned():
                @task
                def users():
                    return ["ann", "bob"]
                @task
                def greet(names):
                    """Say hello."""
                    return [f"hi {n}" for n in names]
                people = users()
                greetings = greet(people)

            assigned()
            ''', '''
            from bridge import asset

            @asset(group="assigned")
            def users():
                return ["ann", "bob"]


            @asset(group="assigned")
            def greet(users):
                """Say hello."""
                names = users
                return [f"hi {n}" for n in names]
            '''),
        Change("""
            import json

            import pendulum
            from airflow.decorators import dag, task

            @dag(start_date=pendulum.datetime(2024, 1, 1), schedule_interval="@daily")
            def legacy():
                @task()
                def config():
                    return json.loads('{"n": 1}')
                @task()
                def use(config):
                    return config["n"]
                use(config())

            legacy()
            """, """
            import json

            import pendulum
            from bridge import asset

            @asset(group="legacy")
            def config():
                return json.loads('{"n": 1}')


            @asset(group="legacy")
            def use(config):
                return config["n"]
            """),
        Change("""
            from datetime import timedelta

            from airflow.sdk import dag, task

            @dag(schedule=timedelta(hours=6))
            def every_six_hours():
                @task
                def tick():
                    return 1
                tick()

            every_six_hours()
            """, """
            from datetime import timedelta

            from bridge import asset

            @asset(group="every_six_hours")
            def tick():
                return 1
            """, reports=('dag-to-assets/schedule',)),
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def pairs():
                @task
                def value():
                    return 3
                @task
                def product(x, y):
                    return x * y
                v = value()
                product(v, v)

            pairs()
            """, """
            from bridge import asset

            @asset(group="pairs")
            def value():
                return 3


            @asset(group="pairs")
            def product(value):
                x = value
                y = value
                return x * y
            """),
        Change("""
            from airflow.sdk import dag, task

            @dag(dag_id="customer_scores", schedule=None)
            def scores_pipeline():
                @task
                def customers():
                    return ["c1"]
                @task
                def scores(customers, threshold=0.5):
                    return {c: threshold for c in customers}
                scores(customers())

            scores_pipeline()
            """, """
            from bridge import asset

            @asset(group="customer_scores")
            def customers():
                return ["c1"]


            @asset(group="customer_scores")
            def scores(customers, threshold=0.5):
                return {c: threshold for c in customers}
            """),
        Change('''
            """Nightly pipeline."""

            from airflow.sdk import dag, task

            REGION = "eu"  # kept

            @dag(schedule=None)
            def nightly():
                # the source
                @task
                def load():
                    return REGION
                load()

            nightly()
            ''', '''
            """Nightly pipeline."""

            from bridge import asset

            REGION = "eu"  # kept

            @asset(group="nightly")
            def load():
                return REGION
            '''),
        Change("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            def extract():
                return [3, 4]

            def summarize(ti, scale=1):
                rows = ti.xcom_pull(task_ids="extract")
                return sum(rows) * scale

            with DAG("pulls", schedule=None):
                e = PythonOperator(task_id="extract", python_callable=extract)
                s = PythonOperator(task_id="summary", python_callable=summarize, op_kwargs={"scale": 10})
                e >> s
            """, """
            from bridge import asset

            def extract():
                return [3, 4]

            def summarize(scale=1, *, extract):
                rows = extract
                return sum(rows) * scale

            @asset(name="extract", group="pulls")
            def extract_asset():
                return extract()


            @asset(group="pulls")
            def summary(extract):
                return summarize(scale=10, extract=extract)
            """),
        Change("""
            from datetime import datetime, timedelta

            from airflow.sdk import dag, task

            @dag(schedule="@weekly", start_date=datetime(2021, 3, 1), catchup=True,
                 tags=["sales", "team:finance"], max_active_runs=1,
                 default_args={"owner": "finance", "retries": 2, "retry_delay": timedelta(minutes=1)})
            def weekly_sales():
                @task
                def sales():
                    return [5, 7]
                sales()

            weekly_sales()
            """, """
            from datetime import datetime, timedelta

            from bridge import RetryPolicy, asset

            @asset(group="weekly_sales", tags={"sales": "", "team": "finance"}, owners=["finance"], retry=RetryPolicy(max_retries=2, delay=60.0))
            def sales():
                return [5, 7]
            """, reports=('dag-to-assets/dag-setting',)),
        Change("""
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import DAG

            default_args = {"owner": "ops", "retries": 1, "email": ["ops@example.com"]}

            def ping():
                return "pong"

            with DAG("pinger", default_args=default_args, schedule="@hourly"):
                PythonOperator(task_id="pong", python_callable=ping)
            """, """
            from bridge import RetryPolicy, asset

            default_args = {"owner": "ops", "retries": 1, "email": ["ops@example.com"]}

            def ping():
                return "pong"

            @asset(group="pinger", owners=["ops"], retry=RetryPolicy(max_retries=1, delay=300.0))
            def pong():
                return ping()
            """, reports=('dag-to-assets/dag-setting',)),
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def shadowed():
                @task
                def rows():
                    return [1, 2]
                @task
                def summarize(rows):
                    return sum(rows)
                @task
                def load(total):
                    return f"total={total}"
                total = summarize(rows())
                load(total)

            shadowed()
            """, """
            from bridge import asset

            @asset(group="shadowed")
            def rows():
                return [1, 2]


            @asset(group="shadowed")
            def summarize(rows):
                return sum(rows)


            @asset(group="shadowed")
            def load(summarize):
                total = summarize
                return f"total={total}"
            """),
        Change("""
            from airflow.sdk import dag, task

            @dag(schedule=None)
            def orders_summary():
                @task
                def extract():
                    return {"1001": 301.27, "1002": 433.21}
                @task(multiple_outputs=True)
                def transform(order_data: dict):
                    return {"total": sum(order_data.values()), "count": len(order_data)}
                @task
                def load(total: float, count: int):
                    return f"{count} orders: {total:.2f}"
                summary = transform(extract())
                load(summary["total"], summary["count"])

            orders_summary()
            """, """
            from bridge import asset

            @asset(group="orders_summary")
            def extract():
                return {"1001": 301.27, "1002": 433.21}


            @asset(group="orders_summary")
            def transform(extract: dict):
                order_data = extract
                return {"total": sum(order_data.values()), "count": len(order_data)}


            @asset(group="orders_summary")
            def load(transform):
                total = transform["total"]
                count = transform["count"]
                return f"{count} orders: {total:.2f}"
            """),
    )
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
