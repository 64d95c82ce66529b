"""dags_to_assets: one asset graph across DAGs, built from hand-made reader output."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bridge import AssetGraph, materialize
from bridge._keys import AssetKey
from bridge.errors import TranslationError
from translators.model import AssetExpression, AssetRef, DagInfo, ReadResult, TaskInfo
from translators.to_assets import SOURCE_GROUP, dags_to_assets


def task(task_id: str, operator: str = "EmptyOperator", *upstream: str, **fields: Any) -> TaskInfo:
    return TaskInfo(task_id=task_id, operator=operator, upstream=tuple(sorted(upstream)),
                    line=fields.pop("line", 10), **fields)


def dag(dag_id: str, *tasks: TaskInfo, **fields: Any) -> DagInfo:
    return DagInfo(dag_id=dag_id, file=fields.pop("file", f"dags/{dag_id}.py"),
                   line=fields.pop("line", 5), tasks=tasks, **fields)


def translate(*dags: DagInfo):
    return dags_to_assets(ReadResult(dags=dags))


def deps(translation) -> dict[str, tuple[str, ...]]:
    return {record.key: record.deps for record in translation.records}


def codes(translation) -> list[tuple[str, str]]:
    return [(d.level, d.code) for d in translation.diagnostics]


def asset(name: str | None = None, uri: str | None = None) -> AssetRef:
    return AssetRef(name=name, uri=uri)


def one(ref: AssetRef) -> AssetExpression:
    return AssetExpression(op="asset", asset=ref)


ETL = dag(
    "etl",
    task("extract.orders", "PythonOperator", group="extract", line=12),
    task("extract.customers", "PythonOperator", group="extract", line=14),
    task("transform", "@task", "extract.orders", "extract.customers", line=20),
    task("load", "SQLExecuteQueryOperator", "transform", line=25),
    tags=("sales", "daily"), default_args={"owner": "data-eng, ops"},
)


def test_tasks_become_assets_keyed_dag_slash_task_grouped_by_dag() -> None:
    translation = translate(ETL)
    assert deps(translation) == {
        "etl/extract.customers": (),
        "etl/extract.orders": (),
        "etl/load": ("etl/transform",),
        "etl/transform": ("etl/extract.customers", "etl/extract.orders"),
    }
    assert {r.group for r in translation.records} == {"etl"}
    assert (translation.records[0].dag_id, translation.records[0].task_id) == (
        "etl", "extract.customers")
    assert translation.diagnostics == [] and translation.graph is not None
    spec = translation.graph.spec("etl/extract.orders")
    assert spec.key.parts == ("etl", "extract.orders")
    assert spec.owners == ("data-eng", "ops")
    assert spec.tags == {"sales": "", "daily": ""}
    assert spec.metadata == {"dag_id": "etl", "task_id": "extract.orders",
                             "operator": "PythonOperator", "file": "dags/etl.py", "line": 12,
                             "task_group": "extract"}
    assert "PythonOperator" in (spec.description or "")


def test_the_assets_validate_as_a_bridge_graph_and_are_graph_only() -> None:
    translation = translate(ETL)
    graph = AssetGraph.from_assets(translation.assets)
    assert [str(k) for k in graph.toposort()][-1] == "etl/load"
    with pytest.raises(TranslationError, match="needs the Airflow task executor") as caught:
        graph.definition("etl/load")()
    assert (caught.value.dag_id, caught.value.task_id) == ("etl", "load")
    run = materialize(translation.assets, selection="etl/extract.orders")
    assert not run.success
    assert "graph-only" in (run.result_for("etl/extract.orders").error or "")


def test_outlets_replace_the_task_key_and_feed_downstream_tasks() -> None:
    translation = translate(dag(
        "etl",
        task("load", "BashOperator", outlets=(asset("warehouse/orders"),)),
        task("report", "EmptyOperator", "load"),
    ))
    assert deps(translation) == {"warehouse/orders": (), "etl/report": ("warehouse/orders",)}
    record = translation.records[1]
    assert (record.key, record.dag_id, record.task_id, record.group) == (
        "warehouse/orders", "etl", "load", "etl")


def test_several_outlets_make_one_multi_asset() -> None:
    translation = translate(dag(
        "etl",
        task("split", "PythonOperator",
             outlets=(asset("users"), asset(uri="s3://lake/accounts.csv"))),
        task("after", "EmptyOperator", "split"),
    ))
    (multi,) = [a for a in translation.assets if a.is_multi]
    assert sorted(str(k) for k in multi.keys) == ["s3://lake/accounts.csv", "users"]
    uri_key = AssetKey(("s3://lake/accounts.csv",))
    assert uri_key in multi.keys
    assert deps(translation)["etl/after"] == ("s3://lake/accounts.csv", "users")
    assert {r.task_id for r in translation.records if r.dag_id} == {"split", "after"}
    assert translation.graph is not None


def test_inlets_become_deps_and_cross_dag_edges() -> None:
    translation = translate(
        dag("producer", task("load", "BashOperator", outlets=(asset("orders"),))),
        dag("consumer", task("read", "PythonOperator", inlets=(asset("orders"),))),
    )
    assert deps(translation)["consumer/read"] == ("orders",)
    assert translation.cross_dag_edges() == [("orders", "consumer/read")]


def test_asset_schedules_with_and_or_feed_the_root_tasks_only() -> None:
    schedule = AssetExpression(op="and", items=(
        one(asset("orders")),
        AssetExpression(op="or", items=(one(asset("customers")),
                                        one(asset(uri="postgres://db/public/fx")))),
    ))
    translation = translate(
        dag("producer", task("load", "BashOperator", outlets=(asset("orders"),))),
        dag("reporting", task("start"), task("other_root"), task("finish", "EmptyOperator",
                                                               "start", "other_root"),
            schedule="orders & (customers | postgres://db/public/fx)",
            schedule_assets=schedule),
    )
    found = deps(translation)
    expected = ("customers", "orders", "postgres://db/public/fx")
    assert found["reporting/start"] == expected
    assert found["reporting/other_root"] == expected
    assert found["reporting/finish"] == ("reporting/other_root", "reporting/start")
    sources = [r for r in translation.records if r.dag_id is None]
    assert [(r.key, r.group, r.task_id) for r in sources] == [
        ("customers", SOURCE_GROUP, None), ("postgres://db/public/fx", SOURCE_GROUP, None)]
    assert translation.graph is not None and translation.graph.definition("customers").is_source


def test_source_assets_make_the_graph_validate() -> None:
    translation = translate(dag("solo", task("read", inlets=(asset("raw/events"),))))
    assert deps(translation) == {"raw/events": (), "solo/read": ("raw/events",)}
    assert [a.is_source for a in translation.assets] == [False, True]
    assert AssetGraph.from_assets(translation.assets).upstream("solo/read") == [
        AssetKey.parse("raw/events")]


PARENT = dag("parent", task("extract"), task("load", "EmptyOperator", "extract"),
             task("report.a", group="report"), task("report.b", "EmptyOperator", "report.a",
                                                    group="report"))


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"external_task_id": "extract"}, ("parent/extract",)),
    ({"external_task_ids": ["extract", "load"]}, ("parent/extract", "parent/load")),
    ({"external_task_group_id": "report"}, ("parent/report.b",)),
    ({}, ("parent/load", "parent/report.b")),
])
def test_external_task_sensor_waits_on_tasks_groups_or_the_whole_dag(
    kwargs: dict[str, Any], expected: tuple[str, ...]
) -> None:
    sensor = task("wait", "ExternalTaskSensor", kwargs={"external_dag_id": "parent", **kwargs})
    translation = translate(PARENT, dag("child", sensor, task("use", "EmptyOperator", "wait")))
    assert deps(translation)["child/wait"] == expected
    assert translation.diagnostics == []


def test_external_task_marker_makes_the_child_task_depend_on_the_marker() -> None:
    marker = task("mark", "ExternalTaskMarker", "extract",
                  kwargs={"external_dag_id": "child", "external_task_id": "wait"})
    translation = translate(
        dag("parent", task("extract"), marker),
        dag("child", task("wait", "ExternalTaskSensor",
                          kwargs={"external_dag_id": "parent", "external_task_id": "extract"})),
    )
    assert deps(translation)["child/wait"] == ("parent/extract", "parent/mark")
    assert translation.graph is not None


def test_trigger_dag_run_makes_the_triggered_roots_depend_on_the_trigger() -> None:
    trigger = task("kick", "TriggerDagRunOperator", "load", kwargs={"trigger_dag_id": "child"})
    translation = translate(
        dag("parent", task("load"), trigger),
        dag("child", task("a"), task("b"), task("c", "EmptyOperator", "a", "b")),
    )
    found = deps(translation)
    assert found["child/a"] == found["child/b"] == ("parent/kick",)
    assert found["child/c"] == ("child/a", "child/b")
    assert translation.cross_dag_edges() == [("parent/kick", "child/a"),
                                             ("parent/kick", "child/b")]


def test_a_dag_triggering_itself_is_an_info_not_a_cycle() -> None:
    translation = translate(dag("loop", task("start"), task(
        "again", "TriggerDagRunOperator", "start", kwargs={"trigger_dag_id": "loop"})))
    assert codes(translation) == [("info", "self-trigger")]
    assert translation.graph is not None


def test_unknown_references_are_warnings_with_locations() -> None:
    translation = translate(
        PARENT,
        dag("child",
            task("s1", "ExternalTaskSensor", kwargs={"external_dag_id": "ghost"}, line=7),
            task("s2", "sensors.ExternalTaskSensor",
                 kwargs={"external_dag_id": "parent", "external_task_id": "nope"}, line=8),
            task("s3", "ExternalTaskSensor",
                 kwargs={"external_dag_id": "parent", "external_task_group_id": "nogroup"},
                 line=9),
            task("t1", "TriggerDagRunOperator", kwargs={"trigger_dag_id": "ghost"}, line=11),
            task("t2", "TriggerDagRunOperator",
                 kwargs={"trigger_dag_id": "{{ params.target }}"}, line=12),
            task("t3", "EmptyOperator", "missing_upstream", line=13)),
    )
    assert codes(translation) == [
        ("warning", "unknown-external-dag"),
        ("warning", "unknown-external-task"),
        ("warning", "unknown-external-task-group"),
        ("warning", "unknown-triggered-dag"),
        ("warning", "unresolved-external-reference"),
        ("warning", "unknown-upstream-task"),
    ]
    first = translation.diagnostics[0]
    assert (first.file, first.line, first.dag_id, first.task_id) == (
        "dags/child.py", 7, "child", "s1")
    assert "'ghost'" in first.message
    assert translation.graph is not None
    assert all(deps(translation)[f"child/{t}"] == () for t in ("s1", "s2", "s3", "t1", "t3"))


def test_cycles_across_dags_are_an_error_diagnostic_with_the_cycle() -> None:
    translation = translate(
        dag("a", task("x", "ExternalTaskSensor",
                      kwargs={"external_dag_id": "b", "external_task_id": "y"})),
        dag("b", task("y", "ExternalTaskSensor",
                      kwargs={"external_dag_id": "a", "external_task_id": "x"})),
    )
    assert codes(translation) == [("error", "asset-cycle")]
    (cycle,) = translation.diagnostics
    assert "across DAGs 'a', 'b'" in cycle.message
    assert "a/x -> b/y -> a/x" in cycle.message or "b/y -> a/x -> b/y" in cycle.message
    assert cycle.file in ("dags/a.py", "dags/b.py") and cycle.dag_id in ("a", "b")
    assert translation.graph is None and translation.has_errors
    assert deps(translation) == {"a/x": ("b/y",), "b/y": ("a/x",)}


def test_duplicate_producers_and_dag_ids_are_warnings() -> None:
    translation = translate(
        dag("a", task("w", outlets=(asset("orders"),))),
        dag("b", task("w", outlets=(asset("orders"),))),
        dag("a", task("other"), file="dags/zz_copy.py"),
    )
    assert codes(translation) == [("warning", "duplicate-asset-key"),
                                  ("warning", "duplicate-dag-id")]
    assert deps(translation) == {"orders": (), "b/w": ()}
    assert translation.records[1].task_id == "w" and translation.records[1].dag_id == "a"
    assert "task 'w' produces 'b/w' instead" in translation.diagnostics[0].message
    assert "also defined in dags/a.py" in translation.diagnostics[1].message


def test_a_task_losing_some_outlets_keeps_the_others() -> None:
    translation = translate(
        dag("a", task("w", outlets=(asset("orders"),))),
        dag("b", task("w", outlets=(asset("orders"), asset("refunds")))),
    )
    assert [r.key for r in translation.records] == ["orders", "refunds"]
    assert "task 'w' does not produce it" in translation.diagnostics[0].message


def test_a_task_reading_and_writing_an_asset_does_not_depend_on_itself() -> None:
    translation = translate(dag("d", task("upsert", outlets=(asset("t"),), inlets=(asset("t"),))))
    assert deps(translation) == {"t": ()}
    assert translation.graph is not None


def test_invalid_keys_become_error_diagnostics() -> None:
    translation = translate(dag("ok", task(" padded"), task("fine")))
    assert codes(translation) == [("error", "invalid-asset-spec")]
    assert [r.key for r in translation.records] == ["ok/fine"]


def test_output_is_deterministic_whatever_the_input_order() -> None:
    dags = [
        ETL,
        dag("consumer", task("wait", "ExternalTaskSensor",
                             kwargs={"external_dag_id": "etl", "external_task_id": "load"}),
            task("use", "EmptyOperator", "wait", inlets=(asset("x"), asset("a"))),
            task("bad", "ExternalTaskSensor", kwargs={"external_dag_id": "nowhere"})),
    ]
    first = translate(*dags)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = [d.model_copy(update={"tasks": tuple(rng.sample(d.tasks, len(d.tasks)))})
                    for d in rng.sample(dags, len(dags))]
        again = translate(*shuffled)
        assert again.records == first.records
        assert again.diagnostics == first.diagnostics
        assert [a.keys for a in again.assets] == [a.keys for a in first.assets]
    assert [r.key for r in first.records] == sorted(r.key for r in first.records)
