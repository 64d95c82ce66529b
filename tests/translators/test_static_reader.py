"""The static reader against hand-written DAG files and their expected graphs.

Every ``fixtures/dags/<construct>.py`` has a ``<construct>.expected.json``; one
parametrized test compares them. Task fields missing from an expected task mean the
default (see ``TASK_DEFAULTS``); ``kwargs`` and DAG ``line`` are compared where present.
The focused tests below cover bad input: diagnostics, partial graphs, never an exception.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from translators.model import DagInfo, ReadResult, TaskInfo
from translators.static import read_static

FIXTURES = Path(__file__).parent / "fixtures"
DAG_FILES = sorted((FIXTURES / "dags").glob("*.py"))
BAD = FIXTURES / "bad_dags"

TASK_DEFAULTS: dict[str, Any] = {
    "operator_module": None, "upstream": [], "group": None, "mapped": False,
    "trigger_rule": "all_success", "retries": None, "is_setup": False, "is_teardown": False,
    "callable_name": None, "data_inputs": {}, "outlets": [], "inlets": [],
}
DAG_DEFAULTS: dict[str, Any] = {
    "schedule": None, "schedule_assets": None, "tags": [], "params": {}, "default_args": {},
    "description": None,
}


def _task_view(task: TaskInfo, expected: dict[str, Any]) -> dict[str, Any]:
    data = task.model_dump(mode="json")
    keys = ["operator", *TASK_DEFAULTS, *(k for k in ("kwargs", "line") if k in expected)]
    return {key: data[key] for key in keys}


def _dag_view(dag: DagInfo, expected: dict[str, Any]) -> dict[str, Any]:
    data = dag.model_dump(mode="json")
    view = {key: data[key] for key in [*DAG_DEFAULTS, *(["line"] if "line" in expected else [])]}
    view["tasks"] = {t.task_id: _task_view(t, expected["tasks"].get(t.task_id, {}))
                     for t in dag.tasks}
    return view


def _expected_view(expected: dict[str, Any]) -> dict[str, Any]:
    view = {**DAG_DEFAULTS, **{k: v for k, v in expected.items() if k != "tasks"}}
    view["tasks"] = {task_id: {**TASK_DEFAULTS, **task}
                     for task_id, task in expected["tasks"].items()}
    return view


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=[p.stem for p in DAG_FILES])
def test_fixture_matches_expected_graph(dag_file: Path) -> None:
    expected = json.loads(dag_file.with_suffix(".expected.json").read_text())
    result = read_static([dag_file])

    assert [d.dag_id for d in result.dags] == sorted(expected["dags"])
    for dag in result.dags:
        assert dag.file == str(dag_file)
        assert _dag_view(dag, expected["dags"][dag.dag_id]) == _expected_view(
            expected["dags"][dag.dag_id])
    diagnostics = [{"level": d.level, "code": d.code, "line": d.line}
                   for d in result.diagnostics]
    assert diagnostics == expected["diagnostics"]


def test_every_fixture_has_an_expected_graph() -> None:
    expected = sorted((FIXTURES / "dags").glob("*.expected.json"))
    assert [p.name.removesuffix(".expected.json") for p in expected] == [p.stem for p in DAG_FILES]


def _codes(result: ReadResult) -> list[tuple[str, str, int | None]]:
    return [(d.level, d.code, d.line) for d in result.diagnostics]


#: a DAG file that does not parse (written at test time: ruff checks the fixture folders)
BROKEN_SOURCE = (
    "from airflow.sdk import DAG\n"
    "\n"
    "with DAG('broken', schedule=None) as dag\n"
    "    pass\n"
)


def test_syntax_error_is_a_diagnostic_not_an_exception(tmp_path: Path) -> None:
    broken = tmp_path / "syntax_error.py"
    broken.write_text(BROKEN_SOURCE)
    result = read_static([broken])
    assert result.dags == ()
    assert _codes(result) == [("error", "syntax-error", 3)]
    assert result.has_errors
    assert result.diagnostics[0].file == str(broken)


def test_unresolvable_loop_keeps_the_rest_of_the_graph() -> None:
    result = read_static([BAD / "unresolvable_loop.py"])
    (dag,) = result.dags
    assert {t.task_id: t.upstream for t in dag.tasks} == {"start": (), "end": ("start",)}
    assert _codes(result) == [("warning", "dynamic-construct", 14),
                              ("warning", "unresolved-task-id", 15)]
    assert "os.listdir" in result.diagnostics[0].message
    assert 'f"load_{name}"' in result.diagnostics[1].message
    assert not result.has_errors


def test_duplicate_task_id_is_an_error_and_the_first_task_wins() -> None:
    result = read_static([BAD / "duplicate_ids.py"])
    (dag,) = result.dags
    assert [(t.task_id, t.line) for t in dag.tasks] == [("other", 11), ("same", 9)]
    assert dag.task("other").upstream == ("same",)
    (diagnostic,) = result.diagnostics
    assert (diagnostic.level, diagnostic.code, diagnostic.line) == (
        "error", "duplicate-task-id", 10)
    assert (diagnostic.dag_id, diagnostic.task_id) == ("duplicate_ids", "same")


def test_cycle_is_an_error_naming_the_cycle() -> None:
    result = read_static([BAD / "cycle.py"])
    (dag,) = result.dags
    assert dag.task("a").upstream == ("c",)
    (diagnostic,) = result.diagnostics
    assert (diagnostic.level, diagnostic.code, diagnostic.dag_id) == ("error", "cycle", "cycle")
    assert "c -> a -> b -> c" in diagnostic.message


def test_names_defined_elsewhere_become_diagnostics() -> None:
    result = read_static([BAD / "unresolved_names.py"])
    assert [d.dag_id for d in result.dags] == ["partially_known"]
    assert [t.task_id for t in result.dags[0].tasks] == ["known"]
    assert _codes(result) == [
        ("error", "unresolved-dag-id", 10),
        ("warning", "unresolved-dependency", 15),
        ("warning", "dynamic-construct", 16),
        ("warning", "task-without-dag", 18),
    ]
    assert 'dag_name("sales")' in result.diagnostics[0].message
    assert "add_quality_checks" in result.diagnostics[2].message


def test_one_broken_file_does_not_stop_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(BAD / "mixed", folder)
    (folder / "broken.py").write_text(BROKEN_SOURCE)
    result = read_static([folder])
    assert [(d.dag_id, Path(d.file).name) for d in result.dags] == [
        ("good_one", "good_one.py"), ("good_two", "good_two.py")]
    assert [(Path(d.file or "").name, d.code) for d in result.diagnostics] == [
        ("broken.py", "syntax-error")]
    assert set(result.readers) == {str(folder / "broken.py"), str(folder / "good_one.py"),
                                   str(folder / "nested" / "good_two.py")}


def test_missing_path_is_reported() -> None:
    result = read_static([BAD / "does_not_exist.py", BAD / "cycle.py"])
    assert [d.dag_id for d in result.dags] == ["cycle"]
    assert ("error", "file-not-found", None) in _codes(result)


def test_output_is_deterministic_whatever_the_path_order() -> None:
    forward = read_static(DAG_FILES)
    backward = read_static(list(reversed(DAG_FILES)))
    assert forward == backward
    assert [(d.file, d.dag_id) for d in forward.dags] == sorted(
        (d.file, d.dag_id) for d in forward.dags)
    for dag in forward.dags:
        assert [t.task_id for t in dag.tasks] == sorted(t.task_id for t in dag.tasks)
        assert all(list(t.upstream) == sorted(t.upstream) for t in dag.tasks)


def test_nested_task_group_function_called_three_times_fails_like_airflow(tmp_path: Path) -> None:
    # Airflow matches the un-prefixed stem against prefixed ids, so the third call inside an
    # outer group collides on "outer.inner__1" and Airflow rejects the DAG.
    dag_file = tmp_path / "nested_calls.py"
    dag_file.write_text(
        "from airflow.sdk import DAG, TaskGroup, task_group\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "@task_group\n"
        "def inner():\n"
        "    EmptyOperator(task_id='t')\n"
        "with DAG('nested_calls', schedule=None):\n"
        "    with TaskGroup('outer'):\n"
        "        inner()\n"
        "        inner()\n"
        "        inner()\n"
    )
    result = read_static([dag_file])
    assert [t.task_id for t in result.dags[0].tasks] == ["outer.inner.t", "outer.inner__1.t"]
    assert _codes(result) == [("error", "duplicate-task-id", 10)]


def test_long_dependency_expression_and_endless_loop_do_not_crash(tmp_path: Path) -> None:
    dag_file = tmp_path / "stress.py"
    chain = " >> ".join(f"EmptyOperator(task_id='t{i}')" for i in range(2000))
    dag_file.write_text(
        "from airflow.sdk import DAG\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "with DAG('stress', schedule=None):\n"
        f"    {chain}\n"
        "    n = 0\n"
        "    while True:\n"
        "        n += 1\n"
    )
    result = read_static([dag_file])
    assert len(result.dags[0].tasks) == 2000
    assert result.dags[0].task("t1999").upstream == ("t1998",)
    assert [d.code for d in result.diagnostics] == ["dynamic-construct"]


def test_evaluation_budget_stops_a_runaway_file_with_a_partial_graph(tmp_path: Path) -> None:
    dag_file = tmp_path / "runaway.py"
    dag_file.write_text(
        "from airflow.sdk import DAG\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "with DAG('runaway', schedule=None):\n"
        "    EmptyOperator(task_id='before')\n"
        "    for i in range(1000):\n"
        "        for j in range(1000):\n"
        "            x = i * j\n"
        "    EmptyOperator(task_id='after')\n"
    )
    result = read_static([dag_file])
    assert [t.task_id for t in result.dags[0].tasks] == ["before"]
    assert [d.code for d in result.diagnostics] == ["dynamic-construct"]
    assert "evaluation steps" in result.diagnostics[0].message


def test_odd_files_are_read_without_exceptions(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "binary.py").write_bytes(b"\x00\xff\xfe garbage")
    (tmp_path / "latin1.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n"
        b"from airflow.sdk import DAG\n"
        b"from airflow.providers.standard.operators.bash import BashOperator\n"
        b"with DAG('caf\xe9', schedule=None):\n"
        b"    BashOperator(task_id='t', bash_command=' '.join(['echo', 'd\xe9j\xe0']))\n")
    result = read_static([tmp_path])
    assert [d.dag_id for d in result.dags] == ["café"]
    assert result.dags[0].task("t").kwargs["bash_command"] == "echo déjà"
    assert [(Path(d.file or "").name, d.level) for d in result.diagnostics] == [
        ("binary.py", "error")]


def test_non_literal_kwargs_are_kept_as_source_text(tmp_path: Path) -> None:
    dag_file = tmp_path / "sources.py"
    dag_file.write_text(
        "import os\n"
        "from datetime import timedelta\n"
        "from airflow.sdk import DAG\n"
        "from airflow.providers.standard.operators.bash import BashOperator\n"
        "def make(cmd):\n"
        "    return BashOperator(task_id='t', bash_command=cmd, env={'HOME': os.environ['H']},\n"
        "                        execution_timeout=timedelta(minutes=10))\n"
        "with DAG('sources', schedule=timedelta(days=1)):\n"
        "    make(os.environ.get('CMD', 'echo'))\n"
    )
    (dag,) = read_static([dag_file]).dags
    assert dag.schedule == "timedelta(days=1)"
    assert dag.task("t").kwargs == {
        "task_id": "t",
        "bash_command": "os.environ.get('CMD', 'echo')",
        "env": {"HOME": "os.environ['H']"},
        "execution_timeout": "timedelta(minutes=10)",
    }


def test_public_surface_and_no_airflow_import() -> None:
    import translators.static

    assert translators.static.__all__ == ["read_static"]
    code = ("import sys; from translators.static import read_static; "
            f"r = read_static([{str(FIXTURES / 'dags')!r}]); "
            "print(len(r.dags) > 20, 'airflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.split() == ["True", "False"]


STATIC_MODULES = sorted(p.stem for p in (FIXTURES.parents[2] / "translators" / "static").glob(
    "*.py"))


@pytest.mark.parametrize("module_name", STATIC_MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    import doctest
    import importlib

    name = "translators.static" if module_name == "__init__" else (
        f"translators.static.{module_name}")
    failures, _ = doctest.testmod(importlib.import_module(name))
    assert failures == 0


def test_a_dag_without_dag_id_says_so(tmp_path: Path) -> None:
    file = tmp_path / "no_id.py"
    file.write_text("from airflow.sdk import DAG\nfrom airflow.providers.standard.operators."
                    "empty import EmptyOperator\n\nwith DAG(schedule=None):\n"
                    "    EmptyOperator(task_id='a')\n")
    result = read_static([file])
    assert result.dags == ()
    (diagnostic,) = result.diagnostics
    assert (diagnostic.level, diagnostic.code, diagnostic.line) == (
        "error", "unresolved-dag-id", 4)
    assert diagnostic.message.startswith("DAG(...) is given no dag_id (Airflow rejects it)")
