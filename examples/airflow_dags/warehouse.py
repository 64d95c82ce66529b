"""The warehouse DAG: extract, a task group that writes the `orders` asset, then a trigger."""

import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import DAG, Asset, TaskGroup

with DAG(
    dag_id="warehouse",
    schedule="@daily",
    start_date=datetime.datetime(2024, 1, 1),
    tags=["sales"],
    default_args={"owner": "data-eng"},
):
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    with TaskGroup(group_id="transform"):
        clean = BashOperator(task_id="clean", bash_command="echo clean")
        load = BashOperator(task_id="load", bash_command="echo load", outlets=[Asset("orders")])
        clean >> load
    kick = TriggerDagRunOperator(task_id="kick_report", trigger_dag_id="report")
    extract >> clean
    load >> kick
