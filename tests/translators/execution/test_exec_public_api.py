"""``translators.execution`` exports exactly its pinned names, and importing it does not
import Airflow (only a run does)."""

from __future__ import annotations

import subprocess
import sys

import translators.execution as execution

PUBLIC = {
    "ContainerResult", "ContainerRunner", "ContainerSpec", "DagRunResult", "ExecutionSettings",
    "FakeContainerRunner", "LocalContainerRunner", "airflow_state", "run_dags",
}


def test_all_is_pinned_and_sorted() -> None:
    assert set(execution.__all__) == PUBLIC
    assert sorted(execution.__all__) == execution.__all__
    for name in PUBLIC:
        assert getattr(execution, name) is not None


def test_import_does_not_import_airflow() -> None:
    code = ("import sys, translators.execution\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
