"""Benchmark of ``assetbridge lineage import --airflow-db``; prints a report.

Run: ``python tests/benchmarks/bench_lineage.py`` (``--dags 10 --runs 100`` for a quick run).
Always exits 0: it is a report.

Set-up (not timed): ``airflow db migrate`` creates a SQLite metadata DB with Airflow 3's own
schema in a temporary AIRFLOW_HOME; ``_lineage_fill.fill`` writes 100 DAGs x 10 tasks x
1,000 runs = 1,000,000 task instances, 100,000 DAG runs and 100,000 asset events into it.

Timed: ``import_airflow_db`` of that database into a new SQLite store (read-only open,
schema detection, DAG structure, translation, then the asset events and every task instance
mapped in SQL over the Airflow file attached read-only to the store, written in
200,000-row transactions), then a second import of the same database (nothing new: it
must add nothing). Target: at least 100,000 task-instance rows per second for the first
import. Also timed, for reference: reading and mapping the task instances the way the
generic path does (a PostgreSQL database or store), writing nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bridge.storage import SqlStore
from bridge.storage._sql_import import SqliteBulkImport
from tests.benchmarks._lineage_fill import fill
from translators.lineage import import_airflow_db

TARGET_ROWS_PER_SECOND = 100_000


def migrate(home: Path) -> Path:
    """``airflow db migrate`` into ``home``; returns the database file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    database = home / "airflow.db"
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{database}")
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], env=env, check=True,
                   capture_output=True)
    return database


def read_only_pass(database: str) -> tuple[float, float, int]:
    """Stream and map every task instance as the import does, writing nothing: the
    reading side of the import on its own (wall s, CPU s, events mapped)."""
    from translators.lineage._airflow_schema import detect_schema, open_airflow_db
    from translators.lineage._catalog import catalog_from_dags
    from translators.lineage._dag_structure import read_airflow_assets, read_serialized_dags
    from translators.lineage._db_history import task_instance_batches

    started, cpu, mapped = time.perf_counter(), time.process_time(), 0
    engine, name = open_airflow_db(database)
    with engine.connect() as conn:
        schema = detect_schema(conn, name)
        assets = read_airflow_assets(conn, schema)
        dags = read_serialized_dags(conn, schema, name, assets)
        _, tasks = catalog_from_dags(dags, "bench", extra_assets=assets.values())
        for batch, _, _ in task_instance_batches(conn, schema, tasks, None, 50_000):
            mapped += len(batch)
    engine.dispose()
    return time.perf_counter() - started, time.process_time() - cpu, mapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dags", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-lineage-") as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        database = migrate(home)
        migrated = time.perf_counter()
        counts = fill(str(database), dags=args.dags, tasks=args.tasks, runs=args.runs)
        filled = time.perf_counter()
        print(f"airflow db migrate: {migrated - started:.1f} s; fill: {filled - migrated:.1f} s"
              f" ({', '.join(f'{n:,} {t}' for t, n in counts.items())})")
        read_seconds, read_cpu, mapped = read_only_pass(str(database))
        store = SqlStore(f"sqlite:///{home / 'runs.db'}")
        try:
            in_sql = SqliteBulkImport.supports(store)
            load = os.getloadavg()[0]
            cpu = time.process_time()
            first = import_airflow_db(str(database), store)
            first_cpu = time.process_time() - cpu
            second = import_airflow_db(str(database), store)
        finally:
            store.close()
    tis = counts["task_instance"]
    rate = tis / first.seconds
    print(f"generic (Python) path, read + map only, no store writes: {read_seconds:.2f} s wall, "
          f"{read_cpu:.2f} s CPU "
          f"for {tis:,} task instances -> {mapped:,} events: "
          f"{tis / read_seconds:,.0f} rows/s")
    print(f"first import ({'history mapped in SQL' if in_sql else 'generic path'}): "
          f"{first.seconds:.2f} s for {tis:,} task instances and "
          f"{counts['asset_event']:,} asset events -> {first.events_added:,} events "
          f"({dict(first.events)}), {first.assets_total:,} assets, {first.batches} batches")
    print(f"  CPU time of this process: {first_cpu:.2f} s ({tis / first_cpu:,.0f} rows per CPU "
          f"second; the rest of the wall time is waiting for disk and for other processes: "
          f"load average {load:.1f} on {os.cpu_count()} CPUs when it started)")
    print(f"  rate: {rate:,.0f} task-instance rows/s "
          f"({first.records_read / first.seconds:,.0f} source rows/s incl. asset events); "
          f"target >= {TARGET_ROWS_PER_SECOND:,}: "
          f"{'met' if rate >= TARGET_ROWS_PER_SECOND else 'NOT met'}")
    print(f"second import: {second.seconds:.2f} s, {second.events_added} events added "
          "(idempotent)")


if __name__ == "__main__":
    main()
