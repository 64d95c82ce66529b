"""``assetbridge lineage import`` and ``assetbridge assets list|show|lineage`` end to end, on a
real Airflow 3 metadata database (built once per session by ``dag.test()`` runs)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bridge.cli import cli
from tests.translators.lineage._airflow_api import AirflowApi, airflow_api
from tests.translators.lineage._airflow_dbs import AirflowDb, airflow3_sqlite
from tests.translators.lineage._openlineage_emit import client, emit_task_run

# the session fixtures, shared with tests/translators/lineage (one build, one server)
__all__ = ["airflow3_sqlite", "airflow_api"]

pytestmark = pytest.mark.airflow


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok(*args: str) -> str:
    done = run(*args)
    assert done.exit_code == 0, done.stderr or done.output
    return done.stdout


def ok_json(*args: str) -> dict:
    document: dict = json.loads(ok(*args, "--json"))
    return document


@pytest.fixture
def imported(airflow3_sqlite: AirflowDb) -> AirflowDb:
    """The store under $ASSETBRIDGE_HOME after importing the Airflow 3 database."""
    report = ok_json("lineage", "import", "--airflow-db", airflow3_sqlite.target)
    assert report["kind"] == "airflow-db" and report["schema"].startswith("Airflow 3.3")
    assert report["assets"] == {"added": 8, "updated": 0, "total": 8}
    assert report["events"]["added"] == report["events"]["materialization"] + \
        report["events"]["failure"] > 0
    return airflow3_sqlite


def test_import_twice_adds_nothing_the_second_time(imported: AirflowDb) -> None:
    again = ok_json("lineage", "import", "--airflow-db", imported.target)
    assert again["events"] == {"added": 0} and again["assets"]["added"] == 0
    text = ok("lineage", "import", "--airflow-db", imported.target)
    assert "0 new, 0 updated, 8 in the catalog; events added: none" in text


def test_assets_list_json_contract(imported: AirflowDb) -> None:
    listed = ok_json("assets", "list")["assets"]
    assert [a["key"] for a in listed] == sorted(a["key"] for a in listed)
    by_key = {a["key"]: a for a in listed}
    orders = by_key["warehouse/orders"]
    assert set(orders) == {"key", "group", "deps", "status", "producer", "materializations",
                           "last_materialization"}
    assert orders["producer"] == {"dag_id": "producer", "task_id": "load_orders"}
    assert orders["deps"] == ["producer/extract"] and orders["group"] == "producer"
    assert orders["materializations"] == 3  # three producer runs in the database
    assert orders["last_materialization"]["partition"] == "2026-03-03T00:00:00+00:00"
    assert orders["last_materialization"]["source"] == "airflow"
    assert by_key["plain/broken"]["status"] == "failed"
    assert by_key["plain/after"]["status"] == "never"  # upstream_failed: never ran
    # the consumer ran after the second producer run, not after the third
    assert by_key["consumer/report"]["status"] == "stale"
    assert by_key["s3://lake/customers.csv"]["producer"]["task_id"] == "load_customers"
    assert [a["key"] for a in ok_json("assets", "list", "--group", "plain")["assets"]] == \
        ["plain/after", "plain/broken", "plain/ok"]
    stale = ok_json("assets", "list", "--stale")["assets"]
    assert {a["key"] for a in stale} == {a["key"] for a in listed if a["status"] != "fresh"}
    assert {"plain/broken", "plain/after", "consumer/report"} <= {a["key"] for a in stale}
    table = ok("assets", "list")
    assert "warehouse/orders" in table and "producer/load_orders" in table


def test_assets_show_has_history_newest_first(imported: AirflowDb) -> None:
    shown = ok_json("assets", "show", "warehouse/orders")
    listed = {a["key"]: a for a in ok_json("assets", "list")["assets"]}
    assert {k: v for k, v in shown.items() if k != "history"} == listed["warehouse/orders"]
    history = shown["history"]
    assert [h["partition"] for h in history] == ["2026-03-03T00:00:00+00:00",
                                                 "2026-03-02T00:00:00+00:00",
                                                 "2026-03-01T00:00:00+00:00"]
    assert all(set(h) == {"run_id", "partition", "timestamp", "source"} for h in history)
    assert [h["timestamp"] for h in history] == sorted((h["timestamp"] for h in history),
                                                       reverse=True)
    text = ok("assets", "show", "s3://lake/customers.csv")
    assert "produced by task 'load_customers' of DAG 'producer'" in text
    missing = run("assets", "show", "warehouse/ordrs")
    assert missing.exit_code == 1
    assert missing.stderr.strip().splitlines() == [
        "error: asset 'warehouse/ordrs' is neither in the catalog nor in TARGET; "
        "`assetbridge assets list` shows the known keys"]


def test_assets_lineage_formats_and_depth(imported: AirflowDb) -> None:
    whole = ok_json("assets", "lineage", "warehouse/orders", "--format", "json")
    assert whole["key"] == "warehouse/orders"
    assert whole["edges"] == [
        {"from": "consumer/report", "to": "consumer/publish"},
        {"from": "producer/extract", "to": "warehouse/orders"},
        {"from": "warehouse/orders", "to": "consumer/report"}]
    near = json.loads(ok("assets", "lineage", "warehouse/orders", "--format", "json",
                         "--upstream", "0", "--downstream", "1"))
    assert [a["key"] for a in near["assets"]] == ["consumer/report", "warehouse/orders"]
    tree = ok("assets", "lineage", "warehouse/orders")
    assert tree.index("<- producer/extract") < tree.index("-> consumer/report") < \
        tree.index("-> consumer/publish")
    dot = ok("assets", "lineage", "consumer/report", "--format", "dot", "--downstream", "0")
    assert dot.startswith("digraph assets {") and dot.count("->") == 3  # orders, customers,
    mermaid = ok("assets", "lineage", "consumer/report", "--format", "mermaid",
                 "--upstream", "1", "--downstream", "0")  # extract is two steps up: not shown
    assert mermaid.startswith("flowchart LR") and "producer/extract" not in mermaid
    assert '["warehouse/orders"]' in mermaid and mermaid.count("-->") == 2


def test_a_dag_folder_target_coincides_with_the_import(imported: AirflowDb) -> None:
    """Translating the same DAG files gives the same keys: nothing is listed twice, and the
    translated assets carry the imported history."""
    alone = ok_json("assets", "list")["assets"]
    with_dags = ok_json("assets", "list", str(imported.dags))["assets"]
    translated = json.loads(ok("translate", str(imported.dags), "--json"))["assets"]
    assert [a["key"] for a in with_dags] == [a["key"] for a in alone] == \
        [a["key"] for a in translated]
    assert [(a["materializations"], a["status"]) for a in with_dags] == \
        [(a["materializations"], a["status"]) for a in alone]


def test_an_asset_module_target_is_listed_with_imported_assets(imported: AirflowDb,
                                                               tmp_path: Path) -> None:
    module = tmp_path / "reports.py"
    module.write_text(textwrap.dedent("""
        from bridge import asset

        @asset(group="reports")
        def raw_numbers() -> list[int]:
            return [1, 2, 3]

        @asset(group="reports")
        def total(raw_numbers: list[int]) -> int:
            return sum(raw_numbers)
    """))
    ok("run", str(module), "--select", "raw_numbers")
    listed = {a["key"]: a for a in ok_json("assets", "list", str(module))["assets"]}
    assert {"raw_numbers", "total", "warehouse/orders", "plain/ok"} <= set(listed)
    assert listed["raw_numbers"]["status"] == "fresh"
    assert listed["raw_numbers"]["last_materialization"]["source"] == "bridge"
    assert listed["total"]["status"] == "never" and listed["total"]["deps"] == ["raw_numbers"]
    assert listed["total"]["producer"] is None
    shown = ok_json("assets", "show", "raw_numbers", str(module))
    assert len(shown["history"]) == 1 and shown["history"][0]["source"] == "bridge"


def test_assets_of_bridge_runs_are_listed_without_their_target(tmp_path: Path) -> None:
    """$ASSETBRIDGE_HOME is a fresh folder per test (conftest): only this run's history."""
    module = tmp_path / "numbers.py"
    module.write_text(textwrap.dedent("""
        from bridge import asset

        @asset(group="numbers")
        def raw_numbers() -> list[int]:
            return [1, 2, 3]

        @asset(group="numbers")
        def total(raw_numbers: list[int]) -> int:
            return sum(raw_numbers)
    """))
    ok("run", str(module))
    listed = {a["key"]: a for a in ok_json("assets", "list")["assets"]}
    assert sorted(listed) == ["raw_numbers", "total"]
    assert listed["total"]["deps"] == ["raw_numbers"] and listed["total"]["group"] == ""
    assert {a["status"] for a in listed.values()} == {"fresh"}
    assert "pass their TARGET" in ok("assets", "list")
    assert "group unknown (pass its TARGET)" in ok("assets", "show", "total")
    with_target = ok_json("assets", "list", str(module))["assets"]
    assert {a["group"] for a in with_target} == {"numbers"}


