"""``dag-to-assets`` on real DAG files (the fixtures, Airflow's TaskFlow tutorial and every
shipped Airflow example DAG it converts): the asset module computes what the DAG's tasks
returned, and the three-line loader gives Airflow the same task graph and settings.

The original DAG runs in-process through ``translators.execution.run_dags`` (Airflow's own
operators, XComs kept in memory); the asset module runs through ``bridge.materialize``;
each asset's value must equal its task's XCom return value. Both the original DAG file and
the loader are then loaded by Airflow's DagBag in a subprocess (``_DUMP``), which must see
the same DAG ids, task ids, upstream edges, start date, catchup, timetable, tags, owners
and retries.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bridge import materialize
from codemods import FileStatus, Mode, run_codemods
from codemods.commands.dag_to_assets import ConvertDagToAssetsCommand

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURE_DIR = HERE / "fixtures" / "dag_to_assets"
FIXTURES = sorted(FIXTURE_DIR.glob("*.py"))

pytestmark = pytest.mark.airflow


def _shipped_examples() -> list[Path]:
    import airflow.example_dags
    import airflow.providers.standard.example_dags

    folders = [Path(airflow.example_dags.__file__).parent,
               Path(airflow.providers.standard.example_dags.__file__).parent]
    return sorted(p for folder in folders for p in folder.glob("example_*.py"))


def _tutorial() -> Path:
    """Airflow's TaskFlow tutorial (``multiple_outputs=True``, a key read downstream)."""
    import airflow.example_dags

    return Path(airflow.example_dags.__file__).parent / "tutorial_taskflow_api.py"


#: what Airflow's DagBag sees in each file: per DAG its settings and tasks (JSON on stdout)
_DUMP = """
import json, logging, sys
import attrs
logging.disable(logging.CRITICAL)
from airflow.dag_processing.dagbag import DagBag

def task(t):
    return {"upstream": sorted(t.upstream_task_ids), "owner": t.owner, "retries": t.retries,
            "retry_delay": t.retry_delay.total_seconds() if t.retries else None}

def timetable(t):  # the Task SDK's timetables are attrs classes
    return {k: repr(v) for k, v in attrs.asdict(t, recurse=False).items()} \\
        if attrs.has(type(t)) else {}

def dag(d):
    return {"start_date": d.start_date.isoformat() if d.start_date else None,
            "catchup": d.catchup, "tags": sorted(d.tags),
            "timetable": [type(d.timetable).__name__, timetable(d.timetable)],
            "tasks": {t.task_id: task(t) for t in d.tasks}}

out = {}
for file in sys.argv[1:]:
    bag = DagBag(dag_folder=file, safe_mode=False)
    out[file] = {"error": "\\n".join(map(str, bag.import_errors.values())) or None,
                 "dags": {i: dag(d) for i, d in sorted(bag.dags.items())}}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fixtures and every shipped Airflow example DAG, before and after the command
    (``--write``); ``graph_files``: the names the command converted."""
    work = tmp_path_factory.mktemp("dag_to_assets")
    before, after = work / "before", work / "after"
    before.mkdir()
    after.mkdir()
    for path in [*FIXTURES, _tutorial(), *_shipped_examples()]:
        (before / path.name).write_bytes(path.read_bytes())
        (after / path.name).write_bytes(path.read_bytes())
    summary = run_codemods([after], ["dag-to-assets"], mode=Mode.WRITE)
    results = {Path(r.path).name: r for r in summary.results}
    changed = sorted(name for name, r in results.items() if r.status is FileStatus.CHANGED)
    return {"before": before, "after": after, "work": work, "results": results,
            "graph_files": changed}


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"converted_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_dag_file_becomes_an_asset_module_and_a_loader(converted: dict[str, Any]) -> None:
    for path in FIXTURES:
        result = converted["results"][path.name]
        assert result.status is FileStatus.CHANGED, result
        assert not [r for r in result.reports if r.code != "dag-to-assets/export-unavailable"]
        module = (converted["after"] / path.name).read_text(encoding="utf-8")
        assert "airflow" not in module.split('"""', 2)[-1]  # runs without Airflow
        loader = (converted["after"] / f"{path.stem}_dag.py").read_text(encoding="utf-8")
        lines = loader.splitlines()
        assert lines[:2] == ["from translators.export import airflow_dags",
                             f"import {path.stem}"]
        assert lines[2].startswith(f"globals().update(airflow_dags({path.stem}")
        assert len(lines) == 3
    files = sorted(converted["after"].glob("*.py"))
    again = run_codemods([converted["after"]], ["dag-to-assets"], mode=Mode.WRITE)
    assert all(r.status is FileStatus.UNCHANGED for r in again.results)
    assert sorted(converted["after"].glob("*.py")) == files


@pytest.mark.parametrize("name", [*(p.name for p in FIXTURES), "tutorial_taskflow_api.py"])
def test_assets_compute_what_the_tasks_returned(converted: dict[str, Any], name: str) -> None:
    from translators.execution import run_dags

    original = run_dags(converted["before"] / name, logical_date="2024-05-17")
    assert original.success, original.task_states
    returned = original.return_values()
    assert returned
    module = _load(converted["after"] / name)
    result = materialize([v for v in vars(module).values() if type(v).__name__ == "Asset"])
    assert result.success
    task_ids = {task for _, task in original.task_states}
    for task_id in task_ids:
        assert result.output_for(task_id) == returned.get(task_id), task_id


