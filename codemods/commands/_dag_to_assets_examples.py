"""The before/after examples of ``dag-to-assets`` that change a file (its ``CHANGE``).

Kept beside the command (they are its test suite, run by ``tests/codemods/test_commands.py``
and shown in ``docs/codemods.md``) because there are many and they are long.
"""

# ruff: noqa: E501  (examples are data: rewritten lines may exceed the limit)
from __future__ import annotations

from codemods._types import Change

__all__ = ["CHANGES"]

CHANGES = (
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
