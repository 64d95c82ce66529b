"""``airflow3``: move Airflow 2 DAG files to Airflow 3."""

# ruff: noqa: E501  (examples are data: rewritten lines may exceed the limit)
from __future__ import annotations

from codemods._airflow3_rules import Airflow3Rules
from codemods._airflow3_table import TRIGGERS
from codemods._types import Change, NoChange
from codemods.commands.kpo_modernize import ModernizeKpoCommand

__all__ = ["MigrateToAirflow3Command"]


class MigrateToAirflow3Command(Airflow3Rules):
    """Rewrite what Airflow 3 moved or removed; report what has no automatic replacement.

    - imports to ``airflow.sdk`` (DAG, dag, task, TaskGroup, Variable, BaseOperator, Param,
      chain, Label, ...) and ``airflow.providers.standard`` (Python/Bash/Empty operators,
      branch and short-circuit operators, TriggerDagRunOperator, ExternalTaskSensor, sensors);
    - ``Dataset`` -> ``Asset`` (``DatasetAlias``, ``DatasetAll``, ``DatasetAny`` too);
    - DAG ``schedule_interval=`` / ``timetable=`` -> ``schedule=``, ``concurrency=`` ->
      ``max_active_tasks=``, ``fail_stop=`` -> ``fail_fast=``;
    - removed context keys in Python (``context["execution_date"]``, ``kwargs[...]``,
      ``.get(...)``) and in Jinja strings (``{{ next_ds }}`` -> ``{{ data_interval_end | ds }}``);
    - ``days_ago(n)`` -> ``pendulum.today("UTC").add(days=-n)``; ``DummyOperator`` ->
      ``EmptyOperator``; ``provide_context=`` dropped; ``task_concurrency=`` ->
      ``max_active_tis_per_dag=``; TriggerDagRunOperator ``execution_date=`` -> ``logical_date=``;
    - DAG ``default_view=`` / ``orientation=`` (old UI settings) dropped; ``EmailOperator`` to
      the smtp provider; ``airflow.utils.timezone`` helpers to ``airflow.sdk.timezone`` (3.1+);
    - ``@apply_defaults`` (a no-op since 2.0) and its import removed; ``BaseOperatorLink`` and
      ``get_parsing_context`` to ``airflow.sdk``, ``airflow.utils.file.TemporaryDirectory`` to
      ``tempfile``; ``DatasetOrTimeSchedule(datasets=)`` -> ``AssetOrTimeSchedule(assets=)``;
      ``{{ ti.execution_date }}`` / ``{{ task_instance.execution_date }}`` ->
      ``{{ logical_date }}`` (Airflow 3's task instance has no date of its own);
    - ``kpo-modernize`` runs first (included): Airflow 3 removed ``airflow.contrib`` and
      ``airflow.kubernetes`` and needs a cncf.kubernetes provider without the old arguments.

    Reported, not rewritten: SubDagOperator, ``sla=`` / ``sla_miss_callback=``, ``prev_ds`` /
    ``prev_execution_date`` / ``conf`` context keys, parameters named after removed keys,
    imports from removed modules with no known home, removed helpers (``date_range``,
    ``local_filesystem.load_connections`` / ``get_connection``), ``create_dagrun(execution_date=)``
    and ``start_date`` / ``end_date`` built with ``days_ago`` (still a moving date after the
    rewrite: pick a fixed one).
    """

    NAME = "airflow3"
    DESCRIPTION = ("Airflow 2 -> 3: airflow.sdk / providers.standard imports, Dataset -> Asset, "
                   "schedule=, removed context keys (Python and Jinja), days_ago, DummyOperator; "
                   "includes kpo-modernize")
    TRIGGERS = TRIGGERS
    INCLUDES = (ModernizeKpoCommand,)

    CHANGE = (
        Change("""
            from airflow import DAG
            from airflow.decorators import task
            """, """
            from airflow.sdk import DAG
            from airflow.sdk import task
            """),
        Change("""
            from airflow.models import DAG, Variable, BaseOperator  # core
            from airflow.utils.task_group import TaskGroup
            """, """
            from airflow.sdk import DAG, Variable, BaseOperator  # core
            from airflow.sdk import TaskGroup
            """),
        Change("""
            from airflow.operators.python import PythonOperator, get_current_context
            """, """
            from airflow.providers.standard.operators.python import PythonOperator
            from airflow.sdk import get_current_context
            """),
        Change("""
            from airflow.operators.dummy import DummyOperator
            start = DummyOperator(task_id="start")
            """, """
            from airflow.providers.standard.operators.empty import EmptyOperator
            start = EmptyOperator(task_id="start")
            """),
        Change("""
            from airflow.operators.dummy_operator import DummyOperator as Noop
            start = Noop(task_id="start")
            """, """
            from airflow.providers.standard.operators.empty import EmptyOperator as Noop
            start = Noop(task_id="start")
            """),
        Change("""
            import airflow.operators.bash as bash
            t = bash.BashOperator(task_id="t", bash_command="echo {{ execution_date }}")
            """, """
            from airflow.providers.standard.operators.bash import BashOperator

            t = BashOperator(task_id="t", bash_command="echo {{ logical_date }}")
            """),
        Change("""
            from airflow.datasets import Dataset, DatasetAlias
            orders = Dataset("s3://bucket/orders")
            alias = DatasetAlias("daily")
            """, """
            from airflow.sdk import Asset, AssetAlias
            orders = Asset("s3://bucket/orders")
            alias = AssetAlias("daily")
            """),
        Change("""
            from airflow import DAG
            with DAG("d", schedule_interval="@daily", concurrency=4) as dag:
                pass
            """, """
            from airflow.sdk import DAG
            with DAG("d", schedule="@daily", max_active_tasks=4) as dag:
                pass
            """),
        Change("""
            from airflow.decorators import dag
            from airflow.timetables.trigger import CronTriggerTimetable
            @dag(timetable=CronTriggerTimetable("0 1 * * *", timezone="UTC"))
            def pipeline():
                pass
            """, """
            from airflow.sdk import dag
            from airflow.timetables.trigger import CronTriggerTimetable
            @dag(schedule=CronTriggerTimetable("0 1 * * *", timezone="UTC"))
            def pipeline():
                pass
            """),
        Change("""
            from airflow.utils.dates import days_ago
            start = days_ago(2)
            """, """
            import pendulum

            start = pendulum.today("UTC").add(days=-2)
            """),
        Change("""
            from airflow.operators.python import PythonOperator

            def load(**context):
                day = context["execution_date"]
                nxt = context["next_execution_date"]
                return context.get("execution_date"), day, nxt

            t = PythonOperator(task_id="load", python_callable=load, provide_context=True)
            """, """
            from airflow.providers.standard.operators.python import PythonOperator

            def load(**context):
                day = context["logical_date"]
                nxt = context["data_interval_end"]
                return context.get("logical_date"), day, nxt

            t = PythonOperator(task_id="load", python_callable=load)
            """),
        Change("""
            def report(**kwargs):
                return kwargs["next_ds"], kwargs["yesterday_ds"]
            """, """
            def report(**kwargs):
                return kwargs["data_interval_end"].strftime("%Y-%m-%d"), kwargs["macros"].ds_add(kwargs["ds"], -1)
            """),
        Change('''
            SQL = """
            SELECT * FROM t
            WHERE day BETWEEN '{{ yesterday_ds }}' AND '{{ next_ds }}'
              AND run = '{{ dag_run.execution_date }}' AND x = '{{ next_ds_nodash }}'
            """
            ''', '''
            SQL = """
            SELECT * FROM t
            WHERE day BETWEEN '{{ macros.ds_add(ds, -1) }}' AND '{{ data_interval_end | ds }}'
              AND run = '{{ dag_run.logical_date }}' AND x = '{{ data_interval_end | ds_nodash }}'
            """
            '''),
        Change("""
            from airflow.operators.bash import BashOperator
            t = BashOperator(
                task_id="t",
                bash_command="run.sh {{ tomorrow_ds }} {{ prev_execution_date_success }}",
                task_concurrency=1,
            )
            """, """
            from airflow.providers.standard.operators.bash import BashOperator
            t = BashOperator(
                task_id="t",
                bash_command="run.sh {{ macros.ds_add(ds, 1) }} {{ prev_data_interval_start_success }}",
                max_active_tis_per_dag=1,
            )
            """),
        Change("""
            from airflow.operators.trigger_dagrun import TriggerDagRunOperator
            from airflow.sensors.external_task import ExternalTaskSensor
            wait = ExternalTaskSensor(task_id="wait", external_dag_id="up")
            go = TriggerDagRunOperator(task_id="go", trigger_dag_id="down",
                                       execution_date="{{ execution_date }}")
            """, """
            from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
            from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
            wait = ExternalTaskSensor(task_id="wait", external_dag_id="up")
            go = TriggerDagRunOperator(task_id="go", trigger_dag_id="down",
                                       logical_date="{{ logical_date }}")
            """),
        Change("""
            from airflow.operators.python import BranchPythonOperator, ShortCircuitOperator
            from airflow.models.baseoperator import chain
            """, """
            from airflow.providers.standard.operators.python import BranchPythonOperator, ShortCircuitOperator
            from airflow.sdk import chain
            """),
        Change("""
            import airflow
            with airflow.DAG("d", schedule=None) as dag:
                pass
            """, """
            from airflow.sdk import DAG

            with DAG("d", schedule=None) as dag:
                pass
            """),
        Change("""
            from airflow import DAG
            from airflow.utils.timezone import datetime
            with DAG("d", start_date=datetime(2024, 1, 1), default_view="graph", orientation="LR"):
                pass
            """, """
            from airflow.sdk import DAG
            from airflow.sdk.timezone import datetime
            with DAG("d", start_date=datetime(2024, 1, 1)):
                pass
            """),
        Change("""
            from airflow.operators import bash
            from airflow.operators.email import EmailOperator
            from airflow.utils import timezone
            t = bash.BashOperator(task_id="t", bash_command="date")
            mail = EmailOperator(task_id="mail", to="team@example.com", subject=f"{timezone.utcnow()}")
            """, """
            from airflow.providers.smtp.operators.smtp import EmailOperator
            from airflow.providers.standard.operators.bash import BashOperator
            from airflow.sdk.timezone import utcnow

            t = BashOperator(task_id="t", bash_command="date")
            mail = EmailOperator(task_id="mail", to="team@example.com", subject=f"{utcnow()}")
            """),
        Change("""
            from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", arguments=["{{ next_ds }}"], xcom_push=True)
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", arguments=["{{ data_interval_end | ds }}"], do_xcom_push=True)
            """),
        Change("""
            from airflow import DAG
            from airflow.utils.dates import days_ago
            default_args = {"owner": "data", "start_date": days_ago(1)}
            dag = DAG("d", default_args=default_args, schedule_interval=None)
            """, """
            from airflow.sdk import DAG
            import pendulum

            default_args = {"owner": "data", "start_date": pendulum.today("UTC").add(days=-1)}
            dag = DAG("d", default_args=default_args, schedule=None)
            """, reports=("airflow3/dynamic-date",)),
        Change("""
            from airflow.operators.subdag import SubDagOperator
            from airflow.operators.python import PythonOperator
            sub = SubDagOperator(task_id="sub", subdag=None)
            """, """
            from airflow.operators.subdag import SubDagOperator
            from airflow.providers.standard.operators.python import PythonOperator
            sub = SubDagOperator(task_id="sub", subdag=None)
            """, reports=("airflow3/subdag", "airflow3/subdag")),
        Change("""
            from airflow.operators.bash import BashOperator
            t = BashOperator(task_id="t", bash_command="echo {{ prev_ds }}", sla=60)
            """, """
            from airflow.providers.standard.operators.bash import BashOperator
            t = BashOperator(task_id="t", bash_command="echo {{ prev_ds }}", sla=60)
            """, reports=("airflow3/sla", "airflow3/template-key")),
        Change("""
            from airflow.models.baseoperator import BaseOperator
            from airflow.utils.decorators import apply_defaults

            class GreetOperator(BaseOperator):
                @apply_defaults
                def __init__(self, *, name, **kwargs):
                    super().__init__(**kwargs)
                    self.name = name
            """, """
            from airflow.sdk import BaseOperator

            class GreetOperator(BaseOperator):
                def __init__(self, *, name, **kwargs):
                    super().__init__(**kwargs)
                    self.name = name
            """),
        Change("""
            import functools
            from airflow.utils import decorators

            class Op:
                @functools.wraps(print)
                # a no-op since Airflow 2.0
                @decorators.apply_defaults
                def __init__(self, **kwargs):
                    pass
            """, """
            import functools

            class Op:
                @functools.wraps(print)
                # a no-op since Airflow 2.0
                def __init__(self, **kwargs):
                    pass
            """),
        Change("""
            from airflow import DAG
            from airflow.datasets import Dataset
            from airflow.timetables.datasets import DatasetOrTimeSchedule
            from airflow.timetables.trigger import CronTriggerTimetable
            schedule = DatasetOrTimeSchedule(timetable=CronTriggerTimetable("0 1 * * *", timezone="UTC"),
                                             datasets=[Dataset("s3://bucket/orders")])
            """, """
            from airflow.sdk import DAG
            from airflow.sdk import Asset
            from airflow.timetables.assets import AssetOrTimeSchedule
            from airflow.timetables.trigger import CronTriggerTimetable
            schedule = AssetOrTimeSchedule(timetable=CronTriggerTimetable("0 1 * * *", timezone="UTC"),
                                             assets=[Asset("s3://bucket/orders")])
            """),
        Change("""
            from airflow.timetables.assets import AssetOrTimeSchedule
            from airflow.timetables.trigger import CronTriggerTimetable
            schedule = AssetOrTimeSchedule(timetable=CronTriggerTimetable("@daily", timezone="UTC"), datasets=[])
            """, """
            from airflow.timetables.assets import AssetOrTimeSchedule
            from airflow.timetables.trigger import CronTriggerTimetable
            schedule = AssetOrTimeSchedule(timetable=CronTriggerTimetable("@daily", timezone="UTC"), assets=[])
            """),
        Change("""
            from airflow.models.baseoperator import BaseOperator, BaseOperatorLink
            from airflow.models.baseoperatorlink import BaseOperatorLink as Link
            from airflow.utils.dag_parsing_context import get_parsing_context
            from airflow.utils.file import TemporaryDirectory
            """, """
            from airflow.sdk import BaseOperator, BaseOperatorLink
            from airflow.sdk import BaseOperatorLink as Link
            from airflow.sdk import get_parsing_context
            from tempfile import TemporaryDirectory
            """),
        Change("""
            from airflow.operators.bash import BashOperator
            t = BashOperator(task_id="t", bash_command="run.sh {{ ti.execution_date }} "
                             "{{ task_instance.execution_date.strftime('%H') }}")
            """, """
            from airflow.providers.standard.operators.bash import BashOperator
            t = BashOperator(task_id="t", bash_command="run.sh {{ logical_date }} "
                             "{{ logical_date.strftime('%H') }}")
            """),
    )
    NO_CHANGE = (
        NoChange("""
            from airflow.sdk import DAG, Asset, task
            from airflow.providers.standard.operators.empty import EmptyOperator
            with DAG("d", schedule="@daily") as dag:
                EmptyOperator(task_id="e", outlets=[Asset("x")])
            """),
        NoChange("""
            # not a context: a plain dict that happens to use the same key
            row = {"execution_date": 1}
            print(row["execution_date"], "{{ ds }}", "{{ dag_run.conf['x'] }}")
            """),
        NoChange("""
            def load(execution_date, **context):
                return context["prev_ds"]
            """, reports=("airflow3/context-key", "airflow3/context-param")),
        NoChange("""
            from airflow.utils.dates import days_ago
            start = days_ago(1, hour=3)
            """, reports=("airflow3/days-ago",)),
        NoChange("""
            from airflow.utils.dates import date_range
            days = date_range(start, end)
            """, reports=("airflow3/removed-import", "airflow3/removed-name")),
        NoChange("""
            from airflow.secrets.local_filesystem import load_connections
            conns = load_connections("connections.json")
            """, reports=("airflow3/removed-import", "airflow3/removed-name")),
        NoChange("""
            def rerun(dag, when):
                return dag.create_dagrun(run_id="manual", execution_date=when)
            """, reports=("airflow3/create-dagrun",)),
        NoChange("""
            from airflow.sdk import BaseOperatorLink, get_parsing_context
            print("{{ my_ti.execution_date_utc }}", BaseOperatorLink, get_parsing_context)
            """),
        NoChange("""
            from mylib.operators import DummyOperator
            DummyOperator(task_id="x", schedule_interval="@daily")
            """),
    )