def test_the_loader_gives_airflow_the_same_task_graph(converted: dict[str, Any]) -> None:
    assert importlib.util.find_spec("translators.export") is not None
    after = converted["after"]
    names = converted["graph_files"]
    assert {p.name for p in FIXTURES} | {"tutorial_taskflow_api.py"} < set(names)
    files = [str(converted["before"] / name) for name in names] + \
        [str(after / f"{Path(name).stem}_dag.py") for name in names]
    env = dict(os.environ, AIRFLOW_HOME=str(converted["work"] / "airflow"),
               AIRFLOW__CORE__DAGS_FOLDER=str(after), PYTHONPATH=f"{ROOT}{os.pathsep}{after}",
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR")
    proc = subprocess.run([sys.executable, "-c", _DUMP, *files], env=env,
                          capture_output=True, text=True, timeout=300, cwd=after)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dumps = json.loads(proc.stdout)
    for name in names:
        old = dumps[str(converted["before"] / name)]
        new = dumps[str(after / f"{Path(name).stem}_dag.py")]
        assert old["error"] is None and new["error"] is None, (old["error"], new["error"])
        assert old["dags"] and set(new["dags"]) == set(old["dags"]), name
        for dag_id, dag in old["dags"].items():
            exported = new["dags"][dag_id]
            assert exported["tasks"] == dag["tasks"], dag_id  # edges, owners, retries
            assert (exported["timetable"], exported["catchup"]) == \
                (dag["timetable"], dag["catchup"]), dag_id
            assert dag["start_date"] in (None, exported["start_date"]), dag_id
            assert set(dag["tags"]) <= set(exported["tags"]), dag_id
    weekly = dumps[str(after / "weekly_sales_dag.py")]["dags"]["weekly_sales"]
    assert (weekly["start_date"], weekly["catchup"]) == ("2021-03-01T00:00:00+00:00", True)
    assert weekly["timetable"][1]["expression"] == "'0 0 * * 0'"  # @weekly
    assert {"sales", "team:finance"} <= set(weekly["tags"])
    assert weekly["tasks"]["report"] == {"upstream": ["summarize", "with_tax"], "owner": "finance",
                                         "retries": 2, "retry_delay": 60.0}


def test_loader_passes_the_dag_settings(converted: dict[str, Any]) -> None:
    loader = (converted["after"] / "weekly_sales_dag.py").read_text(encoding="utf-8")
    assert loader.splitlines()[2] == (
        'globals().update(airflow_dags(weekly_sales, schedule="@weekly", '
        'start_date="2021-03-01", catchup=True))')
    reports = converted["results"]["tutorial_taskflow_api.py"].reports
    assert [r.code for r in reports if r.code != "dag-to-assets/export-unavailable"] == \
        ["dag-to-assets/dag-setting"]  # the @dag docstring (doc_md): named, with its line
    assert "docstring" in reports[-1].message and reports[-1].line > 1


def _emitted_codes() -> set[str]:
    """Every report code the command's modules pass to ``report``, ``fail`` or
    ``NotConvertible`` as a literal."""
    codes = set()
    for module in ("commands/dag_to_assets", "_dag_to_assets_command", "_dag_to_assets_plan",
                   "_dag_to_assets_build", "_dag_to_assets_xcom"):
        tree = ast.parse((ROOT / "codemods" / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and len(node.args) >= 2 and \
                    isinstance(node.args[1], ast.Constant) and \
                    (getattr(node.func, "attr", None) in ("report", "fail")
                     or getattr(node.func, "id", None) == "NotConvertible"):
                codes.add(node.args[1].value)
    return codes


def test_every_report_code_is_documented() -> None:
    codes = _emitted_codes()
    assert {"dag-id", "dag-setting", "closure", "schedule", "export-unavailable"} <= codes
    doc = ConvertDagToAssetsCommand.__doc__ or ""
    assert sorted(code for code in codes if f"``{code}``" not in doc) == []


def test_diff_shows_the_loader_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shop_orders.py"
    path.write_bytes((FIXTURE_DIR / "shop_orders.py").read_bytes())
    summary = run_codemods([tmp_path], ["dag-to-assets"], mode=Mode.DIFF)
    diff = summary.results[0].diff
    assert "+@asset(group=\"shop_orders\")" in diff
    assert f"+++ b/{tmp_path / 'shop_orders_dag.py'}" in diff
    assert "+import shop_orders" in diff
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop_orders.py"]


def test_an_existing_different_loader_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "shop_orders.py"
    original = (FIXTURE_DIR / "shop_orders.py").read_bytes()
    path.write_bytes(original)
    (tmp_path / "shop_orders_dag.py").write_text("# mine\n", encoding="utf-8")
    result = run_codemods([path], ["dag-to-assets"], mode=Mode.WRITE).results[0]
    assert result.status is FileStatus.FAILED
    assert "exists with other content" in result.reason
    assert path.read_bytes() == original
    assert (tmp_path / "shop_orders_dag.py").read_text(encoding="utf-8") == "# mine\n"


def test_without_export_the_loader_comes_with_a_clear_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "translators.export", None)  # as if not installed
    path = tmp_path / "classic_python.py"
    path.write_bytes((FIXTURE_DIR / "classic_python.py").read_bytes())
    result = run_codemods([path], ["dag-to-assets"], mode=Mode.WRITE).results[0]
    assert result.status is FileStatus.CHANGED
    [report] = result.reports
    assert report.code == "dag-to-assets/export-unavailable"
    assert "translators.export" in report.message and report.line >= 1
    assert (tmp_path / "classic_python_dag.py").exists()
