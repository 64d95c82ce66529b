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
        globals().update(airflow_dags(etl))

    so Airflow keeps scheduling the same work (``--diff`` shows both files; ``--write``
    writes both, never overwriting a different existing loader). Each ``@task`` function
    keeps its body and becomes an asset named after the task; a parameter fed by another
    task is renamed to that task's id, since bridge infers upstream assets from parameter
    names (``rows = extract`` first in the body keeps the old name working); literal
    arguments become such lines too; ``>>`` edges that carry no data become ``deps=``. A
    ``PythonOperator`` whose callable is a function of the file becomes an asset calling it
    with its ``op_args`` / ``op_kwargs``; ``ti.xcom_pull(task_ids="x")`` in the callable
    becomes a keyword-only parameter ``x`` the asset passes its upstream ``x`` to. ``airflow`` imports nothing uses any more are
    dropped, so the asset module runs without Airflow.

    Converted: one DAG per file (``@dag`` function called at module level, or
    ``with DAG(...)``), ``@task`` functions (bare or ``@task()``) each called once, task
    results passed as arguments, literal arguments, ``>>`` / ``<<`` between tasks and lists
    of tasks, ``PythonOperator(task_id=, python_callable=, op_args=, op_kwargs=)``.
    Reported and left as is: other operators (``operator``), tasks taking Airflow context
    values (``context``), ``@task`` variants and options, ``.expand()`` / ``.override()``
    and other expressions (``expression``), statements that build no task (``statement``),
    tasks called twice (``called-twice``), several DAGs in a file (``dags``), callables
    not defined in the file (``callable``), parameters that would read as an upstream
    (``param-name``), ``@dag`` functions with parameters (``dag-params``), tasks reading
    the ``@dag`` function's variables (``closure``) or named like something else in the
    module (``name-clash``), DAGs assigned to a name (``dag-shape``). Until ``translators.export`` ships, the loader is written with an
    ``export-unavailable`` report.
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
    )
