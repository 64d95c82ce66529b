"""The assetbridge CLI end to end, on the quickstart example and fixture modules."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
QUICKSTART = str(REPO / "examples" / "quickstart" / "assets.py")
FIXTURES = Path(__file__).parent / "fixtures"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {}), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", "from bridge.cli import main; main()", *args],
                          capture_output=True, text=True, env=full_env, check=False)


def ok_json(*args: str, env: dict[str, str] | None = None) -> dict:
    done = cli(*args, "--json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_run_then_status_on_the_quickstart(_isolated_home: Path) -> None:
    result = ok_json("run", QUICKSTART)
    assert result["success"] is True
    assert [a["key"] for a in result["assets"]] == [
        "daily_revenue", "paid_orders", "raw_customers", "raw_orders", "revenue_by_country"]
    assert {a["outcome"] for a in result["assets"]} == {"success"}
    status = ok_json("status", QUICKSTART)
    assert {a["key"]: a["status"] for a in status["assets"]} == dict.fromkeys(
        ["daily_revenue", "paid_orders", "raw_customers", "raw_orders", "revenue_by_country"],
        "fresh")
    last = status["assets"][0]["last_materialization"]
    assert last["run_id"] == result["run_id"] and last["code_version"] == "2"
    rows = sqlite3.connect(_isolated_home / "warehouse.db").execute(
        "SELECT day, revenue FROM daily_revenue ORDER BY day").fetchall()
    assert rows == [("2026-11-01", 200.0), ("2026-11-02", 300.0), ("2026-11-03", 99.9)]


def test_human_output_has_a_summary_and_status_reasons() -> None:
    done = cli("run", QUICKSTART)
    assert done.returncode == 0, done.stderr
    assert "daily_revenue" in done.stdout and "success" in done.stdout
    assert cli("run", QUICKSTART, "--select", "raw_orders").returncode == 0
    status = cli("status", QUICKSTART)
    assert "stale" in status.stdout
    assert "upstream 'raw_orders' was materialized since" in status.stdout


def test_stale_after_partial_run_and_plan_says_what_to_run() -> None:
    ok_json("run", QUICKSTART)
    ok_json("run", QUICKSTART, "--select", "raw_orders")
    plan = ok_json("plan", QUICKSTART, "--select", "daily_revenue")
    assert [a["key"] for a in plan["assets"]] == ["paid_orders", "daily_revenue"]
    assert plan["command"].endswith("--select paid_orders,daily_revenue")
    provenance = ok_json("provenance", QUICKSTART, "paid_orders")
    assert provenance["upstream"][0]["key"] == "raw_orders"
    assert provenance["upstream"][0]["changed_since"] is True


def test_env_selects_resources_and_config_is_validated() -> None:
    result = ok_json("run", QUICKSTART, "--env", "test", "--config",
                     '{"daily_revenue": {"currency": "USD", "min_amount": 100}}')
    assert result["success"]
    bad = cli("run", QUICKSTART, "--config", '{"daily_revenue": {"min_amount": "lots"}}')
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "error: invalid config for asset 'daily_revenue': field 'min_amount': Input should "
        "be a valid number, unable to parse string as a number (got 'lots')"]
    unknown_env = cli("run", QUICKSTART, "--env", "staging")
    assert unknown_env.returncode == 1
    assert "environment 'staging' is not defined; defined: dev, test" in unknown_env.stderr


@pytest.mark.parametrize(("fixture", "message"), [
    ("cycle.py", "error: asset graph has a cycle: "),
    ("duplicate.py", "error: duplicate asset key 'orders': defined by "),
    ("typo.py", "error: asset 'revenue' needs resource 'raw_order', which was not provided"),
    ("broken_import.py", "broken_import.py:9: cannot import: NameError: name "
                         "'undefined_name' is not defined"),
])
def test_bad_input_is_one_line_nonzero_and_writes_nothing(
    fixture: str, message: str, _isolated_home: Path
) -> None:
    done = cli("run", str(FIXTURES / fixture))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stderr
    runs_db = _isolated_home / "runs.db"
    if runs_db.exists():
        assert sqlite3.connect(runs_db).execute("SELECT count(*) FROM ab_runs").fetchone() == (0,)


def test_typo_suggests_the_asset() -> None:
    done = cli("run", str(FIXTURES / "typo.py"))
    assert "did you mean asset 'raw_orders'?" in done.stderr


def test_debug_shows_the_traceback() -> None:
    done = cli("--debug", "run", str(FIXTURES / "cycle.py"))
    assert done.returncode == 1 and "Traceback" in done.stderr


def test_failed_run_exits_1_and_from_failure_resumes() -> None:
    failed = cli("run", str(FIXTURES / "failing.py"), "--json", env={"MAKE_IT_FAIL": "1"})
    assert failed.returncode == 1
    document = json.loads(failed.stdout)
    outcomes = {a["key"]: a["outcome"] for a in document["assets"]}
    assert outcomes == {"extract": "success", "transform": "failed", "load": "skipped"}
    assert failed.stderr.strip() == (
        f"error: run {document['run_id']} failed: 1 asset(s) failed (transform), 1 skipped; "
        f"fix and re-run with --from-failure {document['run_id']}")
    resumed = ok_json("run", str(FIXTURES / "failing.py"), "--from-failure", document["run_id"])
    assert sorted(a["key"] for a in resumed["assets"]) == ["load", "transform"]
    shown = ok_json("runs", "show", document["run_id"])
    assert any("transform exploded" in (e["logs"] or "") for e in shown["events"])


def test_partition_and_backfill_resume() -> None:
    target = str(FIXTURES / "partitioned.py")
    single = ok_json("run", target, "--partition", "2026-01-03")
    assert {a["partition"] for a in single["assets"]} == {"2026-01-03"}
    missing = cli("run", target)
    assert missing.returncode == 1 and "is partitioned" in missing.stderr
    window = ["--select", "*", "--from", "2026-01-01", "--to", "2026-01-05"]
    first = ok_json("backfill", target, *window)
    assert first["resumed"] is False
    assert set(first["partitions"].values()) == {"materialized"}
    again = ok_json("backfill", target, *window)
    assert again["resumed"] is True and again["backfill_id"] == first["backfill_id"]
    assert set(again["partitions"].values()) == {"already materialized"}
    status = ok_json("status", target)
    parts = status["assets"][0]["partitions"]
    assert [p for p, s in parts.items() if s == "materialized"] == [
        "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]


def test_impact_by_changed_keys() -> None:
    found = ok_json("impact", QUICKSTART, "--changed", "paid_orders")
    assert found == {"changed": ["paid_orders"],
                     "impacted": ["paid_orders", "daily_revenue", "revenue_by_country"]}


@pytest.mark.parametrize("command", [[], ["run"], ["backfill"], ["status"], ["plan"],
                                     ["provenance"], ["impact"], ["runs", "list"],
                                     ["runs", "show"]])
def test_every_command_has_help(command: list[str]) -> None:
    done = cli(*command, "--help")
    assert done.returncode == 0 and "Usage: assetbridge" in done.stdout


def test_runs_list_shows_recent_runs() -> None:
    result = ok_json("run", QUICKSTART)
    runs = ok_json("runs", "list")
    assert runs["runs"][0]["run_id"] == result["run_id"]
