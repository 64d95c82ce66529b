"""Legacy KubernetesPodOperator DAG files, after ``kpo-modernize,airflow3``, load in real
Airflow 3 (with the cncf.kubernetes provider) without import errors, and every task builds
the pod its Airflow 2 original built.

How the comparison is made real. The fixtures (``fixtures/kpo_dags/``) are Airflow 2 files:
``airflow.contrib`` and ``airflow.kubernetes`` imports, old ``Volume`` / ``VolumeMount`` /
``Port`` / ``Resources`` models, ``resources=`` dicts, ``node_selectors``, ``xcom_push``,
``is_delete_operator_pod``, ``default_args`` and dicts spread with ``**``, a subclass, a
factory, ``schedule_interval``, ``days_ago``, ``DummyOperator``, removed context keys in
Jinja. Airflow 3 cannot import them, so each side is loaded in its own subprocess
(``_kpo_pod_dump.py``, Airflow's ``airflow.dag_processing.dagbag.DagBag``):

- the rewritten files with nothing shimmed, rendered with an Airflow 3 template context:
  an import error, an unknown argument or a removed context key left in a template fails;
- the original files after ``_kpo_airflow2_shim.install()``, which puts the Airflow 2 API
  back in ``sys.modules`` with its Airflow 2 *behaviour* (the old model classes with their
  ``to_k8s_client_obj``, the old operator arguments as the provider handled them, ...),
  rendered with an Airflow 2 context (the same run, plus the keys Airflow 3 removed).

On both sides the pod comes from the provider's own ``KubernetesPodOperator``:
``render_template_fields(context)`` then ``build_pod_request_obj(context, dry_run=True)``,
serialized with ``ApiClient().sanitize_for_serialization``. The codemod rewrites source
text; the shim emulates the old runtime; the two meet only in the operator's pod. Before
comparing, what is random by design is made stable (the pod name's suffix, the
``secretvol<uuid>`` names of secret volumes) and empty maps and lists are dropped (Airflow
2's ``Resources`` sent ``requests: {}`` where the rewrite sends nothing; Kubernetes reads
both the same, and the provider's ``dry_run()`` prunes them too). Both sides build for the
same fixed run and task instance, so the task-instance labels (dag_id, task_id, run_id,
try_number) are compared as well. One pod is also checked against an expectation written
by hand from the original's arguments, so that the shim is not the only witness.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codemods import run_codemods
from codemods._types import Mode

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "kpo_dags"
FILES = sorted(FIXTURES.glob("*.py"))
COMMANDS = ["kpo-modernize", "airflow3"]
#: reports the rewrite may leave: a days_ago start date is still a moving date
ALLOWED_REPORTS = {"airflow3/dynamic-date"}
LEGACY = re.compile(r"airflow\.contrib|airflow\.kubernetes|kubernetes_pod\b|days_ago|"
                    r"schedule_interval|DummyOperator|execution_date|node_selectors|"
                    r"is_delete_operator_pod|\bxcom_push|\bresources=")

pytestmark = pytest.mark.airflow


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both sides' DagBag dumps, by fixture name, plus the rewrite's per-file results."""
    work = tmp_path_factory.mktemp("kpo_airflow3")
    rewritten = work / "dags"
    rewritten.mkdir()
    for path in FILES:
        (rewritten / path.name).write_bytes(path.read_bytes())
    summary = run_codemods([rewritten], COMMANDS, mode=Mode.WRITE)
    env = dict(os.environ, AIRFLOW_HOME=str(work / "airflow"),
               AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR",
               AIRFLOW_CONN_KUBERNETES_DEFAULT=json.dumps(
                   {"conn_type": "kubernetes",
                    "extra": {"namespace": "default", "in_cluster": False}}))
    original = _dump([str(p) for p in FILES], env, airflow2=True)
    new = _dump([str(rewritten / p.name) for p in FILES], env, airflow2=False)
    return {"results": {Path(r.path).name: r for r in summary.results},
            "original": {Path(k).name: v for k, v in original.items()},
            "rewritten": {Path(k).name: v for k, v in new.items()},
            "folder": rewritten}


def _dump(files: list[str], env: dict[str, str], *, airflow2: bool) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "_kpo_pod_dump.py"),
               *(["--airflow2"] if airflow2 else []), *files]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found: dict[str, Any] = json.loads(proc.stdout)["files"]
    return found


def _pods(dump: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(dag_id, task_id): task for dag_id, tasks in dump["dags"].items()
            for task_id, task in tasks.items() if task["operator"] != "EmptyOperator"}


