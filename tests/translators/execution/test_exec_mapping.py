"""Dynamic task mapping, task groups and setup/teardown in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from translators.execution import DagRunResult, run_dags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"


@pytest.fixture(scope="module")
def result() -> DagRunResult:
    return run_dags(FIXTURES / "mapping_dag.py", logical_date="2026-01-02")


def test_expand_over_an_xcom_and_reduce(result: DagRunResult) -> None:
    assert result.map_states[("exec_mapping", "add")] == ["success"] * 3
    assert result.xcom("add") == [11, 12, 13]
    assert result.xcom("add", map_index=1) == 12
    assert result.xcom("total") == 36
    assert result.run.output_for("exec_mapping/add") == [11, 12, 13]


def test_expand_kwargs_and_cross_product(result: DagRunResult) -> None:
    assert result.xcom("describe") == ["a:1", "b:2"]
    assert result.xcom("cross") == [11, 21, 12, 22]


def test_classic_operator_partial_expand(result: DagRunResult) -> None:
    assert result.xcom("echo") == ["one", "two"]


def test_zero_length_expansion_is_skipped(result: DagRunResult) -> None:
    assert result.state("nothing") == "success"
    assert result.state("never") == "skipped"


def test_mapped_task_group(result: DagRunResult) -> None:
    assert result.xcom("per_file.size") == [5, 6]
    assert result.xcom("per_file.double") == [10, 12]
    assert result.xcom("group_total") == 22


def test_task_groups_and_setup_teardown(result: DagRunResult) -> None:
    assert result.state("stage.second") == "success"
    assert result.xcom("stage.second") == "staged"
    assert result.xcom("delete_cluster") == "deleted cluster-1"
    assert result.success


def test_teardown_runs_when_the_work_fails_and_setups_failing_block_it(tmp_path: Path) -> None:
    dag = tmp_path / "teardown_dag.py"
    dag.write_text('''
import pendulum
from airflow.sdk import DAG, task

with DAG(dag_id="td", schedule=None, start_date=pendulum.datetime(2025, 1, 1, tz="UTC")):
    @task
    def setup_ok(): return "c"
    @task
    def work(c): raise ValueError("work failed")
    @task
    def teardown_ok(c): return "torn down"
    c = setup_ok()
    work(c) >> teardown_ok(c).as_teardown(setups=c)

    @task
    def setup_bad(): raise ValueError("no cluster")
    @task
    def work2(c): return c
    @task
    def teardown2(c): return "never"
    c2 = setup_bad()
    work2(c2) >> teardown2(c2).as_teardown(setups=c2)
''')
    result = run_dags(dag, logical_date="2026-01-02")
    assert result.states() == {
        "setup_ok": "success", "work": "failed", "teardown_ok": "success",
        "setup_bad": "failed", "work2": "upstream_failed", "teardown2": "upstream_failed",
    }
