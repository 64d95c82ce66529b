"""Branching, short-circuits, skips, trigger rules, failures and retries mean what they
mean in Airflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge._keys import AssetKey
from bridge._types import AssetOutcome
from bridge.runner import AssetResult
from translators.execution import DagRunResult, ExecutionSettings, airflow_state, run_dags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"


@pytest.fixture(scope="module")
def result() -> DagRunResult:
    return run_dags(FIXTURES / "branching_dag.py", logical_date="2026-01-02",
                    settings=ExecutionSettings(retry_delay=0))


def test_branch_operator_skips_the_branch_not_taken(result: DagRunResult) -> None:
    states = result.states("exec_branching")
    assert (states["pick"], states["path_b"]) == ("success", "success")
    assert (states["path_a"], states["after_a"]) == ("skipped", "skipped")
    assert states["join"] == "success"  # none_failed_min_one_success


def test_task_branch_decorator(result: DagRunResult) -> None:
    states = result.states("exec_branching")
    assert (states["weekday"], states["weekend"]) == ("success", "skipped")


def test_short_circuit_skips_everything_downstream(result: DagRunResult) -> None:
    states = result.states("exec_branching")
    assert states["gate"] == "success"
    # ignore_downstream_trigger_rules=True: even the all_done task is skipped
    assert (states["gated"], states["gated_always"]) == ("skipped", "skipped")


def test_short_circuit_respecting_trigger_rules(result: DagRunResult) -> None:
    states = result.states("exec_branching")
    assert (states["soft_next"], states["soft_after"]) == ("skipped", "success")
    assert (states["has_data"], states["load_data"]) == ("success", "success")


def test_skip_exception(result: DagRunResult) -> None:
    states = result.states("exec_branching")
    assert (states["skipper"], states["after_skip"]) == ("skipped", "skipped")
    assert "nothing new today" in (result.run.result_for("exec_branching/skipper").error or "")


def test_failure_makes_downstream_upstream_failed(result: DagRunResult) -> None:
    states = result.states("exec_failures")
    assert states["boom"] == "failed"
    assert (states["downstream"], states["further"]) == ("upstream_failed", "upstream_failed")
    assert (states["cleanup"], states["alert"]) == ("success", "success")
    assert not result.success


def test_retries_until_success(result: DagRunResult) -> None:
    assert result.state("flaky", "exec_failures") == "success"
    assert result.xcom("flaky", dag_id="exec_failures") == 3
    assert result.run.result_for("exec_failures/flaky").attempts == 3


def test_fail_exception_is_not_retried(result: DagRunResult) -> None:
    assert result.state("fatal", "exec_failures") == "failed"
    failure = result.run.result_for("exec_failures/fatal")
    assert "do not retry" in (failure.error or "")
    assert failure.attempts == 1


def test_dag_id_is_required_when_a_run_covers_several_dags(result: DagRunResult) -> None:
    from bridge.errors import SelectionError

    with pytest.raises(SelectionError, match="pass dag_id"):
        result.states()


@pytest.mark.parametrize(("outcome", "upstream_failed", "state"), [
    (AssetOutcome.SUCCESS, False, "success"),
    (AssetOutcome.FAILED, False, "failed"),
    (AssetOutcome.SKIPPED, False, "skipped"),
    (AssetOutcome.SKIPPED, True, "upstream_failed"),
])
def test_airflow_state_of_bridge_outcomes(outcome: AssetOutcome, upstream_failed: bool,
                                          state: str) -> None:
    result = AssetResult(AssetKey.parse("d/t"), outcome, upstream_failed=upstream_failed)
    assert airflow_state(result) == state
