"""The live reader (``translators.live.read_live``) over small fixture DAG files.

How Airflow runs here: never inside pytest's own process. Importing Airflow configures it
once per process (``AIRFLOW_HOME``, a root-logger handler on stdout, signal handlers,
``warnings.showwarning``), so whichever test module imported it first would decide the setup
of every other module, and settings cannot be re-initialised afterwards. Each test module
therefore starts ``fixtures/live/harness.py`` once per batch of reads, with a clean
environment: no ``AIRFLOW_*`` variables and ``HOME`` in a temporary directory, which is
exactly the "user has not configured Airflow" case the reader must handle. The harness
prints only JSON on stdout, so every batch also proves that Airflow's logs and the DAG
files' own prints stay off stdout. Only tests that need no Airflow run in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bridge.errors import TranslationError
from translators._airflow_env import _import_error
from translators.live import read_live
from translators.model import AssetRef, DagInfo, ReadResult

LIVE = Path(__file__).parent / "fixtures" / "live"
DAGS = LIVE / "dags"


def run_harness(
    calls: list[dict[str, Any]], home: Path, *, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run the calls in a fresh Python process (cwd: the fixture DAGs); return its JSON."""
    home.mkdir(parents=True, exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST_"))}
    environ |= {"HOME": str(home), **(env or {})}
    done = subprocess.run(
        [sys.executable, str(LIVE / "harness.py")],
        input=json.dumps({"calls": calls}),
        capture_output=True,
        text=True,
        cwd=DAGS,
        env=environ,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)  # fails if anything but the JSON reached stdout


def line_of(file: Path, text: str) -> int:
    """The 1-based line of the first occurrence of ``text`` in ``file`` (robust to edits)."""
    for number, line in enumerate(file.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {file}")


CASES = {
    "taskflow": ["taskflow.py"],
    "groups": ["groups.py"],
    "mapping": ["mapping.py"],
    "assets": ["assets.py"],
    "branching": ["branching.py"],
    "broken": ["broken_import.py"],
    "cycle": ["cycle.py"],
    "warns": ["warns.py"],
    "mixed": ["mixed"],
    "missing": ["no_such_file.py", "taskflow.py"],
    "taskflow_again": ["taskflow.py"],
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("live")
    syntax = tmp / "syntax_error.py"
    syntax.write_text("from airflow.sdk import DAG\n\nwith DAG(dag_id='x' as dag:\n    pass\n")
    calls = [{"name": n, "call": "read_live", "paths": p} for n, p in CASES.items()]
    calls.append({"name": "syntax", "call": "read_live", "paths": [str(syntax)]})
    return run_harness(calls, tmp / "home") | {"home": tmp / "home", "syntax": syntax}


def result(batch: dict[str, Any], name: str) -> ReadResult:
    return ReadResult.model_validate(batch["results"][name])


def only_dag(batch: dict[str, Any], name: str) -> DagInfo:
    (dag,) = result(batch, name).dags
    return dag


def test_taskflow_dag_level_fields(batch: dict[str, Any]) -> None:
    dag = only_dag(batch, "taskflow")
    assert (dag.dag_id, dag.file, dag.schedule) == ("orders_etl", "taskflow.py", "@daily")
    assert dag.line == line_of(DAGS / "taskflow.py", "@dag(")
    assert dag.tags == ("etl", "finance")
    assert dag.params == {"limit": 10, "region": "eu"}
    assert dag.default_args == {
        "owner": "data",
        "retries": 2,
        "retry_delay": "datetime.timedelta(seconds=300)",
    }
    assert dag.description == "Orders ETL with TaskFlow"
    assert result(batch, "taskflow").readers == {"taskflow.py": "live"}


def test_taskflow_tasks_operators_edges_and_data_inputs(batch: dict[str, Any]) -> None:
    dag = only_dag(batch, "taskflow")
    assert [t.task_id for t in dag.tasks] == ["extract", "load", "load_again", "report", "split"]
    assert {t.task_id: t.operator for t in dag.tasks} == {
        "extract": "@task",
        "split": "@task",
        "load": "@task",
        "load_again": "@task",
        "report": "PythonOperator",
    }
    assert dag.task("extract").operator_module == "airflow.providers.standard.decorators.python"
    assert dag.task("report").upstream == ("load", "load_again")
    assert dag.task("split").data_inputs == {"rows": "extract"}
    assert dag.task("load").data_inputs == {"small": "split", "large": "split"}
    assert dag.task("load_again").data_inputs == {"small": "extract", "large": "extract"}
    assert dag.task("report").data_inputs == {"total": "load", "label": "load_again"}
    assert dag.task("load_again").callable_name == "load"
    assert (dag.task("load").retries, dag.task("extract").retries) == (5, 2)
    assert dag.task("load").kwargs["retries"] == 5
    assert "retries" not in dag.task("extract").kwargs  # inherited from default_args
    assert dag.task("split").kwargs["multiple_outputs"] is True


def test_task_lines_are_where_the_tasks_are_made(batch: dict[str, Any]) -> None:
    """The static reader's lines (TaskFlow call sites, loops, helpers), so both readers give
    the same ``line`` in the translate contract."""
    dag, source = only_dag(batch, "taskflow"), DAGS / "taskflow.py"
    assert dag.task("extract").line == line_of(source, "rows = extract()")
    assert dag.task("load_again").line == line_of(source, 'override(task_id="load_again")')
    assert dag.task("report").line == line_of(source, "PythonOperator(")


def test_task_groups_trigger_rules_retries_setup_teardown(batch: dict[str, Any]) -> None:
    dag = only_dag(batch, "groups")
    assert dag.schedule == "timedelta(hours=6)"
    groups = {t.task_id: t.group for t in dag.tasks}
    assert groups["ingest.a"] == "ingest"
    assert groups["ingest.inner.b"] == "ingest.inner"
    assert groups["publish.upload"] == "publish"
    assert groups["start"] is None
    assert dag.task("ingest.inner.b").upstream == ("ingest.a",)
    assert dag.task("publish.announce").data_inputs == {"result": "publish.upload"}
    assert dag.task("done").trigger_rule == "all_done"
    assert dag.task("start").trigger_rule == "all_success"
    assert dag.task("ingest.a").retries == 3
    assert dag.task("ingest.inner.b").line == line_of(DAGS / "groups.py", 'task_id="b"')
    assert dag.task("create_cluster").is_setup
    assert dag.task("delete_cluster").is_teardown
    assert dag.task("delete_cluster").upstream == ("create_cluster", "done")


def test_mapped_tasks(batch: dict[str, Any]) -> None:
    dag = only_dag(batch, "mapping")
    assert {t.task_id for t in dag.tasks if t.mapped} == {"size", "echo", "echo_kwargs"}
    size = dag.task("size")
    assert (size.operator, size.upstream) == ("@task", ("files",))
    assert size.data_inputs == {"name": "files"}
    assert size.kwargs["op_kwargs"]["unit"] == "b"
    echo = dag.task("echo")
    assert (echo.operator, echo.operator_module) == (
        "BashOperator",
        "airflow.providers.standard.operators.bash",
    )
    assert echo.kwargs == {"bash_command": ["echo 1", "echo 2"], "retries": 1}
    assert dag.task("echo_kwargs").kwargs["expand_kwargs"] == [
        {"bash_command": "echo x"},
        {"bash_command": "echo y"},
    ]
    assert dag.task("total").upstream == ("size",)


def test_asset_outlets_inlets_and_asset_schedules(batch: dict[str, Any]) -> None:
    dags = {dag.dag_id: dag for dag in result(batch, "assets").dags}
    assert sorted(dags) == ["every_day", "on_expression", "on_list", "on_one", "producer"]
    orders = AssetRef(name="orders", uri="s3://lake/orders.parquet")
    producer = dags["producer"]
    assert producer.schedule == "0 3 * * *"
    assert producer.task("write_orders").outlets == (
        orders,
        AssetRef(name="daily-exports", kind="alias"),
    )
    customers = producer.task("write_customers")
    assert [ref.key for ref in customers.outlets] == ["customers"]
    assert [ref.key for ref in customers.inlets] == ["s3://lake/raw.csv"]
    assert dags["on_list"].task("consume").inlets == (orders,)

    on_list = dags["on_list"].schedule_assets
    assert on_list is not None and on_list.op == "and"
    assert [ref.key for ref in on_list.assets()] == ["orders", "customers"]
    assert dags["on_list"].schedule == "orders & customers"
    expression = dags["on_expression"].schedule_assets
    assert expression is not None and expression.op == "or"
    assert [item.op for item in expression.items] == ["and", "asset"]
    assert dags["on_expression"].schedule == "(orders & customers) | s3://lake/raw.csv"
    assert dags["on_one"].schedule_assets is not None
    assert dags["on_one"].schedule_assets.op == "asset"
    assert (dags["every_day"].schedule, dags["every_day"].schedule_assets) == (
        "timedelta(days=1)",
        None,
    )
    assert dags["on_list"].task("consume").line == line_of(DAGS / "assets.py", "inlets=[orders]")


def test_branching_and_decorator_names(batch: dict[str, Any]) -> None:
    dag = only_dag(batch, "branching")
    assert {t.task_id: t.operator for t in dag.tasks} == {
        "pick": "@task.branch",
        "proceed": "@task.short_circuit",
        "say": "@task.bash",
        "classic_branch": "BranchPythonOperator",
        "left": "EmptyOperator",
        "right": "EmptyOperator",
        "join": "EmptyOperator",
    }
    assert dag.task("left").upstream == ("classic_branch", "pick")  # Labels add no tasks
    assert dag.task("join").trigger_rule == "none_failed_min_one_success"
    assert dag.task("classic_branch").callable_name == "choose_path"


def test_import_error_is_a_diagnostic_with_file_and_line(batch: dict[str, Any]) -> None:
    broken = result(batch, "broken")
    assert broken.dags == ()
    (error,) = broken.diagnostics
    assert (error.level, error.code, error.file) == ("error", "import-error", "broken_import.py")
    assert error.line == line_of(DAGS / "broken_import.py", "import assetbridge_missing")
    assert error.message == "ModuleNotFoundError: No module named 'assetbridge_missing_helpers'"
    assert broken.readers == {"broken_import.py": "live"}


def test_syntax_error_line(batch: dict[str, Any]) -> None:
    (error,) = result(batch, "syntax").diagnostics
    assert (error.code, error.line) == ("import-error", 3)
    assert error.message.startswith("SyntaxError")


def test_dag_airflow_rejects_is_an_import_error(batch: dict[str, Any]) -> None:
    cycle = result(batch, "cycle")
    assert cycle.dags == ()
    (error,) = cycle.diagnostics
    assert (error.code, error.file, error.line) == ("import-error", "cycle.py", None)
    assert error.message.startswith("AirflowDagCycleException: Cycle detected in Dag: cyclic")


def test_import_warnings_are_diagnostics_not_output(batch: dict[str, Any]) -> None:
    warns = result(batch, "warns")
    assert [dag.dag_id for dag in warns.dags] == ["warns"]
    (warning,) = warns.diagnostics
    assert (warning.level, warning.code, warning.file) == ("warning", "import-warning", "warns.py")
    assert warning.line == line_of(DAGS / "warns.py", "warnings.warn(")
    assert warning.message == "DeprecationWarning: this DAG file uses a retired convention"


def test_folder_with_a_broken_file_reads_the_others(batch: dict[str, Any]) -> None:
    mixed = result(batch, "mixed")
    assert {dag.dag_id: dag.file for dag in mixed.dags} == {
        "generated_pipeline": "mixed/generated.py",  # no "airflow"/"dag" in it: safe_mode off
        "good": "mixed/good.py",
    }
    assert mixed.readers == dict.fromkeys(
        ["mixed/broken.py", "mixed/factory.py", "mixed/generated.py", "mixed/good.py"], "live"
    )
    (error,) = mixed.diagnostics
    assert error.file == "mixed/broken.py"
    assert error.message == "RuntimeError: cannot reach the warehouse"
    assert error.line == line_of(DAGS / "mixed" / "broken.py", "raise RuntimeError")
    good = next(dag for dag in mixed.dags if dag.dag_id == "good")
    assert good.task("second").upstream == ("first",)


def test_missing_path_is_reported_and_the_rest_is_read(batch: dict[str, Any]) -> None:
    missing = result(batch, "missing")
    assert [dag.dag_id for dag in missing.dags] == ["orders_etl"]
    (error,) = missing.diagnostics
    assert (error.level, error.code, error.file) == ("error", "not-found", "no_such_file.py")


def test_reading_twice_in_one_process_gives_the_same_result(batch: dict[str, Any]) -> None:
    assert batch["results"]["taskflow_again"] == batch["results"]["taskflow"]


def test_reading_leaves_the_process_as_it_found_it(batch: dict[str, Any]) -> None:
    before, after = batch["process"]["before"], batch["process"]["after"]
    assert not before["airflow_imported"] and after["airflow_imported"]
    for key in ("root_handlers", "root_level", "showwarning", "sys_path", "signals", "airflow_env"):
        assert after[key] == before[key], key
    # the user has no Airflow setup: a private AIRFLOW_HOME, and no ~/airflow created
    assert Path(after["airflow_home"]).name.startswith("assetbridge-airflow-")
    assert not (batch["home"] / "airflow").exists()


def test_a_users_airflow_home_is_respected(tmp_path: Path) -> None:
    home = tmp_path / "my-airflow"
    calls = [{"name": "good", "call": "read_live", "paths": ["mixed/good.py"]}]
    batch = run_harness(calls, tmp_path / "home", env={"AIRFLOW_HOME": str(home)})
    assert batch["process"]["after"]["airflow_home"] == str(home)
    assert [dag["dag_id"] for dag in batch["results"]["good"]["dags"]] == ["good"]


def test_without_airflow_the_live_reader_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "airflow", None)  # as if not installed
    with pytest.raises(TranslationError, match=r"pip install 'assetbridge\[airflow\]'"):
        read_live([DAGS / "taskflow.py"])


def test_importing_the_readers_does_not_import_airflow() -> None:
    code = "import sys, translators.live, translators.reading; print('airflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (  # chained: the last exception wins, its DAG-file frame gives the line
            'Traceback (most recent call last):\n  File "d.py", line 3, in <module>\n'
            "KeyError: 'x'\n\nDuring handling of the above exception, another exception"
            ' occurred:\n\nTraceback (most recent call last):\n  File "d.py", line 5, in'
            ' <module>\n    boom()\n  File "/lib/h.py", line 9, in boom\n'
            "ValueError: bad\nsecond line\n",
            5,
            "ValueError: bad",
        ),
        ("AirflowDagCycleException: Cycle detected in Dag: d. Faulty task: b", None,
         "AirflowDagCycleException: Cycle detected in Dag: d. Faulty task: b"),
    ],
)
def test_import_error_text_parsing(text: str, line: int | None, message: str) -> None:
    error = _import_error("d.py", text)
    assert (error.line, error.message) == (line, message)


def test_both_readers_give_the_same_lines(tmp_path: Path) -> None:
    """Over the static reader's fixtures that Airflow 3 loads (loops, helpers, factories,
    TaskFlow, groups): every DAG and task line is the same whichever reader read it."""
    from translators.static import read_static

    fixtures = Path(__file__).parent / "fixtures" / "dags"
    files = [str(p) for p in sorted(fixtures.glob("*.py"))
             if json.loads(p.with_suffix(".expected.json").read_text())["airflow3"]]
    done = run_harness([{"name": "all", "call": "read_live", "paths": files}], tmp_path)
    live = ReadResult.model_validate(done["results"]["all"])
    static = read_static(files)
    assert len(live.dags) >= 20

    def lines(found: ReadResult) -> dict[tuple[str, str | None], int | None]:
        out: dict[tuple[str, str | None], int | None] = {}
        for dag in found.dags:
            out[(dag.dag_id, None)] = dag.line
            out.update(((dag.dag_id, task.task_id), task.line) for task in dag.tasks)
        return out

    live_lines, static_lines = lines(live), lines(static)
    assert all(line is not None for line in live_lines.values())
    assert {k: v for k, v in static_lines.items() if k in live_lines} == live_lines
