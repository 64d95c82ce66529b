"""The one customisation seam: subclass AirflowTranslator.get_asset_spec and replace()."""

from __future__ import annotations

import re

from bridge._spec import AssetSpec
from translators.model import AssetRef, DagInfo, ReadResult, TaskInfo
from translators.to_assets import dags_to_assets
from translators.translator import AirflowTranslator

_INSERT_INTO = re.compile(r"\b(?:insert\s+into|create\s+table|merge\s+into)\s+([\w.]+)", re.I)


class TableTranslator(AirflowTranslator):
    """Keys a task by the table it writes: ``table=`` or the target of its SQL."""

    def get_asset_spec(self, task: TaskInfo, dag: DagInfo) -> AssetSpec:
        spec = super().get_asset_spec(task, dag)
        table = task.kwargs.get("table")
        if not isinstance(table, str):
            found = _INSERT_INTO.search(str(task.kwargs.get("sql", "")))
            table = found.group(1) if found else None
        if table is None:
            return spec
        return spec.replace(key=["warehouse", *table.split(".")], group="warehouse",
                            metadata={**spec.metadata, "table": table})


WAREHOUSE = DagInfo(dag_id="warehouse_load", file="dags/warehouse.py", line=3, tasks=(
    TaskInfo(task_id="extract", operator="PythonOperator", line=8),
    TaskInfo(task_id="orders", operator="SQLExecuteQueryOperator", upstream=("extract",),
             kwargs={"sql": "INSERT INTO analytics.orders SELECT * FROM staging.orders"},
             line=10),
    TaskInfo(task_id="customers", operator="GenericTransfer", upstream=("extract",),
             kwargs={"table": "analytics.customers"}, line=15),
    TaskInfo(task_id="revenue", operator="SQLExecuteQueryOperator",
             upstream=("customers", "orders"),
             kwargs={"sql": "create table analytics.revenue as select 1"}, line=20),
))


def test_subclass_keys_tasks_by_the_table_they_write() -> None:
    translation = dags_to_assets(ReadResult(dags=(WAREHOUSE,)), TableTranslator())
    assert {r.key: r.deps for r in translation.records} == {
        "warehouse_load/extract": (),
        "warehouse/analytics/orders": ("warehouse_load/extract",),
        "warehouse/analytics/customers": ("warehouse_load/extract",),
        "warehouse/analytics/revenue": ("warehouse/analytics/customers",
                                        "warehouse/analytics/orders"),
    }
    by_key = {r.key: r for r in translation.records}
    assert by_key["warehouse/analytics/orders"].group == "warehouse"
    assert by_key["warehouse/analytics/orders"].task_id == "orders"
    assert by_key["warehouse_load/extract"].group == "warehouse_load"
    assert translation.graph is not None
    spec = translation.graph.spec("warehouse/analytics/revenue")
    assert spec.metadata["table"] == "analytics.revenue"
    assert spec.metadata["operator"] == "SQLExecuteQueryOperator"
    assert translation.diagnostics == []


def test_default_translator_is_unchanged_by_the_subclass() -> None:
    translation = dags_to_assets(ReadResult(dags=(WAREHOUSE,)))
    assert [r.key for r in translation.records] == [
        "warehouse_load/customers", "warehouse_load/extract", "warehouse_load/orders",
        "warehouse_load/revenue"]


def test_other_dags_reading_the_table_as_an_airflow_asset_link_to_it() -> None:
    reader = DagInfo(dag_id="bi", file="dags/bi.py", tasks=(
        TaskInfo(task_id="dashboard", operator="PythonOperator",
                 inlets=(AssetRef(name="warehouse/analytics/revenue"),)),))
    translation = dags_to_assets(ReadResult(dags=(WAREHOUSE, reader)), TableTranslator())
    assert translation.cross_dag_edges() == [("warehouse/analytics/revenue", "bi/dashboard")]
    assert all(r.dag_id is not None for r in translation.records)


def test_outlets_still_win_over_the_overridden_key() -> None:
    dag = DagInfo(dag_id="d", file="d.py", tasks=(
        TaskInfo(task_id="t", operator="SQLExecuteQueryOperator",
                 kwargs={"table": "x.y"}, outlets=(AssetRef(name="declared"),)),))
    translation = dags_to_assets(ReadResult(dags=(dag,)), TableTranslator())
    (record,) = translation.records
    assert (record.key, record.group) == ("declared", "warehouse")


def test_two_tasks_claiming_one_table_is_a_warning_and_the_second_keeps_its_own_key() -> None:
    dag = DagInfo(dag_id="d", file="d.py", tasks=(
        TaskInfo(task_id="a", operator="GenericTransfer", kwargs={"table": "t"}),
        TaskInfo(task_id="b", operator="GenericTransfer", kwargs={"table": "t"}),
    ))
    translation = dags_to_assets(ReadResult(dags=(dag,)), TableTranslator())
    assert [(d.level, d.code, d.task_id) for d in translation.diagnostics] == [
        ("warning", "duplicate-asset-key", "b")]
    assert "task 'b' produces 'd/b' instead" in translation.diagnostics[0].message
    assert [(r.key, r.task_id) for r in translation.records] == [("d/b", "b"),
                                                                  ("warehouse/t", "a")]
