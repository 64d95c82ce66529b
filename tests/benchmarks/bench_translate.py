"""Benchmark of the Airflow translators against Airflow itself; prints a report.

Run: ``python tests/benchmarks/bench_translate.py`` (needs apache-airflow: the dev or bench
extra). ``--all-examples`` runs every runnable example of the parity test in section 4
(once each; section 4 then takes about four minutes). Always exits 0: it is a report.

What is timed (wall time, best of 3 after one warm-up unless said otherwise):

1. ``read_static(files)`` on every ``*.py`` of the installed ``airflow/example_dags/`` and
   ``airflow/providers/standard/example_dags/`` (``__init__.py`` left out), vs Airflow's
   own loading of the same files: ``DagBag.process_file(path, only_if_updated=False,
   safe_mode=False)`` per file into a fresh ``DagBag``, in a subprocess whose warm-up pass
   has paid Airflow's imports and the modules the examples import. A cold line adds what a
   fresh process pays (imports included) on both sides, for information.
2. ``read_static`` of one generated file with 10,000 BashOperator tasks chained with
   ``>>``; tracemalloc peak (Python allocations) of a separate read.
3. ``read_static`` of a folder of 1,000 generated DAG files (9 tasks each: TaskFlow
   extract/summarize, a task group of BashOperators, EmptyOperators, default_args); peak
   memory as in 2; DagBag on the same folder (one pass after a warm-up on 20 files) when a
   20-file sample predicts it under 60 s.
4. ``translators.execution.run_dags(file, dag_id=..., logical_date=d)`` (no scheduler, no
   metadata DB; the call imports the DAG file itself) vs Airflow's ``dag.test(logical_date=d)``
   on an already imported DAG (no executor, SQLite metadata DB made by ``airflow db
   migrate``; the call re-parses the DAG's file and serializes it into the DB, which Airflow
   3 always does), each side in its own subprocess, same DAGs, three logical dates, best of
   the three, after one warm-up run of the first DAG (the day after the last date). The
   default set, ``QUICK_EXAMPLES``, is the runnable examples of
   ``tests/translators/execution/test_exec_parity_dag_test.py`` whose time is not spent
   waiting: not in the example's own ``sleep`` commands (``example_assets``, ``tutorial``,
   ``example_bash_operator`` ...), virtualenv creation or random branches, nor in the
   one-second idle loop of ``dag.test()`` (``example_nested_branch_dag``, about 100x slower
   under ``dag.test()`` because of it). ``--all-examples`` takes the parity test's whole
   ``RUNNABLE`` list instead, one date each. Final task states of both sides are compared,
   for information (the parity test is the real check).

The ratio of 4 is the sum of Airflow's times over the sum of ours; the median of the
per-DAG ratios is printed too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench_runner import best_of, fmt_s, verdict

HERE = Path(__file__).resolve().parent
PARITY_TEST = HERE.parent / "translators" / "execution" / "test_exec_parity_dag_test.py"
HELPER = HERE / "_airflow_translate.py"
EXAMPLE_FOLDERS = ("example_dags", "providers/standard/example_dags")
STATIC_TARGET = 10.0  # DagBag time / static time on the shipped examples, at least
BIG_TARGET = 1.0  # seconds for the 10,000-task file, at most
RUN_TARGET = 100.0  # dag.test() time / in-process time, at least
BIG_TASKS = 10_000
FOLDER_FILES = 1_000
DAGBAG_BUDGET = 60.0  # seconds: DagBag on the generated folder only if predicted under this
#: one run per date, best of them; from the parity test's date on (some examples start then)
DATES = ("2026-01-01", "2026-01-02", "2026-01-03")
WARMUP_DAG = "tutorial_taskflow_api"
#: file -> DAG ids: runnable without external systems, and not waiting (see above)
QUICK_EXAMPLES: dict[str, tuple[str, ...]] = {
    "tutorial_taskflow_api.py": ("tutorial_taskflow_api",),
    "tutorial_dag.py": ("tutorial_dag",),
    "example_xcom.py": ("example_xcom",),
    "example_xcomargs.py": ("example_xcom_args", "example_xcom_args_with_operators"),
    "example_complex.py": ("example_complex",),
    "example_task_group.py": ("example_task_group",),
    "example_task_group_decorator.py": ("example_task_group_decorator",),
    "example_dynamic_task_mapping.py": ("example_dynamic_task_mapping",
                                        "example_task_group_mapping",
                                        "example_task_mapping_second_order"),
    "example_setup_teardown_taskflow.py": ("example_setup_teardown_taskflow",),
    "example_branch_labels.py": ("example_branch_labels",),
    "example_skip_dag.py": ("example_skip_dag",),
    "example_short_circuit_operator.py": ("example_short_circuit_operator",),
    "example_branch_datetime_operator.py": ("example_branch_datetime_operator",),
    "example_latest_only.py": ("latest_only",),
    "example_asset_decorator.py": ("asset1_producer",),
}

#: dag.test() of these files needs the DAG they trigger in its DAGs folder too
COMPANIONS = {"example_trigger_controller_dag.py": ("example_trigger_target_dag.py",)}

# -- helpers -----------------------------------------------------------------------------

def example_files() -> list[Path]:
    """The shipped example DAG files, located without importing Airflow."""
    spec = importlib.util.find_spec("airflow")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(path for folder in EXAMPLE_FOLDERS for path in (root / folder).glob("*.py")
                  if path.name != "__init__.py")


def airflow_env(workdir: Path, name: str) -> dict[str, str]:
    home = workdir / name
    home.mkdir(parents=True, exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    return base | {"AIRFLOW_HOME": str(home),
                   "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
                   "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
                   "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                   "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}


def helper(request: dict[str, Any], env: dict[str, str], timeout: float = 900) -> dict[str, Any]:
    """Run _airflow_translate.py with ``request``; its BENCH_JSON answer."""
    proc = subprocess.run([sys.executable, str(HELPER)], input=json.dumps(request), env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=env["AIRFLOW_HOME"])
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{request['mode']} failed: {(proc.stderr or proc.stdout)[-2000:]}")
    found: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    return found


def static_read(paths: list[Path], cache: bool = False) -> tuple[float, Any]:
    """Best of 3 after a warm-up; with ``cache``, the warm-up fills the reader's content
    cache (as a first DagBag pass fills ``__pycache__``) and the timed reads use it."""
    from translators import read_static

    read_static(paths, cache=cache)  # warm-up
    return best_of(3, lambda: read_static(paths, cache=cache))


def peak_mib(paths: list[Path]) -> float:
    from translators import read_static

    tracemalloc.start()
    try:
        read_static(paths, cache=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def counts(result: Any) -> str:
    tasks = sum(len(dag.tasks) for dag in result.dags)
    errors = sum(d.level == "error" for d in result.diagnostics)
    return (f"{len(result.dags):,} DAGs, {tasks:,} tasks, {len(result.diagnostics)} diagnostics"
            f" ({errors} errors)")


def target_line(label: str, figure: str, target: str, ok: bool) -> bool:
    print(f"  {label:<44}{figure:>14}  target {target:<9} {verdict(ok)}")
    return ok


# -- 1. shipped examples -----------------------------------------------------------------

COLD_STATIC = """
import json, sys, time
started = time.perf_counter()
from translators import read_static
result = read_static(sys.argv[1:], cache=False)
print(json.dumps(time.perf_counter() - started))
"""


def bench_examples(workdir: Path, files: list[Path]) -> list[bool]:
    folders = {folder: sum(f.parent.as_posix().endswith(f"/airflow/{folder}") for f in files)
               for folder in EXAMPLE_FOLDERS}
    print(f"{len(files)} files: " + ", ".join(f"airflow/{k}/ {v}" for k, v in folders.items()))
    static_s, result = static_read(files)
    print(f"static  read_static(files, cache=False) {fmt_s(static_s)}  ({counts(result)})")
    cached_s, cached = static_read(files, cache=True)
    same = "same result" if cached == result else "RESULT DIFFERS"
    print(f"static  read_static(files), warm cache  {fmt_s(cached_s)}  ({same})")
    try:
        bag = helper({"mode": "dagbag", "files": [str(f) for f in files], "repeats": 3},
                     airflow_env(workdir, "dagbag"))
    except Exception as exc:  # report, do not crash the report
        print(f"Airflow DagBag not measured: {exc}")
        return [False]
    runs = ", ".join(f"{s * 1000:.0f}" for s in bag["all_seconds"])
    print(f"Airflow DagBag.process_file per file   {fmt_s(bag['seconds'])}  ({bag['dags']:,} "
          f"DAGs, {bag['tasks']:,} tasks, {bag['import_errors']} import errors; runs {runs} ms)")
    static_ids = {dag.dag_id for dag in result.dags}
    only_static, only_bag = sorted(static_ids - set(bag["dag_ids"])), sorted(
        set(bag["dag_ids"]) - static_ids)
    if only_static or only_bag:
        print(f"(DAG ids found by the static reader only: {', '.join(only_static) or 'none'};"
              f" by DagBag only: {', '.join(only_bag) or 'none'})")
    cold = subprocess.run([sys.executable, "-c", COLD_STATIC, *map(str, files)],
                          capture_output=True, text=True, check=True)
    cold_static = json.loads(cold.stdout.strip().splitlines()[-1])
    cold_bag = bag["import_seconds"] + bag["warmup_seconds"]
    print(f"(cold, first read in a fresh process, imports included: static {cold_static:.2f} s,"
          f" DagBag {cold_bag:.2f} s = import {bag['import_seconds']:.2f} s + first pass "
          f"{bag['warmup_seconds']:.2f} s: {cold_bag / cold_static:.1f}x; no target)")
    print(f"(static without its cache vs DagBag: {bag['seconds'] / static_s:.1f}x; ast.parse "
          f"alone of the same files takes {fmt_s(parse_only(files))}; DagBag's warm passes "
          "skip parsing too, through __pycache__)")
    ratio = bag["seconds"] / cached_s
    return [target_line("static vs DagBag, shipped examples (warm)", f"{ratio:.1f}x faster",
                        f">= {STATIC_TARGET:.0f}x", ratio >= STATIC_TARGET and cached == result)]


def parse_only(paths: list[Path]) -> float:
    """Best of 3: ``ast.parse`` of every file (the floor of an uncached static read)."""
    import ast

    texts = [p.read_text(encoding="utf-8") for p in paths]
    seconds, _ = best_of(3, lambda: [ast.parse(t) for t in texts])
    return seconds


# -- 2. one file with 10,000 tasks -------------------------------------------------------

def big_dag_source(n: int) -> str:
    lines = ["import datetime", "",
             "from airflow.providers.standard.operators.bash import BashOperator",
             "from airflow.sdk import DAG", "",
             'with DAG("generated_10k", schedule="@daily", start_date=datetime.datetime('
             '2024, 1, 1), catchup=False, tags=["generated"]):']
    lines += [f'    t{i} = BashOperator(task_id="t{i}", bash_command="echo {i}", retries=1)'
              for i in range(n)]
    lines += ["    " + " >> ".join(f"t{i}" for i in range(start, min(start + 11, n)))
              for start in range(0, n - 1, 10)]  # one chain, written 10 edges a line
    return "\n".join(lines) + "\n"


def bench_big_file(workdir: Path) -> list[bool]:
    path = workdir / "generated_10k.py"
    path.write_text(big_dag_source(BIG_TASKS))
    lines = path.read_text().count("\n")
    print(f"1 file, {BIG_TASKS:,} BashOperator tasks in one >> chain ({lines:,} lines, "
          f"{path.stat().st_size / 1024:.0f} KiB)")
    seconds, result = static_read([path])
    edges = sum(len(task.upstream) for dag in result.dags for task in dag.tasks)
    peak = peak_mib([path])
    print(f"static  read_static([file])            {fmt_s(seconds)}  ({counts(result)}, "
          f"{edges:,} edges; py peak {peak:.1f} MiB)")
    complete = [len(d.tasks) for d in result.dags] == [BIG_TASKS] and edges == BIG_TASKS - 1
    if not complete:
        print("  the graph is incomplete: expected 1 DAG, "
              f"{BIG_TASKS:,} tasks, {BIG_TASKS - 1:,} edges")
    return [target_line(f"static read of the {BIG_TASKS:,}-task file", fmt_s(seconds).strip(),
                        f"<= {BIG_TARGET:.0f} s", seconds <= BIG_TARGET and complete)]


# -- 3. a folder of 1,000 DAG files ------------------------------------------------------

SMALL_DAG = '''\
"""Generated DAG {i}: daily ingest of one source into the warehouse."""

from __future__ import annotations

import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup, task

SOURCE = "source_{i:04d}"
TABLES = ["orders", "customers", "payments"]
default_args = {{"owner": "team_{team}", "retries": 2,
                "retry_delay": datetime.timedelta(minutes=5)}}

with DAG(
    dag_id=f"ingest_{{SOURCE}}",
    schedule="{schedule}",
    start_date=datetime.datetime(2024, 1, 1),
    catchup=False,
    default_args=default_args,
    tags=["generated", "team_{team}"],
):
    start = EmptyOperator(task_id="start")

    @task
    def extract(table: str, ds=None) -> dict:
        return {{"source": SOURCE, "table": table, "rows": 100, "ds": ds}}

    @task
    def summarize(batches: list) -> int:
        return sum(batch["rows"] for batch in batches)

    with TaskGroup("load") as load:
        for table in TABLES:
            BashOperator(task_id=f"load_{{table}}",
                         bash_command=f"echo loading {{table}} for {{{{ ds }}}}")

    batches = [extract.override(task_id=f"extract_{{table}}")(table) for table in TABLES]
    end = EmptyOperator(task_id="end", trigger_rule="none_failed")
    start >> batches
    summarize(batches) >> load >> end
'''


def bench_folder(workdir: Path, with_dagbag: bool) -> list[bool]:
    folder = workdir / "dags_1000"
    folder.mkdir()
    schedules = ("@daily", "@hourly", "0 6 * * *", "@weekly")
    for i in range(FOLDER_FILES):
        (folder / f"ingest_{i:04d}.py").write_text(
            SMALL_DAG.format(i=i, team=i % 10, schedule=schedules[i % 4]))
    print(f"{FOLDER_FILES:,} files, 9 tasks each (TaskFlow, a task group, default_args)")
    seconds, result = static_read([folder])
    peak = peak_mib([folder])
    print(f"static  read_static([folder])          {fmt_s(seconds)}  ({counts(result)}; "
          f"{seconds / FOLDER_FILES * 1000:.2f} ms a file; py peak {peak:.1f} MiB)")
    if not with_dagbag:
        return []
    files = sorted(str(f) for f in folder.glob("*.py"))
    try:
        bag = helper({"mode": "dagbag", "files": files, "repeats": 1, "sample": 20,
                      "budget": DAGBAG_BUDGET}, airflow_env(workdir, "dagbag-folder"))
    except Exception as exc:
        print(f"Airflow DagBag not measured: {exc}")
        return []
    if bag.get("skipped"):
        print(f"Airflow DagBag: not measured (a 20-file sample predicts "
              f"{bag['estimate_seconds']:.0f} s > {DAGBAG_BUDGET:.0f} s)")
        return []
    print(f"Airflow DagBag.process_file per file   {fmt_s(bag['seconds'])}  ({bag['dags']:,} "
          f"DAGs, {bag['tasks']:,} tasks, {bag['import_errors']} import errors; one pass)")
    print(f"  static vs DagBag, {FOLDER_FILES:,} files: {bag['seconds'] / seconds:.1f}x faster "
          f"(no target of its own)")
    return []


# -- 4. in-process runs vs dag.test() ----------------------------------------------------

def runnable_examples(everything: bool) -> tuple[dict[str, tuple[str, ...]], str]:
    """file name -> DAG ids to run, and where the list comes from."""
    if not everything:
        return QUICK_EXAMPLES, "QUICK_EXAMPLES (a subset of the parity test's RUNNABLE)"
    spec = importlib.util.spec_from_file_location("_parity", PARITY_TEST)
    try:
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found: dict[str, tuple[str, ...]] = module.RUNNABLE
    except Exception as exc:
        print(f"(parity test's RUNNABLE not readable: {exc!r}; using QUICK_EXAMPLES)")
        return QUICK_EXAMPLES, "QUICK_EXAMPLES"
    return found, "RUNNABLE of tests/translators/execution/test_exec_parity_dag_test.py"


def execution_available() -> str | None:
    """Why translators.execution cannot be benchmarked, or None when it can."""
    try:
        from translators.execution import run_dags  # noqa: F401
    except Exception as exc:
        return f"translators.execution not available: {exc!r}"
    return None


def bench_runs(workdir: Path, files: list[Path], everything: bool) -> list[bool]:
    missing = execution_available()
    if missing:
        print(f"in-process execution: not measured ({missing})")
        return []
    chosen, source = runnable_examples(everything)
    by_name = {f.name: f for f in files}
    targets = {dag_id: str(by_name[name]) for name, ids in chosen.items() for dag_id in ids
               if name in by_name}
    warmup = WARMUP_DAG if WARMUP_DAG in targets else next(iter(targets))
    dates = DATES[:1] if everything else DATES
    print(f"{len(targets)} DAGs from {source}; {len(dates)} logical date(s) each, best of them; "
          f"warm-up: {warmup}")
    extra = {dag_id: [str(by_name[c]) for c in COMPANIONS.get(name, ()) if c in by_name]
             for name, ids in chosen.items() for dag_id in ids if name in COMPANIONS}
    request = {"files": targets, "dates": list(dates), "warmup": warmup, "companions": extra}
    env = airflow_env(workdir, "dag-test")
    migrate = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                             capture_output=True, text=True, check=False)
    try:
        if migrate.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed: {migrate.stderr[-2000:]}")
        airflow = helper(request | {"mode": "dagtest"}, env, timeout=1800)
    except Exception as exc:
        print(f"Airflow dag.test() not measured: {exc}")
        return [False]
    in_home = airflow_env(workdir, "in-process")
    try:
        ours = helper(request | {"mode": "inprocess"}, in_home, timeout=1800)
    except Exception as exc:
        print(f"in-process execution: not measured ({exc})")
        return [False]
    return report_runs(airflow, ours, Path(in_home["AIRFLOW_HOME"]))


def state_diff(theirs: dict[str, str], mine: dict[str, str], most: int = 3) -> str:
    """The first tasks whose final state differs: ``task dag.test()/in-process``."""
    tasks = sorted(set(theirs) | set(mine))
    found = [f"{task} {theirs.get(task, '-')}/{mine.get(task, '-')}" for task in tasks
             if theirs.get(task) != mine.get(task)]
    return ", ".join(found[:most]) + (f", +{len(found) - most}" if len(found) > most else "")


def report_runs(airflow: dict[str, Any], ours: dict[str, Any], in_home: Path) -> list[bool]:
    print(f"{'dag_id':<42}{'tasks':>6}{'dag.test()':>13}{'in-process':>13}{'ratio':>8}  states")
    total_airflow = total_ours = 0.0
    ratios, differ, failed = [], [], []
    for dag_id, theirs in airflow["dags"].items():
        mine = ours["dags"].get(dag_id, {"error": "not run"})
        if "error" in theirs or "error" in mine:
            failed.append(dag_id)
            print(f"{dag_id:<42} error: {theirs.get('error') or mine.get('error')}")
            continue
        same = mine["states"] == theirs["states"]
        if not same:
            differ.append(f"{dag_id} ({state_diff(theirs['states'], mine['states'])})")
        ratio = theirs["seconds"] / mine["seconds"]
        ratios.append(ratio)
        total_airflow += theirs["seconds"]
        total_ours += mine["seconds"]
        print(f"{dag_id:<42}{len(theirs['states']):>6}{fmt_s(theirs['seconds']):>13}"
              f"{fmt_s(mine['seconds']):>13}{ratio:>7.1f}x  {'same' if same else 'DIFFER'}")
    if not ratios:
        print("no DAG ran on both sides")
        return [False]
    print(f"{'total':<48}{fmt_s(total_airflow):>13}{fmt_s(total_ours):>13}"
          f"{total_airflow / total_ours:>7.1f}x")
    print(f"(warm-up runs, not in the figures: dag.test() {airflow['warmup_seconds']:.2f} s, "
          f"in-process {ours['warmup_seconds']:.2f} s; median per-DAG ratio "
          f"{statistics.median(ratios):.1f}x; final states same for "
          f"{len(ratios) - len(differ)}/{len(ratios)}"
          + (f"; differ (task dag.test()/in-process): {'; '.join(differ)}" if differ else "")
          + (f"; errors: {', '.join(failed)}" if failed else "") + ")")
    touched = (in_home / "airflow.db").exists()
    print(f"(in-process runs touched a metadata DB: {'yes' if touched else 'no'})")
    ratio = total_airflow / total_ours
    return [target_line("in-process vs dag.test(), runnable examples", f"{ratio:.1f}x faster",
                        f">= {RUN_TARGET:.0f}x", ratio >= RUN_TARGET and not failed)]


# -- main --------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-examples", action="store_true",
                        help="section 4: every runnable example of the parity test, once each")
    parser.add_argument("--only", type=int, choices=(1, 2, 3, 4), action="append",
                        help="run only this section (repeatable); default all four")
    args = parser.parse_args()
    sections = set(args.only or (1, 2, 3, 4))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"assetbridge translators benchmark  (python {sys.version.split()[0]}, "
          f"{sys.platform}, {os.cpu_count()} CPUs, load average {load})")
    files = example_files()
    if not files:
        print("apache-airflow is not installed: nothing to compare with "
              "(pip install -e '.[bench]')")
        return 0
    from importlib.metadata import version

    print(f"apache-airflow {version('apache-airflow')}, standard provider "
          f"{version('apache-airflow-providers-standard')}; wall time = best of 3 after a "
          "warm-up unless said otherwise; py peak = tracemalloc peak of a separate read\n")
    started = time.perf_counter()
    verdicts: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="assetbridge-bench-translate-") as tmp:
        workdir = Path(tmp)
        os.environ["ASSETBRIDGE_CACHE_DIR"] = str(workdir / "reader-cache")
        if 1 in sections:
            print("== 1. shipped example DAGs: static reader vs Airflow's DagBag ==")
            verdicts += bench_examples(workdir, files)
        if 2 in sections:
            print(f"\n== 2. one generated file with {BIG_TASKS:,} tasks ==")
            verdicts += bench_big_file(workdir)
        if 3 in sections:
            print(f"\n== 3. a folder of {FOLDER_FILES:,} generated DAG files (no target) ==")
            verdicts += bench_folder(workdir, with_dagbag=True)
        if 4 in sections:
            print("\n== 4. in-process runs vs Airflow's dag.test() ==")
            verdicts += bench_runs(workdir, files, args.all_examples)
    passed = sum(verdicts)
    note = "" if passed == len(verdicts) else " (see MISS lines above)"
    print(f"\nSUMMARY: {passed}/{len(verdicts)} targets met{note}; "
          f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
