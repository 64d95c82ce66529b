"""The examples run, through the pytest plugin a user would use."""

from __future__ import annotations

from pathlib import Path

import pytest

QUICKSTART = str(Path(__file__).resolve().parent.parent / "examples" / "quickstart" / "assets.py")


class FakeWarehouse:
    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, object]]] = {}

    def write(self, table: str, rows: list[dict[str, object]]) -> int:
        self.tables[table] = rows
        return len(rows)


def test_quickstart_revenue(run_assets) -> None:
    warehouse = FakeWarehouse()
    result = run_assets(QUICKSTART, resources={"warehouse": warehouse})
    assert result.output_for("daily_revenue") == {"2026-11-01": 200.0, "2026-11-02": 300.0,
                                                  "2026-11-03": 99.9}
    assert [row["day"] for row in warehouse.tables["daily_revenue"]] == [
        "2026-11-01", "2026-11-02", "2026-11-03"]
    assert result.output_for("revenue_by_country") == {"US": 479.9, "DE": 120.0}


def test_quickstart_config_changes_the_result(run_assets) -> None:
    result = run_assets(QUICKSTART, select="+daily_revenue",
                        resources={"warehouse": FakeWarehouse()},
                        config={"daily_revenue": {"min_amount": 100}})
    assert result.output_for("daily_revenue") == {"2026-11-01": 120.0, "2026-11-02": 300.0}


def test_run_assets_fails_the_test_with_the_asset_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_broken="""
        from bridge import asset

        @asset
        def broken() -> int:
            raise ValueError("bad data in broken")

        def test_it(run_assets):
            run_assets([broken])
    """)
    outcome = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcome.assert_outcomes(failed=1)
    outcome.stdout.fnmatch_lines(
        ["*broken: asset 'broken' failed: ValueError: bad data in broken*"])


def test_assetbridge_store_fixture_records_runs(run_assets, assetbridge_store) -> None:
    result = run_assets(QUICKSTART, select="raw_orders")
    assert assetbridge_store.get_run(result.run_id) is not None


def test_the_airflow_dags_example_translates_into_one_graph(repo_root) -> None:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from bridge.cli import main; main()", "translate",
         str(repo_root / "examples" / "airflow_dags"), "--json"],
        capture_output=True, text=True, check=False)
    document = json.loads(done.stdout)
    assert {dag["dag_id"] for dag in document["dags"]} == {"audit", "billing", "report",
                                                            "warehouse"}
    keys = {asset["key"]: asset for asset in document["assets"]}
    assert "warehouse/extract" in keys["warehouse/transform.clean"]["deps"]
    assert "orders" in keys["billing/invoice"]["deps"]  # asset-scheduled DAG
    assert "warehouse/kick_report" in keys["report/start"]["deps"]  # TriggerDagRunOperator
    # the example keeps one deliberate warning: a sensor on a DAG that is not in the folder
    assert [d["code"] for d in document["diagnostics"]] == ["unknown-external-dag"]
