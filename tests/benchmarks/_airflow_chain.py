"""Airflow side of bench_runner.py: time ``dag.test()`` of an N-task TaskFlow chain.

Run by bench_runner.py in a subprocess whose environment points AIRFLOW_HOME, the metadata
DB (already migrated with ``airflow db migrate``) and the DAGs folder at a temporary
directory. Prints one line ``BENCH_JSON {...}`` with the timings; Airflow's logs go to
stderr. ``dag.test()`` needs the DAG in a file of the DAGs folder (it syncs that bundle to
the metadata DB), so the DAG file is written there first.

Usage: python _airflow_chain.py N REPEATS
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

DAG_FILE = '''\
import datetime

from airflow.sdk import DAG, task

N = {n}
REPEATS = {repeats}


def build(dag_id: str):
    with DAG(dag_id, schedule=None, start_date=datetime.datetime(2024, 1, 1),
             catchup=False) as dag:
        @task
        def step(up: int) -> int:
            return up + 1

        value = step.override(task_id="t0")(0)
        for i in range(1, N):
            value = step.override(task_id=f"t{{i}}")(value)
    return dag


warmup = build("assetbridge_bench_warmup")
chains = [build(f"assetbridge_bench_chain{{k}}") for k in range(REPEATS)]
'''


def main() -> None:
    n, repeats = int(sys.argv[1]), int(sys.argv[2])
    dags_folder = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    dags_folder.mkdir(parents=True, exist_ok=True)
    path = dags_folder / "assetbridge_bench_chain.py"
    path.write_text(DAG_FILE.format(n=n, repeats=repeats))

    started = time.perf_counter()
    spec = importlib.util.spec_from_file_location("assetbridge_bench_chain", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import_seconds = time.perf_counter() - started

    # Identical DAGs under different ids: the warm-up pays Airflow's one-time costs (lazy
    # imports, bundle setup, DB connection); the figure is the best of the others.
    seconds, states = [], []
    for dag in [module.warmup, *module.chains]:
        started = time.perf_counter()
        run = dag.test()
        seconds.append(time.perf_counter() - started)
        states.append(str(getattr(run, "state", None)))
    print("BENCH_JSON " + json.dumps({
        "n": n, "import_seconds": import_seconds, "warmup_seconds": seconds[0],
        "seconds": min(seconds[1:]), "all_seconds": seconds[1:], "states": states,
    }), flush=True)


if __name__ == "__main__":
    main()