def test_lineage_import_usage_errors() -> None:
    none = run("lineage", "import")
    assert none.exit_code == 2 and "give exactly one of --airflow-db" in none.stderr
    both = run("lineage", "import", "--airflow-db", "a.db", "--airflow-api", "http://x")
    assert both.exit_code == 2 and "(got --airflow-db, --airflow-api)" in both.stderr
    bad = run("lineage", "import", "--airflow-db", "/no/such/airflow.db")
    assert bad.exit_code == 1
    assert bad.stderr.strip().splitlines() == [
        "error: Airflow database '/no/such/airflow.db' does not exist; pass the path of "
        "airflow.db or a database URL"]
    for command in (["lineage", "import"], ["assets", "list"], ["assets", "show"],
                    ["assets", "lineage"]):
        assert "Examples:" in ok(*command, "--help")


def test_import_from_openlineage_files_and_the_airflow_api(airflow_api: AirflowApi,
                                                           tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    ol = client(log, append=True)
    emit_task_run(ol, dag_id="etl", task_id="load", inputs=[("s3://lake", "raw.json")],
                  outputs=[("s3://lake", "clean.parquet")], day="2026-03-01", minute=0)
    ol.close()
    from_files = ok_json("lineage", "import", "--openlineage", str(log))
    assert from_files["kind"] == "openlineage"
    assert from_files["events"] == {"added": 1, "materialization": 1}
    shown = ok_json("assets", "show", "s3://lake/clean.parquet")
    assert shown["producer"] == {"dag_id": "etl", "task_id": "load"}
    assert shown["deps"] == ["s3://lake/raw.json"] and shown["history"][0]["source"] == \
        "openlineage"

    from_api = ok_json("lineage", "import", "--airflow-api", airflow_api.url,
                       "--token", airflow_api.token)
    assert from_api["kind"] == "airflow-api" and from_api["events"]["added"] > 10
    assert from_api["assets"]["added"] == 8
    again = ok_json("lineage", "import", "--airflow-api", airflow_api.url,
                    "--token", airflow_api.token)
    assert again["events"] == {"added": 0}
