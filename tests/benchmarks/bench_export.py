"""Benchmark of ``assetbridge export``; prints a report. Always exits 0.

Run: ``python tests/benchmarks/bench_export.py`` (needs apache-airflow for part 2).

1. Export of 10,000 assets (target: at most 2 s): ``plan_export`` + ``render_files`` + writing
   the files, for 10,000 ``@asset`` definitions in 20 groups, each asset reading one or two
   earlier assets (a tenth of them across groups, so DAGs are linked by asset schedules).
   Defining the assets (the user's module import) is timed apart. Best of 3.
2. Airflow's DagBag parse time of the generated files for 1,000 assets (same shape, 20
   groups) next to an equivalent hand-written TaskFlow DAG folder: one ``@task`` per asset
   with the same task ids, edges, outlets (the asset), inlets and schedules (target: ratio at
   most 1.5x). Both folders are parsed in one Airflow 3 subprocess, after a warm-up parse of
   each, best of 5.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_runner import best_of, fmt_s, verdict

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from bridge import Asset, asset  # noqa: E402
from translators.export import ExportOptions, ExportPlan, plan_export, render_files  # noqa: E402


def make_assets(count: int, groups: int = 20, seed: int = 7) -> list[Asset]:
    """``count`` assets in ``groups`` groups; each reads one or two earlier assets."""
    rng = random.Random(seed)
    size = count // groups
    made: list[Asset] = []
    for index in range(count):
        group = index // size
        first = group * size
        deps: list[str] = []
        if index > first:
            deps.append(f"a{rng.randrange(first, index)}")
        if index > first and first > 0 and rng.random() < 0.1:
            deps.append(f"a{rng.randrange(0, first)}")
        made.append(asset(name=f"a{index}", group=f"g{group}", deps=deps)(_noop))
    return made


def _noop() -> None:
    return None


def export(assets: list[Asset], out: Path, split: bool = True) -> ExportPlan:
    plan = plan_export(assets, ExportOptions(split=split))
    for name, text in render_files(plan, repr("assets.py")).items():
        (out / name).write_text(text, encoding="utf-8")
    return plan


def handwritten(plan: ExportPlan, out: Path) -> None:
    """The same DAGs written the TaskFlow way a person would: a ``@task`` per asset."""
    for dag in plan.dags:
        lines = ["import datetime", "", "from airflow.sdk import DAG, Asset, task", ""]
        for item in dag.tasks:
            lines += [f"@task(task_id={item.task_id!r}, outlets=[Asset({item.keys[0]!r})]"
                      + (f", inlets=[{', '.join(f'Asset({k!r})' for k in item.inlets)}]"
                         if item.inlets else "") + ")",
                      f"def {item.var}():", f"    return {item.keys[0]!r}", ""]
        schedule = ("[" + ", ".join(f"Asset({k!r})" for k in dag.schedule_assets) + "]"
                    if dag.schedule_assets else "None")
        lines += [f"with DAG({dag.dag_id!r}, schedule={schedule}, "
                  "start_date=datetime.datetime(2024, 1, 1), catchup=False):"]
        lines += [f"    {item.var}_ = {item.var}()" for item in dag.tasks]
        lines += [f"    [{', '.join(up.replace('.', '_') + '_' for up in item.upstream)}] >> "
                  f"{item.var}_" for item in dag.tasks if item.upstream]
        (out / f"{dag.dag_id}.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def part1() -> None:
    print("1. export of 10,000 assets (plan + render + write)")
    started = time.perf_counter()
    assets = make_assets(10_000)
    defined = time.perf_counter() - started
    print(f"   defining the assets (not export)  {fmt_s(defined)}")
    for split, label in ((True, "export (exact schedules)"), (False, "export --no-split")):
        with tempfile.TemporaryDirectory() as folder:
            seconds, plan = best_of(3, lambda s=split: export(assets, Path(folder), s))
            size = sum(p.stat().st_size for p in Path(folder).iterdir())
        tasks = sum(len(dag.tasks) for dag in plan.dags)
        print(f"   {label:<33} {fmt_s(seconds)}   {len(plan.dags)} DAGs, {tasks} tasks, "
              f"{size / 1e6:.1f} MB of Python   target <= 2 s: {verdict(seconds <= 2)}")


def part2() -> None:
    print("2. Airflow DagBag parse of the files for 1,000 assets vs hand-written TaskFlow")
    with tempfile.TemporaryDirectory() as root:
        generated, written = Path(root) / "generated", Path(root) / "handwritten"
        generated.mkdir()
        written.mkdir()
        plan = export(make_assets(1_000), generated)
        handwritten(plan, written)
        home = Path(root) / "airflow-home"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                    "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR", "PYTHONPATH": str(REPO)})
        done = subprocess.run([sys.executable, str(HERE / "_export_dagbag.py"), str(generated),
                               str(written), "5"], env=env, capture_output=True, text=True,
                              check=False)
        line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            print(f"   failed: {done.stderr[-2000:]}")
            return
        found: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
    ours, theirs = found["generated"], found["handwritten"]
    ratio = ours["seconds"] / theirs["seconds"]
    for name, item in (("generated (assetbridge)", ours), ("hand-written TaskFlow", theirs)):
        print(f"   {name:<24} {fmt_s(item['seconds'])}   {item['tasks']} tasks, "
              f"{item['import_errors']} import errors")
    print(f"   ({len(plan.dags)} DAG files each; best of 5 after a warm-up parse)")
    print(f"   ratio generated / hand-written    {ratio:9.2f}x   target <= 1.5x: "
          f"{verdict(ratio <= 1.5)}")


if __name__ == "__main__":
    part1()
    part2()