_NAME_SUFFIX = re.compile(r"-[a-z0-9]{8}$")
_SECRET_VOLUME = re.compile(r"secretvol[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def normalized(pod: dict[str, Any]) -> dict[str, Any]:
    """``pod`` with random-by-design parts made stable and empty maps and lists dropped."""
    names: dict[str, str] = {}
    text = _SECRET_VOLUME.sub(lambda m: names.setdefault(m.group(), f"secretvol-{len(names)}"),
                              json.dumps(pod, sort_keys=True))
    stable: dict[str, Any] = json.loads(text)
    stable["metadata"]["name"] = _NAME_SUFFIX.sub("-<random>", stable["metadata"]["name"])
    return _pruned(stable)


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        items = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in items.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def test_fixtures_cover_the_legacy_shapes() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in FILES)
    for shape in ("airflow.contrib.operators.kubernetes_pod_operator", "airflow.kubernetes.",
                  "operators.kubernetes_pod", "is_delete_operator_pod", "resources={",
                  "node_selectors", "xcom_push", "default_args", "**", "(KubernetesPodOperator)",
                  "def export_pod", "schedule_interval", "days_ago", "DummyOperator",
                  "{{ execution_date", "Volume(", "VolumeMount(", "Port(", "Resources(",
                  "Secret("):
        assert shape in text, shape
    assert len(FILES) >= 5


@pytest.mark.parametrize("name", [p.name for p in FILES])
def test_rewritten_file_loads_in_airflow3(loaded: dict[str, Any], name: str) -> None:
    result = loaded["results"][name]
    assert result.status.value == "changed", result
    assert {r.code for r in result.reports} <= ALLOWED_REPORTS, result.reports
    code = (loaded["folder"] / name).read_text(encoding="utf-8").split('"""', 2)[-1]
    assert not LEGACY.findall(code), f"legacy code left in {name}: {LEGACY.findall(code)}"
    dump = loaded["rewritten"][name]
    assert dump["error"] is None, dump["error"]
    assert dump["dags"], f"{name} defines no DAG after the rewrite"


@pytest.mark.parametrize("name", [p.name for p in FILES])
def test_every_task_builds_the_same_pod(loaded: dict[str, Any], name: str) -> None:
    before, after = loaded["original"][name], loaded["rewritten"][name]
    assert before["error"] is None, f"the Airflow 2 shim could not load {name}: " \
                                    f"{before['error']}"
    old, new = _pods(before), _pods(after)
    assert old.keys() == new.keys()
    assert {k: t["upstream"] for k, t in old.items()} == \
        {k: t["upstream"] for k, t in new.items()}
    pods = [key for key, task in old.items() if task["pod"] is not None
            or task["pod_error"] is not None]
    assert pods, f"{name} has no pod operator"
    for key in pods:
        assert old[key]["pod_error"] is None, (key, old[key]["pod_error"])
        assert new[key]["pod_error"] is None, (key, new[key]["pod_error"])
        assert normalized(new[key]["pod"]) == normalized(old[key]["pod"]), key


def test_a_pod_matches_a_hand_written_expectation(loaded: dict[str, Any]) -> None:
    """``contrib_etl.extract``, written out from the original file's arguments."""
    pod = normalized(loaded["rewritten"]["contrib_etl.py"]["dags"]["contrib_etl"]
                     ["extract"]["pod"])
    container = pod["spec"]["containers"][0]
    assert pod["metadata"]["namespace"] == "etl"
    assert pod["metadata"]["name"] == "etl-extract-<random>"
    assert pod["metadata"]["labels"]["team"] == "etl"
    assert container["image"] == "registry.example.com/etl:1.4"
    assert container["command"] == ["python", "-m", "etl.extract"]
    assert container["args"] == ["--day=2024-05-17", "--run-at=2024-05-17 00:00:00+00:00",
                                 "--until=2024-05-18", "--since=20240516"]
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"},
                                      "limits": {"memory": "2Gi", "nvidia.com/gpu": 1}}
    assert container["env"] == [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {
        "name": "warehouse-db", "key": "password"}}}]
    assert container["volumeMounts"][:2] == [
        {"name": "settings", "mountPath": "/etc/etl", "readOnly": True},
        {"name": "scratch", "mountPath": "/scratch", "subPath": "tmp", "readOnly": False}]
    assert pod["spec"]["volumes"][:2] == [
        {"name": "settings", "configMap": {"name": "etl-settings", "defaultMode": 420}},
        {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}]
    assert "nodeSelector" not in pod["spec"]
    assert len(pod["spec"]["containers"]) == 1  # xcom_push=False: no sidecar


def test_normalized_keeps_real_differences() -> None:
    pod = {"metadata": {"name": "job-abcd1234"},
           "spec": {"containers": [{"args": ["a"], "resources": {"requests": {}}}]}}
    other = json.loads(json.dumps(pod))
    other["metadata"]["name"] = "job-zzzz9999"
    assert normalized(pod) == normalized(other)
    other["spec"]["containers"][0]["args"] = ["b"]
    assert normalized(pod) != normalized(other)
