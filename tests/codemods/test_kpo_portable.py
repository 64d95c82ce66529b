"""``kpo-portable`` keeps every pod and the task graph, and the definitions it writes run
locally with the values Airflow would have rendered.

Inputs: the Airflow 3 fixtures in ``fixtures/portable/`` and the Airflow 2 fixtures of
``fixtures/kpo_dags/`` after ``kpo-modernize,airflow3`` (the state a user is in before
making tasks portable). Each side is loaded by Airflow's DagBag in a subprocess
(``_kpo_pod_dump.py``) and every pod operator builds its pod through the provider's own
``render_template_fields`` + ``build_pod_request_obj``; the pods before and after the
rewrite must be equal (random name suffixes and secret-volume ids made stable, as in
``test_kpo_airflow3_load.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codemods import Mode, run_codemods
from tests.codemods.test_kpo_airflow3_load import normalized
from translators import read_static

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PORTABLE = sorted((HERE / "fixtures" / "portable").glob("*.py"))
LEGACY = sorted((HERE / "fixtures" / "kpo_dags").glob("*.py"))
LOGICAL = datetime(2024, 5, 17, tzinfo=timezone.utc)
#: the daily data interval of the run at LOGICAL (as _kpo_pod_dump.py renders it)
INTERVAL = (LOGICAL, LOGICAL + timedelta(days=1))

pytestmark = pytest.mark.airflow


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Original and rewritten folders, the rewrite's results and both sides' pod dumps."""
    work = tmp_path_factory.mktemp("portable")
    before, after = work / "before", work / "after"
    before.mkdir()
    for path in [*PORTABLE, *LEGACY]:
        (before / path.name).write_bytes(path.read_bytes())
    run_codemods([before / p.name for p in LEGACY], ["kpo-modernize", "airflow3"],
                 mode=Mode.WRITE)
    after.mkdir()
    for path in before.glob("*.py"):
        (after / path.name).write_bytes(path.read_bytes())
    summary = run_codemods([after], ["kpo-portable"], mode=Mode.WRITE)
    env = dict(os.environ, AIRFLOW_HOME=str(work / "airflow"), PYTHONPATH=str(ROOT),
               AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR",
               AIRFLOW_CONN_KUBERNETES_DEFAULT=json.dumps(
                   {"conn_type": "kubernetes",
                    "extra": {"namespace": "default", "in_cluster": False}}))
    files = sorted(p.name for p in before.glob("*.py"))
    proc = subprocess.run([sys.executable, str(HERE / "_kpo_pod_dump.py"),
                           *(str(before / f) for f in files), *(str(after / f) for f in files)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dumps = json.loads(proc.stdout)["files"]
    return {"before": before, "after": after, "files": files,
            "results": {Path(r.path).name: r for r in summary.results},
            "old": {f: dumps[str(before / f)] for f in files},
            "new": {f: dumps[str(after / f)] for f in files}}


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"portable_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_what_is_converted_and_what_is_reported(sides: dict[str, Any]) -> None:
    results = sides["results"]
    converted = {name: (sides["after"] / name).read_text(encoding="utf-8")
                 .count("**pod_arguments(") for name in sides["files"]}
    # extract, transform, publish ("{{ macros.ds_add(ds, 1) }}"), window (filters)
    assert converted["warehouse_pods.py"] == 4
    assert converted["module_calls.py"] == 2  # load, check; the factory's argument is a name
    assert sum(converted.values()) >= 10
    codes = {name: sorted({r.code for r in results[name].reports}) for name in sides["files"]}
    assert codes["warehouse_pods.py"] == []
    assert codes["module_calls.py"] == ["kpo-portable/argument"]
    assert codes["subclass_factory.py"] == ["kpo-portable/spread", "kpo-portable/subclass"]
    for name in sides["files"]:
        lines = (sides["before"] / name).read_text(encoding="utf-8").splitlines()
        for report in results[name].reports:  # file:line of the input: the operator call
            assert report.file.endswith(name)
            assert re.search(r"(Operator|KPO)\($", lines[report.line - 1].split("#")[0]
                             .rstrip()) or "Operator(" in lines[report.line - 1], report


@pytest.mark.parametrize("name", [p.name for p in [*PORTABLE, *LEGACY]])
def test_rewritten_file_loads_and_builds_the_same_pods(sides: dict[str, Any],
                                                       name: str) -> None:
    old, new = sides["old"][name], sides["new"][name]
    assert old["error"] is None, old["error"]
    assert new["error"] is None, new["error"]
    assert old["dags"].keys() == new["dags"].keys()
    pods = 0
    for dag_id, tasks in old["dags"].items():
        assert tasks.keys() == new["dags"][dag_id].keys()
        for task_id, task in tasks.items():
            after = new["dags"][dag_id][task_id]
            assert after["upstream"] == task["upstream"], task_id
            assert after["operator"] == task["operator"], task_id
            assert after["pod_error"] == task["pod_error"], task_id
            if task["pod"] is not None:
                pods += 1
                assert normalized(after["pod"]) == normalized(task["pod"]), (dag_id, task_id)
    assert pods


@pytest.mark.parametrize("name", [p.name for p in [*PORTABLE, *LEGACY]])
def test_static_reader_sees_the_same_task_graph(sides: dict[str, Any], name: str) -> None:
    def graph(path: Path) -> dict[str, set[tuple[str, str, tuple[str, ...]]]]:
        result = read_static([path])
        return {d.dag_id: {(t.task_id, t.operator, tuple(t.upstream)) for t in d.tasks}
                for d in result.dags}

    before = graph(sides["before"] / name)
    assert before
    assert graph(sides["after"] / name) == before


def test_definitions_render_what_the_pod_runs(sides: dict[str, Any]) -> None:
    """A ContainerTask rendered locally with typed values equals the container Airflow
    renders for the same run (command, arguments and plain environment)."""
    module = _load(sides["after"] / "warehouse_pods.py")
    pods = sides["new"]["warehouse_pods.py"]["dags"]["warehouse_pods"]
    params = {"limit": 500, "region": "eu"}
    for task_id, definition in (("extract", module.EXTRACT_CONTAINER),
                                ("transform", module.TRANSFORM_CONTAINER),
                                ("publish", module.PUBLISH_CONTAINER),
                                ("window", module.WINDOW_CONTAINER)):
        container = pods[task_id]["pod"]["spec"]["containers"][0]
        call = definition.render_for(task_id, LOGICAL, params, data_interval=INTERVAL)
        assert list(call.command) == container["command"]
        assert list(call.arguments) == container["args"]
        plain = {e["name"]: e["value"] for e in container["env"] if "value" in e}
        assert dict(call.env) == plain
        assert call.image == container["image"]
    typed = module.EXTRACT_CONTAINER.render("extract", ds=LOGICAL.date(), limit=500,
                                            region="eu", ts_nodash=LOGICAL)
    assert typed.arguments == ("--day=2024-05-17", "--limit", "500", "--region=eu")


def test_assetbridge_run_sends_a_rewritten_task_to_the_container_runner(
        sides: dict[str, Any]) -> None:
    """The in-process run of the rewritten DAG file (what ``assetbridge run`` does) hands
    each pod operator to the ``container_runner`` resource with what the definition says."""
    from translators.execution import FakeContainerRunner, run_dags

    path = sides["after"] / "warehouse_pods.py"
    runner = FakeContainerRunner()
    result = run_dags(path, logical_date="2024-05-17", resources={"container_runner": runner})
    assert result.run.success, result.task_states
    seen = {spec.task_id: spec for spec in runner.specs}
    assert set(seen) == {"extract", "transform", "publish", "window"}
    module = _load(path)
    params = {"limit": 500, "region": "eu"}
    for task_id, definition in (("extract", module.EXTRACT_CONTAINER),
                                ("transform", module.TRANSFORM_CONTAINER),
                                ("publish", module.PUBLISH_CONTAINER),
                                ("window", module.WINDOW_CONTAINER)):
        # a manual run of "@daily": Airflow 3's CronTriggerTimetable gives it the logical
        # date as both ends of its data interval (as dag.test() does)
        local = definition.render_for(task_id, LOGICAL, params,
                                      data_interval=(LOGICAL, LOGICAL))
        assert (seen[task_id].image, seen[task_id].command, seen[task_id].arguments,
                dict(seen[task_id].env)) == (local.image, local.command, local.arguments,
                                             dict(local.env))


def test_assetbridge_run_runs_a_rewritten_pod_task_as_a_local_process(tmp_path: Path) -> None:
    """The user journey: rewrite, then ``assetbridge run`` the DAG file with an environment
    whose ``container_runner`` is bridge's SubprocessContainerRunner; the task's command
    runs on this machine with the arguments Airflow would have rendered."""
    dags = tmp_path / "dags"
    dags.mkdir()
    script = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"
    (dags / "local_pods.py").write_text(f'''
import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG

with DAG("local_pods", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
         params={{"name": "ann"}}):
    KubernetesPodOperator(task_id="write", image="python:3.11",
                          cmds=[{sys.executable!r}, "-c", {script!r}],
                          arguments=["out-{{{{ ds_nodash }}}}.txt", "hello {{{{ params.name }}}}"])
''', encoding="utf-8")
    (tmp_path / "assetbridge.toml").write_text(
        '[env.local.resources]\n'
        'container_runner = { factory = "bridge.containers:SubprocessContainerRunner" }\n',
        encoding="utf-8")
    rewrite = run_codemods([dags], ["kpo-portable"], mode=Mode.WRITE).results[0]
    assert rewrite.status.value == "changed" and "**pod_arguments(WRITE_CONTAINER)" in \
        (dags / "local_pods.py").read_text(encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), ASSETBRIDGE_HOME=str(tmp_path / ".ab"),
               AIRFLOW_HOME=str(tmp_path / "airflow"))
    proc = subprocess.run([sys.executable, "-c", "from bridge.cli import main; main()", "run",
                           "dags/local_pods.py",
                           "--env", "local", "--logical-date", "2024-05-17", "--json"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcome = json.loads(proc.stdout)
    assert [a["outcome"] for a in outcome["assets"]] == ["success"]
    assert (tmp_path / "out-20240517.txt").read_text(encoding="utf-8") == "hello ann"
