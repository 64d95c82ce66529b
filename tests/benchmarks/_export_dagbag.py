"""Airflow side of bench_export.py: DagBag parse time of two DAG folders, in one process.

Usage: python _export_dagbag.py GENERATED_DIR HANDWRITTEN_DIR REPEATS
Prints one line ``BENCH_JSON {...}``. A warm-up parse of each folder pays the one-time costs
(Airflow's imports, building ``AssetOperator``) as a long-lived DAG processor would; then
each folder is parsed REPEATS times, alternating, into a fresh ``DagBag``, best time kept.
"""

from __future__ import annotations

import gc
import json
import sys
import time


def main() -> None:
    generated, handwritten, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from airflow.dag_processing.dagbag import DagBag

    def parse(folder: str) -> tuple[float, int, int]:
        gc.collect()
        started = time.perf_counter()
        bag = DagBag(dag_folder=folder)
        seconds = time.perf_counter() - started
        return seconds, sum(len(dag.tasks) for dag in bag.dags.values()), len(bag.import_errors)

    found: dict[str, list[tuple[float, int, int]]] = {"generated": [], "handwritten": []}
    parse(generated), parse(handwritten)  # warm-up
    for _ in range(repeats):
        found["generated"].append(parse(generated))
        found["handwritten"].append(parse(handwritten))
    print("BENCH_JSON " + json.dumps({
        name: {"seconds": min(s for s, _, _ in runs), "tasks": runs[0][1],
               "import_errors": runs[0][2]} for name, runs in found.items()}), flush=True)


if __name__ == "__main__":
    main()
