"""Benchmark of the in-process runner, with Dagster and Airflow as peers; prints a report.

Run: ``python tests/benchmarks/bench_runner.py`` (``--no-peers`` skips Dagster/Airflow).
Peers need the bench extra: ``pip install -e '.[bench]'``. Always exits 0: it is a report.

What is timed:
- assetbridge: ``materialize(assets, store=...)`` on already-decorated assets. This includes
  building the graph (reported on its own too), planning, running and recording. The SQLite
  store is opened on a fresh file (schema created) before timing and reused by the repeats,
  as a project's runs.db would be. One warm-up run of each store kind comes first, so
  imports are not timed.
- Dagster: ``materialize_to_memory`` of the same 50-asset chain (console log level ERROR),
  best of 3 after one warm-up run, in this process.
- Airflow: ``dag.test()`` of a 50-task TaskFlow chain in a subprocess, against a migrated
  SQLite metadata DB (log level WARNING): best of 3 identical DAGs after a warm-up one.
  ``dag.test()`` includes Airflow's own parse/serialize of the DAG file into its DB.
Memory: tracemalloc peak during a separate ``materialize`` run (Python allocations only;
SQLite's own C allocations are not traced); it is not the run whose time is reported.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bridge import Asset, AssetGraph, InMemoryStore, SqlStore, Store, asset, materialize

HERE = Path(__file__).resolve().parent
SIZES = (50, 1_000, 10_000)
DAGSTER_TARGET = 50.0  # Dagster time / assetbridge in-memory 50-chain time, at least
AIRFLOW_TARGET = 500.0  # Airflow dag.test() time / assetbridge SQLite 50-chain time, at least
HELP_TARGET = 0.3  # seconds for `assetbridge --help`, at most
SCALE_TARGET = 2.0  # seconds for 10,000 assets with events persisted to SQLite, at most
PEER_N = 50
PEER_REPEATS = 3  # best of, after one warm-up run (Dagster and Airflow alike)


def build_assets(shape: str, n: int) -> list[Asset]:
    """A chain a0 -> a1 -> ... or a fan-out a0 -> {a1..a(n-1)} of trivial assets."""

    def root() -> int:
        return 0

    def step(up: int) -> int:
        return up + 1

    assets = [asset(name="a0")(root)]
    for i in range(1, n):
        upstream = f"a{i - 1}" if shape == "chain" else "a0"
        assets.append(asset(name=f"a{i}", ins={"up": upstream})(step))
    return assets


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms" if seconds < 10 else f"{seconds:9.2f} s "


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


class Bench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.files = 0

    def sqlite_store(self) -> SqlStore:
        self.files += 1
        return SqlStore(f"sqlite:///{self.workdir / f'runs{self.files}.db'}")

    def store(self, kind: str) -> Store:
        return InMemoryStore() if kind == "memory" else self.sqlite_store()

    def run(self, assets: list[Asset], kind: str) -> float:
        """Best-of wall time of one materialize; raises if a run fails.

        The SQLite store is one file opened once and reused by the repeats, like a
        project's runs.db in daily use (Airflow's dag.test() likewise reuses its metadata
        DB and engine); each repeat is a new run that appends its events.
        """
        repeats = 10 if len(assets) <= 50 else 3 if len(assets) <= 1_000 else 1
        best = float("inf")
        store = self.store(kind)
        for _ in range(repeats):
            gc.collect()
            started = time.perf_counter()
            result = materialize(assets, store=store)
            best = min(best, time.perf_counter() - started)
            if not result.success:
                raise RuntimeError(f"materialize failed ({kind}, {len(assets)} assets)")
        store.close()
        return best

    def peak_mib(self, assets: list[Asset], kind: str) -> float:
        store = self.store(kind)
        gc.collect()
        tracemalloc.start()
        try:
            materialize(assets, store=store)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            store.close()
        return peak / 2**20


def bench_assetbridge(bench: Bench) -> dict[tuple[str, int, str], float]:
    warm = build_assets("chain", 10)
    for kind in ("memory", "sqlite"):
        bench.run(warm, kind)
    open_s, _ = best_of(5, lambda: bench.sqlite_store().close())
    print(f"(SqlStore open on a fresh file, schema created, not in the figures: "
          f"{open_s * 1000:.1f} ms)\n")
    print(f"{'shape':<8}{'assets':>7}  {'store':<7}{'graph build':>13}{'materialize':>14}"
          f"{'per asset':>12}{'py peak':>11}")
    times: dict[tuple[str, int, str], float] = {}
    for shape in ("chain", "fanout"):
        for n in SIZES:
            assets = build_assets(shape, n)
            graph_s, _ = best_of(3 if n < 10_000 else 1, partial(AssetGraph.from_assets, assets))
            for kind in ("memory", "sqlite"):
                seconds = bench.run(assets, kind)
                peak = bench.peak_mib(assets, kind)
                times[(shape, n, kind)] = seconds
                print(f"{shape:<8}{n:>7,}  {kind:<7}{fmt_s(graph_s):>13}{fmt_s(seconds):>14}"
                      f"{seconds / n * 1e6:>9.1f} us{peak:>7.1f} MiB", flush=True)
    return times


def bench_dagster(n: int) -> float:
    import dagster as dg

    warnings.filterwarnings("ignore")

    def root() -> int:
        return 0

    def step(up: int) -> int:
        return up + 1

    assets = [dg.asset(name="a0")(root)]
    for i in range(1, n):
        assets.append(dg.asset(name=f"a{i}", ins={"up": dg.AssetIn(key=f"a{i - 1}")})(step))
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}

    def run() -> Any:
        result = dg.materialize_to_memory(assets, run_config=quiet)
        if not result.success or result.output_for_node(f"a{n - 1}") != n - 1:
            raise RuntimeError("Dagster run failed")
        return result

    run()  # warm-up
    seconds, _ = best_of(PEER_REPEATS, run)
    return seconds


def bench_airflow(n: int, workdir: Path) -> dict[str, Any]:
    home = workdir / "airflow"
    env = dict(os.environ, AIRFLOW_HOME=str(home),
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
               AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"),
               AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING")
    home.mkdir(parents=True, exist_ok=True)
    migrate = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                             capture_output=True, text=True)
    if migrate.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed: {migrate.stderr[-2000:]}")
    proc = subprocess.run([sys.executable, str(HERE / "_airflow_chain.py"), str(n),
                           str(PEER_REPEATS)], env=env, capture_output=True, text=True, cwd=home)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"Airflow run failed: {(proc.stderr or proc.stdout)[-2000:]}")
    found: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    if set(found["states"]) != {"success"}:
        raise RuntimeError(f"Airflow DAG runs ended {found['states']}")
    return found


def bench_peers(times: dict[tuple[str, int, str], float], workdir: Path) -> list[bool]:
    has_dagster = importlib.util.find_spec("dagster") is not None
    has_airflow = importlib.util.find_spec("airflow") is not None
    if not (has_dagster or has_airflow):
        print("peers not measured: dagster and apache-airflow are not installed; "
              "install them with: pip install -e '.[bench]'")
        return []
    ours_mem, ours_sql = times[("chain", PEER_N, "memory")], times[("chain", PEER_N, "sqlite")]
    verdicts = []
    if has_dagster:
        try:
            dagster_s = bench_dagster(PEER_N)
            print(f"Dagster materialize_to_memory, {PEER_N}-asset chain "
                  f"(best of {PEER_REPEATS}): {fmt_s(dagster_s).strip()}")
            verdicts.append(ratio_line(dagster_s, "in-memory", ours_mem, DAGSTER_TARGET))
        except Exception as exc:  # report, do not crash the report
            verdicts.append(False)
            print(f"Dagster not measured: {exc}")
    else:
        print("Dagster not measured: not installed (pip install -e '.[bench]')")
    if has_airflow:
        try:
            found = bench_airflow(PEER_N, workdir)
            runs = ", ".join(f"{x:.2f}" for x in found["all_seconds"])
            print(f"Airflow dag.test(), {PEER_N}-task TaskFlow chain (best of {runs} s; warm-up "
                  f"{found['warmup_seconds']:.2f} s): {fmt_s(found['seconds']).strip()}")
            verdicts.append(ratio_line(found["seconds"], "SQLite", ours_sql, AIRFLOW_TARGET))
        except Exception as exc:
            verdicts.append(False)
            print(f"Airflow not measured: {exc}")
    else:
        print("Airflow not measured: not installed (pip install -e '.[bench]')")
    return verdicts


PROBE = """
import contextlib, io, json, sys
sys.argv = ["assetbridge", "--help"]
import bridge, bridge.cli
with contextlib.redirect_stdout(io.StringIO()):
    try:
        bridge.cli.main()
    except SystemExit:
        pass
