"""What an exported task runs, without Airflow: ``run_task`` and the Airflow 2 worker."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bridge import SqlStore
from bridge.errors import BridgeError, PartitionError, ProjectFileError
from translators.export.runtime import run_task

REPO = Path(__file__).resolve().parents[3]
QUICKSTART = str(REPO / "examples" / "quickstart" / "assets.py")
DEPLOY = str(REPO / "examples" / "deploy" / "shop_assets.py")


def test_a_task_materializes_through_the_io_manager_and_records_the_run(
        tmp_path: Path, _isolated_home: Path) -> None:
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    first = run_task(assets=QUICKSTART, keys=["raw_orders"], store=store,
                     tags={"airflow_dag_id": "raw"})
    second = run_task(assets=QUICKSTART, keys=["paid_orders"], store=store)
    assert first["status"] == second["status"] == "success"
    (item,) = second["assets"]
    assert (item["key"], item["code_version"], len(item["data_version"])) == (
        "paid_orders", "1", 16)
    assert (_isolated_home / "storage" / "paid_orders" / "__all__.pkl").is_file()
    opened = SqlStore(store)
    try:
        run = opened.get_run(first["run_id"])
    finally:
        opened.close()
    assert run is not None and run.tags["airflow_dag_id"] == "raw"


def test_the_partition_is_the_data_interval_start(tmp_path: Path) -> None:
    record = run_task(assets=DEPLOY, keys=["shop_orders"], env="prod",
                      data_interval_start=datetime(2026, 11, 3, tzinfo=timezone.utc),
                      store=f"sqlite:///{tmp_path / 'runs.db'}")
    assert record["partition"] == "2026-11-03"
    with pytest.raises(PartitionError, match="got no data interval"):
        run_task(assets=DEPLOY, keys=["shop_orders"], store=f"sqlite:///{tmp_path / 'r.db'}")


def test_config_reaches_the_asset_and_failures_raise(tmp_path: Path,
                                                    _isolated_home: Path) -> None:
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    with pytest.raises(BridgeError, match="no stored value for asset 'paid_orders'"):
        run_task(assets=QUICKSTART, keys=["daily_revenue"], store=store)
    for key in ("raw_orders", "paid_orders"):
        run_task(assets=QUICKSTART, keys=[key], store=store)
    run_task(assets=QUICKSTART, keys=["daily_revenue"], store=store,
             config={"min_amount": 100})
    stored = _isolated_home / "storage" / "daily_revenue" / "__all__.pkl"
    assert pickle.loads(stored.read_bytes()) == {"2026-11-01": 120.0, "2026-11-02": 300.0}


def test_store_urls_read_the_workers_environment(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("MY_STORE", f"sqlite:///{tmp_path / 'from-env.db'}")
    run_task(assets=QUICKSTART, keys=["raw_orders"], store="${MY_STORE}")
    assert (tmp_path / "from-env.db").is_file()
    with pytest.raises(ProjectFileError, match="needs 'NOT_SET_ANYWHERE'"):
        run_task(assets=QUICKSTART, keys=["raw_orders"], store="${NOT_SET_ANYWHERE}")


def test_the_airflow2_worker_speaks_json(tmp_path: Path) -> None:
    request = {"assets": QUICKSTART, "keys": ["raw_customers"],
               "store": f"sqlite:///{tmp_path / 'runs.db'}", "tags": {"airflow_dag_id": "x"}}
    done = subprocess.run([sys.executable, "-m", "translators.export.worker"], cwd=REPO,
                          input=json.dumps(request), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout.strip().splitlines()[-1])
    assert record["assets"][0]["key"] == "raw_customers"
    bad = subprocess.run([sys.executable, "-m", "translators.export.worker"], cwd=REPO,
                         input=json.dumps({**request, "keys": ["nope"]}), capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 1
    assert "nope" in bad.stderr.strip().splitlines()[-1]
