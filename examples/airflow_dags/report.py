"""The report DAG, triggered by the warehouse."""

import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(dag_id="report", schedule=None, start_date=datetime.datetime(2024, 1, 1)):
    EmptyOperator(task_id="start") >> BashOperator(task_id="build", bash_command="echo build")
