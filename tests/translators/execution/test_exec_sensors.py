"""ExternalTaskSensor in an in-process run: it runs after the loaded tasks it waits for and
its pokes are answered from what they did; what never comes fails at once, with the reason,
instead of poking until the sensor's timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from translators.execution import DagRunResult, ExecutionSettings, run_dags

pytestmark = pytest.mark.airflow
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "exec" / "sensor_dags.py"


@pytest.fixture(scope="module")
def result() -> DagRunResult:
    return run_dags(FIXTURE, logical_date="2026-01-02",
                    settings=ExecutionSettings(retry_delay=0))


def _error(result: DagRunResult, key: str) -> str:
    return str(result.run.result_for(key).error)


def test_sensors_on_tasks_that_succeeded_in_the_run_succeed(result: DagRunResult) -> None:
    states = result.states("sensing_down")
    assert (states["on_ok"], states["on_group"]) == ("success", "success")


def test_a_sensed_failure_fails_at_once(result: DagRunResult) -> None:
    states = result.states("sensing_down")
    assert (states["on_bad"], states["on_dag"], states["on_bad_failed"]) == (
        "failed", "failed", "failed")
    assert "without reaching its allowed states ['success']" in _error(
        result, "sensing_down/on_bad")
    assert "Some of the external tasks ['bad'] in DAG sensed_up failed" in _error(
        result, "sensing_down/on_bad_failed")


def test_a_dag_not_in_the_run_is_named(result: DagRunResult) -> None:
    assert result.states("sensing_down")["on_ghost"] == "failed"
    assert "DAG 'ghost' is not part of this in-process run" in _error(
        result, "sensing_down/on_ghost")


def test_the_sensors_own_trigger_rule_applies_to_its_dag(result: DagRunResult) -> None:
    states = result.states("sensing_down")
    assert (states["broken"], states["after_broken"]) == ("failed", "upstream_failed")


def test_selecting_a_sensor_without_what_it_waits_for_says_so() -> None:
    alone = run_dags(FIXTURE, select="sensing_down/on_ok", logical_date="2026-01-02")
    assert alone.states("sensing_down")["on_ok"] == "failed"
    assert "task 'ok' of DAG 'sensed_up' did not run in this in-process run" in _error(
        alone, "sensing_down/on_ok")
