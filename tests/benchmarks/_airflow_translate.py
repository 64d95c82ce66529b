"""Airflow side of bench_translate.py, run in a subprocess: DagBag loading and run timings.

bench_translate.py runs this script with AIRFLOW_HOME, the metadata DB and the DAGs folder
pointing at a temporary directory, a JSON request on stdin, and reads the one line
``BENCH_JSON {...}`` it prints (logs go to stderr). Requests (``mode``):

- ``dagbag`` ``{"files": [...], "repeats": R, "sample": S, "budget": B}``: Airflow's own
  loading of the files, ``DagBag.process_file(path, only_if_updated=False,
  safe_mode=False)`` per file into a fresh ``DagBag(collect_dags=False)`` per pass. One
  warm-up pass over the first ``S`` files (all when ``S`` is 0) pays Airflow's imports and
  the modules the files import; when ``S`` > 0 a timed pass over the sample estimates the
  full pass, which is skipped if the estimate exceeds ``B`` seconds. Then best of ``R``.
- ``dagtest`` ``{"files": {dag_id: file}, "dates": [...], "warmup": dag_id,
  "companions": {dag_id: [file, ...]}}``: Airflow's ``dag.test(logical_date=d,
  run_after=d)`` (no executor, SQLite DB already migrated) for each DAG and date, after one
  warm-up ``dag.test()`` of the ``warmup`` DAG (the day after the last date).
  ``dag.test()`` re-parses the DAGs folder it belongs to (Airflow 3 syncs that bundle to
  the DB on every call), so the folder holds only the file of the DAG under test, its
  companions (a DAG it triggers) and the sibling folders without code (``sql/`` templates)
  while it runs: Airflow is not charged for parsing the other examples. The DAG is
  imported from that copy before the timed call.
- ``inprocess`` ``{"files": {dag_id: file}, "dates": [...], "warmup": dag_id}``:
  ``translators.execution.run_dags(file, dag_id=..., logical_date=d)`` in this process
  (no scheduler, no metadata DB), the same DAGs and dates, after one warm-up run as above. Each call
  imports the DAG file itself, so the figure includes loading the DAG.

Usage: python _airflow_translate.py < request.json
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any


def dagbag_pass(files: list[str]) -> tuple[float, dict[str, int]]:
    """One timed load of ``files`` through a fresh DagBag; counts of what it found."""
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    bag = DagBag(collect_dags=False)
    for file in files:
        bag.process_file(file, only_if_updated=False, safe_mode=False)
    seconds = time.perf_counter() - started
    counts = {"dags": len(bag.dags), "tasks": sum(len(d.tasks) for d in bag.dags.values()),
              "import_errors": len(bag.import_errors), "dag_ids": sorted(bag.dags)}
    return seconds, counts


def dagbag(request: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag  # noqa: F401  (Airflow's import, timed)

    import_seconds = time.perf_counter() - started
    files: list[str] = request["files"]
    sample = files[: request.get("sample") or len(files)]
    warmup, _ = dagbag_pass(sample)
    found: dict[str, Any] = {"files": len(files), "import_seconds": import_seconds,
                             "warmup_seconds": warmup}
    if len(sample) < len(files):
        sample_seconds, _ = dagbag_pass(sample)
        estimate = sample_seconds / len(sample) * len(files)
        found["estimate_seconds"] = estimate
        if estimate > request["budget"]:
            return found | {"skipped": True}
    times = []
    for _ in range(request["repeats"]):
        seconds, counts = dagbag_pass(files)
        times.append(seconds)
        found |= counts
    return found | {"seconds": min(times), "all_seconds": times}


def _dates(request: dict[str, Any]) -> list[Any]:
    import pendulum

    return [pendulum.parse(d) for d in request["dates"]]


def dagtest(request: dict[str, Any]) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    dags_folder = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    dates = _dates(request)

    def test(dag_id: str, file: str, date: Any) -> tuple[float, dict[str, str]]:
        for old in dags_folder.iterdir():
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        copy = dags_folder / Path(file).name
        for needed in [file, *companions.get(dag_id, ())]:
            shutil.copy(needed, dags_folder / Path(needed).name)
        for data in _data_folders(Path(file).parent):  # templates such as sql/*.sql
            shutil.copytree(data, dags_folder / data.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        bag = DagBag(dag_folder=str(copy), safe_mode=False)  # not timed: Python's import
        dag = bag.dags[dag_id]
        started = time.perf_counter()
        run = dag.test(logical_date=date, run_after=date)
        seconds = time.perf_counter() - started
        return seconds, _states(run)

    dags_folder.mkdir(parents=True, exist_ok=True)
    companions: dict[str, list[str]] = request.get("companions", {})
    files: dict[str, str] = request["files"]
    warmup_dag = request["warmup"]
    warmup, _ = test(warmup_dag, files[warmup_dag], dates[-1].add(days=1))
    return {"warmup_seconds": warmup, "dags": _timed(files, dates, test)}


def _data_folders(folder: Path) -> list[Path]:
    """Sibling folders without Python code besides ``__init__.py`` (``sql/``): what DAG
    files read at run time, such as templates."""
    return [sub for sub in folder.iterdir() if sub.is_dir() and sub.name != "__pycache__"
            and all(py.name == "__init__.py" for py in sub.rglob("*.py"))]


def _states(run: Any) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {f"{ti.task_id}" + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""):
                str(getattr(ti.state, "value", ti.state))
                for ti in run.get_task_instances(session=session)}


def inprocess(request: dict[str, Any]) -> dict[str, Any]:
    from translators.execution import run_dags

    dates = _dates(request)

    def run(dag_id: str, file: str, date: Any) -> tuple[float, dict[str, str]]:
        started = time.perf_counter()
        result = run_dags(file, dag_id=dag_id, logical_date=date)
        seconds = time.perf_counter() - started
        states = {task: state for (_, task), state in result.task_states.items()}
        for (_, task), per_index in result.map_states.items():
            states.pop(task, None)
            states |= {f"{task}[{i}]": state for i, state in enumerate(per_index)}
        return seconds, states

    files: dict[str, str] = request["files"]
    warmup_dag = request["warmup"]
    warmup, _ = run(warmup_dag, files[warmup_dag], dates[-1].add(days=1))
    return {"warmup_seconds": warmup, "dags": _timed(files, dates, run)}


def _timed(files: dict[str, str], dates: list[Any], call: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for dag_id, file in files.items():
        times, states = [], {}
        try:
            for date in dates:
                seconds, states = call(dag_id, file, date)
                times.append(seconds)
        except Exception as exc:  # reported by the benchmark, never a crash
            found[dag_id] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            continue
        found[dag_id] = {"seconds": min(times), "all_seconds": times, "states": states}
    return found


def main() -> None:
    request = json.load(sys.stdin)
    warnings.filterwarnings("ignore")
    stdout = sys.stdout
    sys.stdout = sys.stderr  # DAG files and tasks that print cannot corrupt the result line
    try:
        found = {"dagbag": dagbag, "dagtest": dagtest, "inprocess": inprocess}[request["mode"]](
            request)
    finally:
        sys.stdout = stdout
    print("BENCH_JSON " + json.dumps(found), flush=True)


if __name__ == "__main__":
    main()
