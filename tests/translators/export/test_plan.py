"""Planning: which asset goes into which DAG, task ids, schedules and what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge import DailyPartitions, StaticPartitions, asset
from bridge._loading import load_target
from translators.export import ExportError, ExportOptions, plan_export

REPO = Path(__file__).resolve().parents[3]
QUICKSTART = str(REPO / "examples" / "quickstart" / "assets.py")


def _shape(options: ExportOptions) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    plan = plan_export(load_target(QUICKSTART).assets, options)
    return {dag.dag_id: [(task.task_id, task.upstream) for task in dag.tasks]
            for dag in plan.dags}


def test_one_dag_per_group_split_where_a_dag_schedule_would_not_be_exact() -> None:
    plan = plan_export(load_target(QUICKSTART).assets, ExportOptions())
    dags = {dag.dag_id: dag for dag in plan.dags}
    assert sorted(dags) == ["raw", "sales", "sales__revenue_by_country"]
    # sales runs when raw_orders is updated: its first task reads exactly that
    assert dags["sales"].schedule_assets == ("raw_orders",)
    assert [(t.task_id, t.upstream, t.inlets) for t in dags["sales"].tasks] == [
        ("paid_orders", (), ("raw_orders",)), ("daily_revenue", ("paid_orders",), ())]
    # revenue_by_country also needs raw_customers, so it waits for both, in a DAG of its own
    assert dags["sales__revenue_by_country"].schedule_assets == ("paid_orders", "raw_customers")
    assert dags["raw"].schedule_assets == () and dags["raw"].cron is None


def test_one_dag_for_everything_uses_task_groups() -> None:
    assert list(_shape(ExportOptions(group_by="one", schedule="@daily"))) == ["assets"]
    plan = plan_export(load_target(QUICKSTART).assets, ExportOptions(group_by="one"))
    groups = {task.task_id: task.task_group for task in plan.dags[0].tasks}
    assert groups == {"raw_orders": "raw", "raw_customers": "raw", "paid_orders": "sales",
                      "daily_revenue": "sales", "revenue_by_country": "sales"}
    edges = {task.task_id: task.upstream for task in plan.dags[0].tasks}
    assert edges["revenue_by_country"] == ("raw.raw_customers", "sales.paid_orders")


def test_jobs_take_their_selection_and_leave_the_rest_out() -> None:
    options = ExportOptions(jobs=(("revenue", "+daily_revenue"), ("again", "raw_orders")))
    plan = plan_export(load_target(QUICKSTART).assets, options)
    assert [dag.dag_id for dag in plan.dags] == ["revenue"]
    assert [task.keys for task in plan.dags[0].tasks] == [
        ("raw_orders",), ("paid_orders",), ("daily_revenue",)]
    assert plan.left_out == ("raw_customers", "revenue_by_country")


def test_a_job_that_selects_nothing_is_an_error() -> None:
    with pytest.raises(ExportError, match="job 'x': selection 'group:nope' matches no asset"):
        plan_export(load_target(QUICKSTART).assets, ExportOptions(jobs=(("x", "group:nope"),)))


def test_schedules_per_label_and_default() -> None:
    options = ExportOptions(schedule="@hourly", schedules={"raw": "0 6 * * *"})
    plan = plan_export(load_target(QUICKSTART).assets, options)
    assert {dag.dag_id: dag.cron for dag in plan.dags} == {
        "raw": "0 6 * * *", "sales": None, "sales__revenue_by_country": None}


def test_partitions_pick_the_timetable_and_mapping() -> None:
    days = DailyPartitions(start="2026-01-01")

    @asset(partitions=days)
    def events() -> int:
        return 1

    @asset(partitions=days)
    def counts(events: int) -> int:
        return events

    @asset(partitions=StaticPartitions(["eu", "us"]))
    def regions() -> str:
        return "r"

    plan = plan_export([events, counts, regions], ExportOptions(catchup=True))
    timed, static = plan.dags
    assert (timed.cron, timed.data_intervals, timed.start_date, timed.catchup) == (
        "0 0 * * *", True, "2026-01-01T00:00", True)
    assert [t.time_partitioned for t in timed.tasks] == [True, True]
    assert static.tasks[0].static_partitions == ("eu", "us")


def test_time_partitioned_dags_never_form_a_cycle() -> None:
    days = DailyPartitions(start="2026-01-01")

    @asset(partitions=days, group="g")
    def a() -> int:
        return 1

    @asset(group="h")
    def b(a: dict[str, int]) -> int:
        return len(a)

    @asset(partitions=days, group="g")
    def c(b: int) -> int:
        return b

    plan = plan_export([a, b, c], ExportOptions())
    where = {key: dag.dag_id for dag in plan.dags for task in dag.tasks for key in task.keys}
    assert where["a"] != where["c"]  # g -> h -> g would loop


def test_task_ids_drop_the_group_prefix_and_stay_unique() -> None:
    @asset(key_prefix="sales", group="sales")
    def revenue() -> int:
        return 1

    @asset(name="revenue", key_prefix="other", group="sales")
    def other() -> int:
        return 2

    @asset(name="a b", group="sales")
    def spaced() -> int:
        return 3

    plan = plan_export([revenue, other, spaced], ExportOptions())
    ids = {task.keys[0]: task.task_id for task in plan.dags[0].tasks}
    assert ids["sales/revenue"] == "revenue"
    assert ids["other/revenue"] == "other__revenue"
    assert ids["a b"].startswith("a_b__") and len(ids["a b"]) == len("a_b__") + 8
