"""Parity of the live reader with Airflow's own DagBag over every shipped example DAG file.

For each ``*.py`` under the installed ``airflow/example_dags/`` and
``airflow/providers/standard/example_dags/`` (found from the installed package at collection
time, without importing Airflow), ``read_live([file])`` must give exactly the DAG ids, task
ids and edges (``task.upstream_task_ids``) of ``DagBag(dag_folder=file)`` read in the same
process. This is a self-consistency check of the conversion, run on Airflow's widest set of
constructs (TaskFlow, mapping, groups, assets, setup/teardown, custom timetables...); every
DAG must also convert without a ``live-read-error``. Each example folder is compared as a
whole as well. Nothing is skipped: a file that fails to import in this environment (a missing
optional dependency) must fail in Airflow's DagBag too and yield an ``import-error``
diagnostic instead of DAGs; ``test_import_failures_are_airflows_own`` lists them in its
assertion message. With apache-airflow 3.3.2 and the standard provider 1.21 every one of the
75 files imports (the Kubernetes examples guard their optional import and define no DAG).

Airflow never runs in pytest's own process: one harness subprocess reads every file (see
``test_live_reader.py`` for why and how).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from translators.model import ReadResult

HARNESS = Path(__file__).parent / "fixtures" / "live" / "harness.py"
EXAMPLE_FOLDERS = ("example_dags", "providers/standard/example_dags")


def example_roots() -> list[Path]:
    """The installed example folders, located without importing Airflow."""
    roots: dict[str, Path] = {}
    for entry in sys.path:
        for folder in EXAMPLE_FOLDERS:
            candidate = Path(entry or ".") / "airflow" / folder
            if candidate.is_dir():
                roots.setdefault(folder, candidate.resolve())
    return [roots[folder] for folder in EXAMPLE_FOLDERS if folder in roots]


ROOTS = example_roots()
FILES = sorted(
    path
    for root in ROOTS
    for path in root.rglob("*.py")
    if path.name != "__init__.py" and "__pycache__" not in path.parts
)


IDS = [path.as_posix().split("/airflow/", 1)[-1] for path in FILES]


@pytest.fixture(scope="module")
def readings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``live:<id>`` / ``raw:<id>`` for every file and folder, from one subprocess."""
    targets = dict(zip(IDS, map(str, FILES), strict=True))
    targets |= {f"folder:{root.name}:{i}": str(root) for i, root in enumerate(ROOTS)}
    calls = [
        {"name": f"{kind}:{name}", "call": call, "paths": [path]}
        for name, path in targets.items()
        for kind, call in (("live", "read_live"), ("raw", "dagbag"))
    ]
    home = tmp_path_factory.mktemp("examples-home")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, str(HARNESS)],
        input=json.dumps({"calls": calls}),
        capture_output=True,
        text=True,
        env=environ | {"HOME": str(home)},
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results: dict[str, Any] = json.loads(done.stdout)["results"]
    return results


def graph_of_live(result: ReadResult) -> dict[str, tuple[list[str], list[list[str]]]]:
    return {
        dag.dag_id: (
            sorted(task.task_id for task in dag.tasks),
            sorted([up, task.task_id] for task in dag.tasks for up in task.upstream),
        )
        for dag in result.dags
    }


def graph_of_dagbag(raw: dict[str, Any]) -> dict[str, tuple[list[str], list[list[str]]]]:
    return {dag_id: (dag["tasks"], dag["edges"]) for dag_id, dag in raw["dags"].items()}


def assert_same_reading(live: ReadResult, raw: dict[str, Any]) -> None:
    assert not [d for d in live.diagnostics if d.code == "live-read-error"]
    failed = {d.file for d in live.diagnostics if d.code == "import-error"}
    assert failed == set(raw["import_errors"])  # the same files fail, for Airflow too
    assert graph_of_live(live) == graph_of_dagbag(raw)


def test_every_example_folder_is_found() -> None:
    assert [root.as_posix().split("/airflow/")[-1] for root in ROOTS] == list(EXAMPLE_FOLDERS)
    assert len(FILES) >= 50


@pytest.mark.parametrize("example", IDS)
def test_example_file_matches_airflows_dagbag(readings: dict[str, Any], example: str) -> None:
    live = ReadResult.model_validate(readings[f"live:{example}"])
    raw = readings[f"raw:{example}"]
    assert_same_reading(live, raw)
    assert set(live.readers.values()) == {"live"} and len(live.readers) == 1
    if raw["import_errors"]:  # listed by test_import_failures_are_airflows_own
        assert live.dags == ()
        assert [d.level for d in live.diagnostics if d.code == "import-error"] == ["error"]
    assert {dag.file for dag in live.dags} <= set(live.readers)


@pytest.mark.parametrize("root", ROOTS, ids=[root.name for root in ROOTS])
def test_example_folder_matches_airflows_dagbag(readings: dict[str, Any], root: Path) -> None:
    name = f"folder:{root.name}:{ROOTS.index(root)}"
    live = ReadResult.model_validate(readings[f"live:{name}"])
    assert_same_reading(live, readings[f"raw:{name}"])


def test_import_failures_are_airflows_own(readings: dict[str, Any]) -> None:
    failing = {
        example: sorted(readings[f"raw:{example}"]["import_errors"].values())
        for example in IDS
        if readings[f"raw:{example}"]["import_errors"]
    }
    live_failing = {
        example
        for example in IDS
        if any(d["code"] == "import-error" for d in readings[f"live:{example}"]["diagnostics"])
    }
    assert live_failing == set(failing), f"example files failing to import here: {failing}"