heavy = ("airflow", "dagster", "sqlalchemy", "networkx", "pydantic", "rich")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(heavy))))
"""


def ratio_line(peer_s: float, store: str, ours_s: float, target: float) -> bool:
    ratio = peer_s / ours_s
    print(f"  ratio to assetbridge {store} {PEER_N}-chain ({fmt_s(ours_s).strip()}): "
          f"{ratio:,.0f}x  target >= {target:.0f}x  {verdict(ratio >= target)}")
    return ratio >= target


def bench_cli() -> list[bool]:
    script = Path(sys.executable).parent / "assetbridge"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bridge.cli"]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                           check=True)
    loaded = json.loads(probe.stdout.strip().splitlines()[-1])
    no_airflow = "airflow" not in loaded
    print(f"`assetbridge --help` wall time (subprocess, best of 5): {fmt_s(best)}"
          f"  target <= {HELP_TARGET} s  {verdict(best <= HELP_TARGET)}")
    print(f"airflow imported by `import bridge, bridge.cli` + --help: {not no_airflow}"
          f"  target: not imported  {verdict(no_airflow)}"
          f"  (heavy modules loaded: {', '.join(loaded) or 'none'})")
    return [best <= HELP_TARGET, no_airflow]


def scale_line(times: dict[tuple[str, int, str], float], shape: str) -> bool:
    """The 10,000-asset target: at most 2 s with events persisted to SQLite."""
    seconds = times[(shape, 10_000, "sqlite")]
    ok = seconds <= SCALE_TARGET
    print(f"  10,000-asset {shape}, SQLite store: {fmt_s(seconds)}  "
          f"target <= {SCALE_TARGET:.0f} s  {verdict(ok)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peers", action="store_true", help="skip Dagster and Airflow")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"assetbridge runner benchmark  (python {sys.version.split()[0]}, {sys.platform}, "
          f"{os.cpu_count()} CPUs, load average {load})")
    print("wall time = best of 10 (50 assets) / 3 (1,000) / 1 run (10,000) of materialize(); "
          "py peak = tracemalloc peak of a separate run\n")
    with tempfile.TemporaryDirectory(prefix="assetbridge-bench-") as tmp:
        workdir = Path(tmp)
        print("== 1. assetbridge materialize ==")
        times = bench_assetbridge(Bench(workdir))
        scale_verdicts = [scale_line(times, shape) for shape in ("chain", "fanout")]
        print("\n== 2. peers: the same 50-asset chain, measured in this run ==")
        verdicts = [] if args.no_peers else bench_peers(times, workdir)
        if args.no_peers:
            print("peers skipped (--no-peers)")
    print("\n== 3. CLI start-up ==")
    verdicts += scale_verdicts + bench_cli()
    passed = sum(verdicts)
    print(f"\nSUMMARY: {passed}/{len(verdicts)} targets met"
          f"{'' if passed == len(verdicts) else ' (see MISS lines above)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
