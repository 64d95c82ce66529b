"""``assetbridge run`` on Airflow DAG files: --select, --logical-date, --json, stored state;
asset-module targets are unchanged and ``--help`` does not import Airflow."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"
QUICKSTART = Path(__file__).resolve().parents[3] / "examples" / "quickstart" / "assets.py"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from bridge.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, check=False)


@pytest.fixture
def dags(tmp_path: Path) -> Path:
    folder = tmp_path / "dags"
    folder.mkdir()
    shutil.copy(FIXTURES / "mapping_dag.py", folder / "mapping_dag.py")
    shutil.copy(FIXTURES / "bash_dag.py", folder / "bash_dag.py")
    (folder / "README.txt").write_text("not a DAG")
    return folder


def test_run_a_dag_file_as_json(dags: Path) -> None:
    done = cli("run", str(dags / "mapping_dag.py"), "--logical-date", "2026-01-02", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["success"] is True
    outcomes = {a["key"]: a["outcome"] for a in document["assets"]}
    assert outcomes["exec_mapping/total"] == "success"
    assert outcomes["exec_mapping/never"] == "skipped"
    assert [a["key"] for a in document["assets"]] == sorted(outcomes)


def test_select_downstream_reuses_stored_upstream_values(dags: Path) -> None:
    first = cli("run", str(dags / "mapping_dag.py"), "--json", "--logical-date", "2026-01-02")
    assert first.returncode == 0, first.stderr
    again = cli("run", str(dags / "mapping_dag.py"), "--select", "exec_mapping/add+",
                "--json", "--logical-date", "2026-01-02")
    assert again.returncode == 0, again.stderr
    keys = [a["key"] for a in json.loads(again.stdout)["assets"]]
    assert keys == ["exec_mapping/add", "exec_mapping/total"]  # numbers came from the store


def test_a_folder_with_a_failing_task_exits_non_zero(dags: Path) -> None:
    done = cli("run", str(dags), "--select", "group:exec_bash", "--logical-date", "2026-01-02")
    assert done.returncode == 1
    assert "exec_bash/failing" in done.stderr
    assert "exec_bash/templated" in done.stdout  # the summary table


def test_logical_date_is_rejected_for_asset_modules() -> None:
    done = cli("run", str(QUICKSTART), "--logical-date", "2026-01-02")
    assert done.returncode == 2
    assert "--logical-date applies to Airflow DAG targets only" in done.stderr


def test_help_does_not_import_airflow() -> None:
    code = ("import sys\nfrom click.testing import CliRunner\nfrom bridge.cli import main\n"
            "from bridge.cli._app import cli\n"
            "result = CliRunner().invoke(cli, ['run', '--help'])\n"
            "assert '--logical-date' in result.output, result.output\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_broken_file_in_the_folder_does_not_stop_the_others(dags: Path) -> None:
    (dags / "broken.py").write_text("from airflow.sdk import DAG\nraise ValueError('oops')\n")
    done = cli("run", str(dags), "--select", "exec_mapping/numbers+", "--json",
               "--logical-date", "2026-01-02")
    assert done.returncode == 0, done.stderr
    assert "broken.py:2: ValueError: oops" in done.stderr
    assert json.loads(done.stdout)["success"] is True


def test_status_answers_for_dag_files_with_the_keys_run_records(dags: Path) -> None:
    target = str(dags / "mapping_dag.py")
    before = cli("status", target, "--json")
    assert before.returncode == 0, before.stderr
    statuses = {a["key"]: a["status"] for a in json.loads(before.stdout)["assets"]}
    assert statuses["exec_mapping/total"] == "never"
    ran = cli("run", target, "--logical-date", "2026-01-02", "--json")
    assert ran.returncode == 0, ran.stderr
    run_id = json.loads(ran.stdout)["run_id"]
    after = json.loads(cli("status", target, "--json").stdout)["assets"]
    by_key = {a["key"]: a for a in after}
    assert set(by_key) == set(statuses)
    assert by_key["exec_mapping/total"]["status"] == "fresh"
    assert by_key["exec_mapping/total"]["last_materialization"]["run_id"] == run_id


def test_runs_and_status_use_the_keys_translate_shows(tmp_path: Path) -> None:
    """One asset graph: a task with an outlet is that asset (``orders``), cross-DAG edges
    order the run, and ``status`` answers for the keys ``translate`` prints (its source
    assets aside: nothing in the DAGs produces them)."""
    examples = Path(__file__).resolve().parents[3] / "examples" / "airflow_dags"
    folder = shutil.copytree(examples, tmp_path / "dags")
    translated = json.loads(cli("translate", str(folder), "--json").stdout)
    produced = {a["key"] for a in translated["assets"] if a["task_id"] is not None}
    assert "orders" in produced and "warehouse/transform.load" not in produced
    ran = cli("run", str(folder), "--select", "+orders", "--json")
    assert ran.returncode == 0, ran.stderr
    outcomes = {a["key"]: a["outcome"] for a in json.loads(ran.stdout)["assets"]}
    assert outcomes == {"warehouse/extract": "success", "warehouse/transform.clean": "success",
                        "orders": "success"}
    status = json.loads(cli("status", str(folder), "--json").stdout)["assets"]
    assert {a["key"] for a in status} == produced
    assert {a["key"] for a in status if a["status"] == "fresh"} == set(outcomes)


SECRETS_DAG = '''
import datetime
from airflow.sdk import DAG, BaseHook, Variable, task

with DAG(dag_id="secrets", schedule=None, start_date=datetime.datetime(2024, 1, 1)):
    @task
    def read_var():
        return Variable.get("region") + "/" + Variable.get("threshold")

    @task
    def read_conn():
        conn = BaseHook.get_connection("warehouse")
        return f"{conn.conn_type}:{conn.host}:{conn.port}"

    read_var() >> read_conn()
'''


def test_variables_and_connections_files(tmp_path: Path) -> None:
    dag = tmp_path / "secrets_dag.py"
    dag.write_text(SECRETS_DAG)
    (tmp_path / "vars.json").write_text('{"region": "eu", "threshold": 5}')
    (tmp_path / "conns.yaml").write_text(
        "warehouse:\n  conn_type: postgres\n  host: db.internal\n  port: 5432\n")
    ran = cli("run", str(dag), "--variables", str(tmp_path / "vars.json"),
              "--connections", str(tmp_path / "conns.yaml"), "--json", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert {a["outcome"] for a in json.loads(ran.stdout)["assets"]} == {"success"}
    from translators.execution import ExecutionSettings, run_dags

    result = run_dags(dag, settings=ExecutionSettings(variables=tmp_path / "vars.json",
                                                      connections=tmp_path / "conns.yaml"))
    assert result.return_values() == {"read_var": "eu/5",
                                      "read_conn": "postgres:db.internal:5432"}
    (tmp_path / "bad.json").write_text("{region")
    bad = cli("run", str(dag), "--variables", str(tmp_path / "bad.json"), cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        f"error: cannot read Airflow Variables from {tmp_path / 'bad.json'}:1: Expecting "
        "property name enclosed in double quotes; write them as JSON, YAML or .env in the "
        "format of Airflow's local-filesystem secrets backend"]
    wrong = cli("run", str(QUICKSTART), "--variables", str(tmp_path / "vars.json"))
    assert wrong.returncode == 2 and "applies to Airflow DAG targets only" in wrong.stderr
