"""A logical date outside a task's start/end dates: Airflow creates no task instance for
it (``dag.test()`` runs nothing), so an in-process run does not run it either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from translators.execution import run_dags

DAG = """\
import pendulum
from airflow.sdk import DAG, task

with DAG(dag_id="dated", schedule="@daily",
         start_date=pendulum.datetime(2025, 1, 1, tz="UTC")):
    @task
    def early() -> int:
        return 1

    @task(start_date=pendulum.datetime(2025, 6, 1, tz="UTC"))
    def late(value: int) -> int:
        return value + 1

    @task
    def after_late(value: int) -> int:
        return value + 1

    @task(end_date=pendulum.datetime(2025, 3, 1, tz="UTC"))
    def retired() -> int:
        return 0

    after_late(late(early()))
    retired()
"""


def _dag(tmp_path: Path) -> Path:
    path = tmp_path / "dated.py"
    path.write_text(DAG)
    return path


def test_before_the_dag_start_date_nothing_runs(tmp_path: Path) -> None:
    result = run_dags(_dag(tmp_path), logical_date="2024-12-31")
    assert result.success and result.task_states == {}
    (warning,) = result.diagnostics
    assert warning.code == "outside-task-dates" and warning.dag_id == "dated"
    assert "of after_late, early, late, retired in DAG 'dated'" in warning.message


def test_a_task_starting_later_and_its_downstream_do_not_run(tmp_path: Path) -> None:
    result = run_dags(_dag(tmp_path), logical_date="2025-02-01")
    assert result.states() == {"early": "success", "retired": "success"}
    (warning,) = result.diagnostics
    assert "dates of late in DAG 'dated'" in warning.message  # after_late: downstream


def test_after_a_task_end_date_it_does_not_run(tmp_path: Path) -> None:
    result = run_dags(_dag(tmp_path), logical_date="2025-07-01")
    assert result.states() == {"early": "success", "late": "success", "after_late": "success"}
    assert result.xcom("after_late") == 3


def test_the_cli_says_why_tasks_did_not_run(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "from bridge.cli import main; main()",
                           "run", str(_dag(tmp_path)), "--logical-date", "2024-12-31",
                           "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["assets"] == []
    assert "outside the start/end dates of after_late, early, late, retired" in done.stderr
