"""Two consumers: one scheduled on assets, one waiting on the warehouse with sensors."""

import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import DAG, Asset

with DAG(
    dag_id="billing",
    schedule=Asset("orders") & Asset("fx_rates"),
    start_date=datetime.datetime(2024, 1, 1),
):
    BashOperator(task_id="invoice", bash_command="echo invoice") >> EmptyOperator(
        task_id="notify"
    )

with DAG(dag_id="audit", schedule=None, start_date=datetime.datetime(2024, 1, 1)):
    wait = ExternalTaskSensor(
        task_id="wait_load", external_dag_id="warehouse", external_task_id="transform.load"
    )
    ghost = ExternalTaskSensor(task_id="wait_ghost", external_dag_id="ghost")
    [wait, ghost] >> EmptyOperator(task_id="check")
