"""`assetbridge translate` end to end, on real DAG files read by the real readers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: the example DAG folder (examples/airflow_dags), read with examples/ as working directory
FIXTURES = Path(__file__).resolve().parents[2] / "examples"

#: the asset graph of examples/airflow_dags, whichever reader read it
EXPECTED_ASSETS = [
    {"key": "audit/check", "deps": ["audit/wait_ghost", "audit/wait_load"],
     "dag_id": "audit", "task_id": "check", "group": "audit"},
    {"key": "audit/wait_ghost", "deps": [], "dag_id": "audit", "task_id": "wait_ghost",
     "group": "audit"},
    {"key": "audit/wait_load", "deps": ["orders"], "dag_id": "audit", "task_id": "wait_load",
     "group": "audit"},
    {"key": "billing/invoice", "deps": ["fx_rates", "orders"], "dag_id": "billing",
     "task_id": "invoice", "group": "billing"},
    {"key": "billing/notify", "deps": ["billing/invoice"], "dag_id": "billing",
     "task_id": "notify", "group": "billing"},
    {"key": "fx_rates", "deps": [], "dag_id": None, "task_id": None, "group": "external"},
    {"key": "orders", "deps": ["warehouse/transform.clean"], "dag_id": "warehouse",
     "task_id": "transform.load", "group": "warehouse"},
    {"key": "report/build", "deps": ["report/start"], "dag_id": "report", "task_id": "build",
     "group": "report"},
    {"key": "report/start", "deps": ["warehouse/kick_report"], "dag_id": "report",
     "task_id": "start", "group": "report"},
    {"key": "warehouse/extract", "deps": [], "dag_id": "warehouse", "task_id": "extract",
     "group": "warehouse"},
    {"key": "warehouse/kick_report", "deps": ["orders"], "dag_id": "warehouse",
     "task_id": "kick_report", "group": "warehouse"},
    {"key": "warehouse/transform.clean", "deps": ["warehouse/extract"], "dag_id": "warehouse",
     "task_id": "transform.clean", "group": "warehouse"},
]

WAREHOUSE_TASKS = [
    {"task_id": "extract", "operator": "BashOperator", "upstream": [], "group": None},
    {"task_id": "kick_report", "operator": "TriggerDagRunOperator",
     "upstream": ["transform.load"], "group": None},
    {"task_id": "transform.clean", "operator": "BashOperator", "upstream": ["extract"],
     "group": "transform"},
    {"task_id": "transform.load", "operator": "BashOperator", "upstream": ["transform.clean"],
     "group": "transform"},
]

# Airflow is a dev dependency: without it these tests fail (never skip)
needs_airflow = pytest.mark.airflow


def translate(*args: str, cwd: Path = FIXTURES) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from bridge.cli import main; main()", "translate", *args],
        capture_output=True, text=True, env=env, cwd=cwd, check=False)


def translate_json(*args: str, cwd: Path = FIXTURES) -> dict:
    done = translate(*args, "--json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def warnings_of(document: dict) -> list[tuple[str, str, str | None, int | None]]:
    return [(d["level"], d["code"], d["file"], d["line"]) for d in document["diagnostics"]]


def test_static_json_is_the_contract() -> None:
    document = translate_json("airflow_dags", "--static")
    assert list(document) == ["dags", "assets", "diagnostics"]
    assert [(d["dag_id"], d["file"], d["schedule"] if d["dag_id"] != "billing" else "-")
            for d in document["dags"]] == [
        ("audit", "airflow_dags/consumers.py", None),
        ("billing", "airflow_dags/consumers.py", "-"),
        ("report", "airflow_dags/report.py", None),
        ("warehouse", "airflow_dags/warehouse.py", "@daily"),
    ]
    warehouse = document["dags"][3]
    assert warehouse["line"] == 9
    assert [{k: t[k] for k in ("task_id", "operator", "upstream", "group")}
            for t in warehouse["tasks"]] == WAREHOUSE_TASKS
    assert [t["line"] for t in warehouse["tasks"]] == [16, 21, 18, 19]
    assert document["assets"] == EXPECTED_ASSETS
    assert warnings_of(document) == [
        ("warning", "unknown-external-dag", "airflow_dags/consumers.py", 23)]


def test_json_output_is_deterministic() -> None:
    first = translate("airflow_dags", "--static", "--json")
    again = translate("airflow_dags/warehouse.py", "airflow_dags/report.py",
                      "airflow_dags/consumers.py", "--static", "--json")
    assert first.returncode == again.returncode == 0
    assert first.stdout == again.stdout


@needs_airflow
def test_live_reader_builds_the_same_asset_graph() -> None:
    document = translate_json("airflow_dags", "--live")
    assert document["assets"] == EXPECTED_ASSETS
    assert [d["dag_id"] for d in document["dags"]] == ["audit", "billing", "report", "warehouse"]
    assert [{k: t[k] for k in ("task_id", "operator", "upstream", "group")}
            for t in document["dags"][3]["tasks"]] == WAREHOUSE_TASKS
    assert [d["code"] for d in document["diagnostics"]] == ["unknown-external-dag"]


def test_human_summary_names_dags_readers_edges_and_diagnostics() -> None:
    done = translate("airflow_dags")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for text in ("4 DAGs", "warehouse", "@daily", "airflow_dags/warehouse.py:9", "12 assets",
                 "1 source asset that no DAG read produces", "3 cross-DAG edges",
                 "1 warning", "orders -> audit/wait_load",
                 "warehouse/kick_report -> report/start", "unknown-external-dag",
                 "airflow_dags/consumers.py:23"):
        assert text in out, text
    assert "static" in out or "live" in out


@pytest.mark.parametrize(("fmt", "start", "edge"), [
    ("dot", "digraph assets {", " -> "),
    ("mermaid", "flowchart LR", " --> "),
])
def test_graph_formats(fmt: str, start: str, edge: str) -> None:
    done = translate("airflow_dags", "--static", "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(start)
    assert done.stdout.count(edge) == sum(len(a["deps"]) for a in EXPECTED_ASSETS)
    assert "warehouse/transform.clean" in done.stdout


def test_error_diagnostics_exit_1_with_one_line_but_still_print(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "airflow_dags" / "report.py", tmp_path / "report.py")
    (tmp_path / "bad.py").write_text('from airflow.sdk import DAG\n\nDAG(dag_id="x" oops)\n')
    done = translate(str(tmp_path), "--static", "--json")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: ") and "bad.py:3" in done.stderr
    document = json.loads(done.stdout)
    assert [d["dag_id"] for d in document["dags"]] == ["report"]
    errors = [d for d in document["diagnostics"] if d["level"] == "error"]
    assert errors and errors[0]["file"].endswith("bad.py") and errors[0]["line"] == 3
    human = translate(str(tmp_path), "--static")
    assert human.returncode == 1 and "report" in human.stdout and "bad.py:3" in human.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["airflow_dags", "--static", "--live"], "--static and --live exclude each other"),
    (["airflow_dags", "--json", "--format", "dot"], "--json and --format dot exclude each other"),
    (["no/such/dir"], "does not exist"),
    ([], "Missing argument"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    done = translate(*args)
    assert done.returncode == 2
    assert message in done.stderr


def test_help_explains_readers_and_formats() -> None:
    done = translate("--help")
    assert done.returncode == 0
    for text in ("--static", "--live", "--format", "mermaid", "assetbridge translate dags/"):
        assert text in done.stdout
