"""BashOperator in-process: a real subprocess, env, Jinja with Airflow's context/macros."""

from __future__ import annotations

from pathlib import Path

import pytest

from translators.execution import DagRunResult, ExecutionSettings, run_dags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"


@pytest.fixture(scope="module")
def result() -> DagRunResult:
    return run_dags(FIXTURES / "bash_dag.py", logical_date="2026-01-02",
                    settings=ExecutionSettings(variables={"bucket": "raw-zone"}))


def test_jinja_params_macros_and_env(result: DagRunResult) -> None:
    assert result.xcom("templated") == "orders 2026-01-02 2026-01-03 hello-20260102"


def test_airflow_context_variables_are_exported(result: DagRunResult) -> None:
    assert result.xcom("context_env") == "exec_bash/context_env 2026-01-02T00:00:00+00:00"


def test_variables_in_templates(result: DagRunResult) -> None:
    assert result.xcom("variable") == "raw-zone"


def test_exit_99_skips_and_other_codes_fail(result: DagRunResult) -> None:
    assert result.state("skipped") == "skipped"
    assert result.state("failing") == "failed"
    failure = result.run.result_for("exec_bash/failing")
    assert "exit code 3" in (failure.error or "")


def test_task_bash_decorator_with_xcom_argument(result: DagRunResult) -> None:
    assert result.xcom("generated") == "generated orders 2026-01-02 2026-01-03 hello-20260102"


def test_environment_is_restored_after_each_task(result: DagRunResult) -> None:
    import os

    assert "AIRFLOW_CTX_DAG_ID" not in os.environ
