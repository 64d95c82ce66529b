"""PythonOperator / @task run in-process: Airflow's context, templates, XComs, params,
Variables (given to the run, or AIRFLOW_VAR_* in the environment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge import SqlStore
from translators.execution import DagRunResult, ExecutionSettings, run_dags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"
VARIABLES = {"threshold": "7", "pipeline_config": {"mode": "full"}}


@pytest.fixture(scope="module")
def result() -> DagRunResult:
    return run_dags(FIXTURES / "python_dag.py", logical_date="2026-01-02",
                    settings=ExecutionSettings(variables=VARIABLES))


def test_every_task_succeeds(result: DagRunResult) -> None:
    assert result.success
    assert result.states() == dict.fromkeys(
        ["extract", "report", "settings", "summarize", "transform"], "success")


def test_op_args_op_kwargs_templates_and_params(result: DagRunResult) -> None:
    assert result.xcom("extract") == {"rows": [0, 1, 2], "ds": "2026-01-02", "scale": 2}
    assert result.xcom("extract", key="source") == "nightly-20260102"


def test_xcom_args_pass_python_objects_in_memory(result: DagRunResult) -> None:
    assert result.xcom("transform") == [0, 20, 40]
    assert result.xcom("summarize") == {"total": 60, "count": 3, "ds": "2026-01-02"}
    assert result.xcom("summarize", key="total") == 60  # multiple_outputs


def test_templates_dict_context_and_run_id(result: DagRunResult) -> None:
    report = result.xcom("report")
    assert report["query"] == "SELECT * FROM t WHERE day = '2026-01-02' -- 7"
    assert report["run_id"] == "manual__2026-01-02T00:00:00+00:00"
    assert report["source"] == "nightly-20260102"
    assert report["interval"][1] == "2026-01-02T00:00:00+00:00"
    assert result.airflow_run_ids == {"exec_python": report["run_id"]}


def test_variables_given_to_the_run(result: DagRunResult) -> None:
    assert result.xcom("settings") == {"threshold": "7", "config": {"mode": "full"}}


def test_params_override_and_environment_variables(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("AIRFLOW_VAR_THRESHOLD", "from-env")
    variables = tmp_path / "variables.yaml"
    variables.write_text("threshold: from-file\npipeline_config:\n  mode: file\n")
    result = run_dags(FIXTURES / "python_dag.py", logical_date="2026-01-02",
                      params={"scale": 5}, select="exec_python/extract+,exec_python/settings",
                      settings=ExecutionSettings(variables=variables))
    assert result.xcom("transform") == [0, 50, 100]
    assert result.xcom("settings") == {"threshold": "from-env", "config": {"mode": "file"}}


def test_invalid_params_fail_the_task() -> None:
    result = run_dags(FIXTURES / "python_dag.py", logical_date="2026-01-02",
                      params={"scale": "many"}, select="exec_python/extract",
                      settings=ExecutionSettings(variables=VARIABLES))
    assert result.state("extract") == "failed"
    assert "scale" in (result.run.result_for("exec_python/extract").error or "")


def test_runs_are_recorded_in_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    result = run_dags(FIXTURES / "python_dag.py", logical_date="2026-01-02", store=url,
                      select="exec_python/extract", settings=ExecutionSettings(variables=VARIABLES))
    store = SqlStore(url)
    try:
        [run] = store.list_runs(5)
        events = store.events_for_run(run.run_id)
    finally:
        store.close()
    assert run.run_id == result.run_id
    assert [event.asset_key for event in events] == ["exec_python/extract"]
