"""The Airflow 2 part of generated files: imports and the ``AssetTask`` operator they define.

Airflow 2.10 needs SQLAlchemy < 2 and assetbridge needs SQLAlchemy >= 2, so they cannot
share an interpreter. An Airflow 2 task therefore runs ``python -m translators.export.worker``
in the interpreter that has assetbridge (``$ASSETBRIDGE_PYTHON``, else the one given to
``assetbridge export --python``), passes the request as JSON on stdin and reads the
materialization record (JSON) from its last stdout line. The operator is written into each
file, so the Airflow 2 environment needs nothing of assetbridge installed.
"""

from __future__ import annotations

__all__ = ["AIRFLOW2_HEADER", "AIRFLOW2_OPERATOR"]

AIRFLOW2_HEADER = """\
from __future__ import annotations

import datetime
import json
import os
import subprocess

from airflow.datasets import Dataset
from airflow.exceptions import AirflowException
from airflow.models.baseoperator import BaseOperator
from airflow.models.dag import DAG
from airflow.models.param import Param
from airflow.utils.task_group import TaskGroup
"""

AIRFLOW2_OPERATOR = '''\
class AssetTask(BaseOperator):
    """Materialize assets through assetbridge, run by the interpreter PYTHON (it has
    assetbridge; Airflow 2 and assetbridge need different SQLAlchemy majors). Renders no
    templates; returns the materialization record, which Airflow keeps in XCom."""

    template_fields = ()
    ui_color = "#dbeafe"

    def __init__(self, *, asset_keys, assets, env=None, store=None, partition=None,
                 time_partitioned=False, param=None, code_version=None, **kwargs):
        super().__init__(**kwargs)
        self.asset_keys = list(asset_keys)
        self.assets = assets
        self.env = env
        self.store = store
        self.partition = partition
        self.time_partitioned = time_partitioned
        self.param = param
        self.code_version = code_version

    def execute(self, context):
        ti = context["ti"]
        interval = context.get("data_interval_start")
        tags = {"airflow_dag_id": ti.dag_id, "airflow_run_id": str(context["run_id"]),
                "airflow_task_id": ti.task_id, "airflow_try_number": str(ti.try_number)}
        if getattr(ti, "map_index", -1) not in (-1, None):
            tags["airflow_map_index"] = str(ti.map_index)
        request = {
            "assets": self.assets, "keys": self.asset_keys, "env": self.env,
            "store": self.store, "partition": self.partition,
            "data_interval_start": interval.isoformat()
            if self.time_partitioned and interval is not None else None,
            "config": (context["params"].get(self.param) if self.param else None) or None,
            "tags": tags,
        }
        done = subprocess.run([PYTHON, "-m", "translators.export.worker"],
                              input=json.dumps(request), capture_output=True, text=True,
                              check=False)
        for line in done.stderr.splitlines():
            self.log.info("%s", line)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise AirflowException(f"assetbridge ({PYTHON}) failed: {reason}")
        record = json.loads(lines[-1])
        by_key = {item["key"]: item for item in record["assets"]}
        for outlet in self.outlets:
            item = by_key.get(getattr(outlet, "uri", None))
            if item is not None:
                context["outlet_events"][outlet].extra = {
                    "assetbridge_run_id": record["run_id"], "partition": record["partition"],
                    "code_version": item["code_version"], "data_version": item["data_version"],
                }
        return record
'''
