"""The store stays right when runs crash, run at the same time, or are interrupted.

- a backfill killed with SIGKILL at a random point resumes and materializes every partition
  exactly once;
- two runs writing to one SQLite store at the same time (two processes, or two threaded runs
  in one process) lose no events;
- Ctrl-C (KeyboardInterrupt in an asset, or SIGINT to ``assetbridge run``) marks the run
  interrupted, keeps the events of finished assets, and ``from_failure`` finishes the rest.

Everything runs against real SQLite files; the CLI runs in real subprocesses.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bridge import (
    AssetContext,
    AssetOutcome,
    DailyPartitions,
    FilesystemIOManager,
    RunOptions,
    RunStatus,
    SqlStore,
    asset,
    backfill,
    materialize,
)
from bridge._loading import load_target
from bridge._types import EventKind
from bridge.errors import RunInterruptedError

PARTITIONS = [f"2026-01-{day:02d}" for day in range(1, 31)]
CLI = [sys.executable, "-c", "from bridge.cli import main; main()"]

DAILY_MODULE = '''
"""A daily-partitioned asset that takes a moment per partition."""
import time

from bridge import AssetContext, DailyPartitions, asset


@asset(partitions=DailyPartitions(start="2026-01-01"))
def daily(context: AssetContext) -> str:
    time.sleep(0.03)
    return f"value of {context.partition}"
'''


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ASSETBRIDGE_HOME": str(tmp_path / "home"),
            "PYTHONUNBUFFERED": "1"}


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Read the store with plain sqlite3, as a second process would (returns [] before the
    schema exists)."""
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise


def count_materializations(db: Path) -> int:
    rows = query(db, "SELECT COUNT(*) FROM ab_asset_events WHERE kind = 'materialization'")
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str],
               timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"process ended early ({process.returncode}):\n{out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("timed out waiting for the subprocess")
        time.sleep(0.002)


# --- a. crash in the middle of a backfill ----------------------------------------------------


@pytest.mark.parametrize("attempt", [0, 1, 2])
def test_a_backfill_killed_at_a_random_point_resumes_exactly_once(
    tmp_path: Path, attempt: int
) -> None:
    seed = int(os.environ.get("ASSETBRIDGE_CRASH_SEED", random.randrange(2**32))) + attempt
    print(f"crash seed {seed} (set ASSETBRIDGE_CRASH_SEED={seed - attempt} to repeat)")
    rng = random.Random(seed)
    kill_after, extra_delay = rng.randint(1, 24), rng.uniform(0.0, 0.04)
    module = tmp_path / "daily.py"
    module.write_text(DAILY_MODULE)
    db = tmp_path / "runs.db"
    command = [*CLI, "backfill", str(module), "--select", "*", "--from", PARTITIONS[0],
               "--to", PARTITIONS[-1], "--store", f"sqlite:///{db}"]

    first = subprocess.Popen(command, env=cli_env(tmp_path), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    wait_until(lambda: count_materializations(db) >= kill_after, first)
    time.sleep(extra_delay)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    done_before = count_materializations(db)
    assert kill_after <= done_before < len(PARTITIONS), "the kill did not land mid-backfill"
    [(backfill_id, status)] = query(db, "SELECT backfill_id, status FROM ab_backfills")
    assert status == "running"  # the crashed process never got to finish it

    second = subprocess.run([*command, "--json"], env=cli_env(tmp_path), capture_output=True,
                            text=True, timeout=120, check=False)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert report["backfill_id"] == backfill_id
    assert report["resumed"] is True and report["success"] is True
    states = report["partitions"]
    assert sorted(states) == PARTITIONS
    assert sum(s == "already materialized" for s in states.values()) == done_before
    assert sum(s == "materialized" for s in states.values()) == len(PARTITIONS) - done_before
    assert len(report["runs"]) == len(PARTITIONS) - done_before

    per_partition = dict(query(db, "SELECT partition, COUNT(*) FROM ab_asset_events "
                                   "WHERE kind = 'materialization' GROUP BY partition"))
    assert per_partition == dict.fromkeys(PARTITIONS, 1)
    assert query(db, "SELECT COUNT(*) FROM ab_asset_events WHERE kind != 'materialization'") \
        == [(0,)]
    assert query(db, "SELECT status FROM ab_backfills") == [("success",)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]

    store = SqlStore(f"sqlite:///{db}")
    try:
        assert store.get_backfill(backfill_id).status is RunStatus.SUCCESS  # type: ignore[union-attr]
        runs = store.backfill_runs(backfill_id)
        succeeded = [str(r.partition) for r in runs if r.status is RunStatus.SUCCESS]
        assert len(succeeded) == len(set(succeeded)), "a partition succeeded twice"
        # the one run the kill cut short is found on resume and marked interrupted (its
        # process is gone); whatever it did record is counted exactly once above. If the kill
        # landed after its materialization committed but before the run was closed, its
        # partition is "already materialized" on resume and no later run succeeds for it.
        cut_short = [r for r in runs if r.status is not RunStatus.SUCCESS]
        assert len(cut_short) <= 1
        assert all(r.status is RunStatus.INTERRUPTED for r in cut_short)
        assert sorted({*succeeded, *(str(r.partition) for r in cut_short)}) == PARTITIONS
    finally:
        store.close()


# --- b. concurrent runs into one SQLite store -----------------------------------------------


def write_wide_module(path: Path, pairs: int, runs: int = 2) -> list[str]:
    """``pairs`` independent sources, each with one downstream asset: 2 * pairs assets.

    The first source waits until ``runs`` runs have started it (a marker file per run id),
    so the runs are guaranteed to overlap; every asset takes a few milliseconds, so each run
    writes its events in several batches while the other one is writing too.
    """
    markers = path.parent / f"{path.stem}-started"
    blocks = [textwrap.dedent(f"""
        import time
        from pathlib import Path

        from bridge import AssetContext, asset

        MARKERS = Path({str(markers)!r})


        @asset
        def src_000(context: AssetContext) -> int:
            MARKERS.mkdir(exist_ok=True)
            (MARKERS / context.run_id).touch()
            deadline = time.monotonic() + 60
            while len(list(MARKERS.iterdir())) < {runs} and time.monotonic() < deadline:
                time.sleep(0.005)
            return 0
        """)]
    for i in range(pairs):
        source = "" if i == 0 else textwrap.dedent(f"""
            @asset
            def src_{i:03d}() -> int:
                time.sleep(0.002)
                return {i}
            """)
        blocks.append(source + textwrap.dedent(f"""
            @asset
            def out_{i:03d}(src_{i:03d}: int) -> int:
                time.sleep(0.002)
                return src_{i:03d} + 1
            """))
    path.write_text("\n\n".join(blocks))
    return sorted([f"src_{i:03d}" for i in range(pairs)] + [f"out_{i:03d}" for i in range(pairs)])


def assert_complete_runs(db: Path, run_ids: list[str], keys: list[str]) -> None:
    assert len(set(run_ids)) == len(run_ids)
    rows = query(db, "SELECT run_id, asset_key, kind FROM ab_asset_events")
    assert len(rows) == len(run_ids) * len(keys)
    assert {kind for _, _, kind in rows} == {"materialization"}
    for run_id in run_ids:
        assert sorted(key for rid, key, _ in rows if rid == run_id) == keys, run_id
    ids = [row[0] for row in query(db, "SELECT event_id FROM ab_asset_events")]
    assert len(set(ids)) == len(ids)
    runs = {rid: rest for rid, *rest in query(
        db, "SELECT run_id, status, started_at, finished_at FROM ab_runs")}
    assert sorted(runs) == sorted(run_ids)
    assert {status for status, _, _ in runs.values()} == {"success"}
    (_, start_1, end_1), (_, start_2, end_2) = runs.values()
    assert start_1 < end_2 and start_2 < end_1  # type: ignore[operator] # they overlapped


def test_two_processes_running_into_one_sqlite_store_lose_no_events(tmp_path: Path) -> None:
    module = tmp_path / "wide.py"
    keys = write_wide_module(module, pairs=150)
    db = tmp_path / "runs.db"
    command = [*CLI, "run", str(module), "--store", f"sqlite:///{db}", "--json"]
    processes = [subprocess.Popen(command, env=cli_env(tmp_path), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    reports = [json.loads(out) for out, _ in outputs]
    for report in reports:
        assert report["success"] is True
        assert sorted(a["key"] for a in report["assets"]) == keys
        assert {a["outcome"] for a in report["assets"]} == {"success"}
    assert_complete_runs(db, [r["run_id"] for r in reports], keys)


@pytest.mark.parametrize("shared_store", [False, True], ids=["url-each", "one-store-object"])
def test_two_threaded_runs_in_one_process_lose_no_events(tmp_path: Path,
                                                         shared_store: bool) -> None:
    module = tmp_path / "wide_threads.py"
    keys = write_wide_module(module, pairs=150)
    assets = load_target(str(module)).assets
    db = tmp_path / "runs.db"
    url = f"sqlite:///{db}"
    store = SqlStore(url) if shared_store else None
    results: dict[int, object] = {}

    def run(index: int) -> None:
        try:
            results[index] = materialize(assets, store=store or url,
                                         options=RunOptions(max_workers=4))
        except BaseException as exc:  # reported by the assertions below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if store is not None:
        store.close()
    run_ids = []
    for index in range(2):
        result = results[index]
        assert not isinstance(result, BaseException), repr(result)
        assert result.success, [r.error for r in result.failures]  # type: ignore[attr-defined]
        assert sorted(str(k) for k in result.assets) == keys  # type: ignore[attr-defined]
        assert result.output_for("out_149") == 150  # type: ignore[attr-defined]
        run_ids.append(result.run_id)  # type: ignore[attr-defined]
    assert_complete_runs(db, run_ids, keys)


# --- c. Ctrl-C ------------------------------------------------------------------------------


def test_keyboard_interrupt_in_an_asset_marks_the_run_interrupted_and_resumes(
    tmp_path: Path,
) -> None:
    calls: list[str] = []
    interrupt = [True]

    @asset
    def a() -> int:
        calls.append("a")
        return 1

    @asset
    def b(a: int) -> int:
        calls.append("b")
        return a + 1

    @asset
    def c(b: int) -> int:
        calls.append("c")
        if interrupt[0]:
            interrupt[0] = False
            raise KeyboardInterrupt
        return b + 1

    @asset
    def d(c: int) -> int:
        calls.append("d")
        return c + 1

    @asset
    def e(d: int) -> int:
        calls.append("e")
        return d + 1

    assets = [a, b, c, d, e]
    db = tmp_path / "runs.db"
    store = SqlStore(f"sqlite:///{db}")
    resources = {"io_manager": FilesystemIOManager(tmp_path / "values")}
    try:
        with pytest.raises(RunInterruptedError, match="interrupted; re-run with --from-failure")\
                as raised:
            materialize(assets, store=store, resources=resources)
        run_id = raised.value.run_id
        assert calls == ["a", "b", "c"]
        interrupted = store.get_run(run_id)
        assert interrupted is not None and interrupted.status is RunStatus.INTERRUPTED
        assert interrupted.finished_at is not None
        assert interrupted.selection == ("a", "b", "c", "d", "e")
        events = store.events_for_run(run_id)
        assert [(ev.asset_key, ev.kind) for ev in events] == [
            ("a", EventKind.MATERIALIZATION), ("b", EventKind.MATERIALIZATION)]

        calls.clear()
        resumed = materialize(assets, store=store, resources=resources,
                              options=RunOptions(from_failure=run_id))
        assert resumed.success
        assert calls == ["c", "d", "e"]
        assert list(map(str, resumed.assets)) == ["c", "d", "e"]
        assert all(r.outcome is AssetOutcome.SUCCESS for r in resumed.assets.values())
        assert resumed.output_for("e") == 5
        record = store.get_run(resumed.run_id)
        assert record is not None and record.parent_run_id == run_id
        assert record.status is RunStatus.SUCCESS
        new_events = store.events_for_run(resumed.run_id)
        assert [ev.asset_key for ev in new_events] == ["c", "d", "e"]
        assert new_events[0].upstream["b"]["run_id"] == run_id  # c read b from the first run
        latest = store.latest_events(EventKind.MATERIALIZATION)
        assert {k: ev.run_id for k, ev in latest.items()} == {
            "a": run_id, "b": run_id, "c": resumed.run_id, "d": resumed.run_id,
            "e": resumed.run_id}
    finally:
        store.close()
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_an_interrupted_backfill_with_a_fan_in_asset_resumes_where_it_stopped(
    tmp_path: Path,
) -> None:
    interrupt_at = ["2026-01-03"]

    @asset(partitions=DailyPartitions(start="2026-01-01"))
    def daily(context: AssetContext) -> str:
        if context.partition in interrupt_at:
            interrupt_at.clear()
            raise KeyboardInterrupt
        return str(context.partition)

    @asset
    def summary(daily: dict[str, str]) -> int:  # unpartitioned: its events have no partition
        return len(daily)

    db = tmp_path / "runs.db"
    store = SqlStore(f"sqlite:///{db}")
    resources = {"io_manager": FilesystemIOManager(tmp_path / "values")}
    partitions = PARTITIONS[:5]
    try:
        with pytest.raises(RunInterruptedError):
            backfill([daily, summary], selection=None, start=partitions[0], end=partitions[-1],
                     store=store, resources=resources)
        [(backfill_id, status)] = query(db, "SELECT backfill_id, status FROM ab_backfills")
        assert status == "interrupted"

        resumed = backfill([daily, summary], selection=None, start=partitions[0],
                           end=partitions[-1], store=store, resources=resources)
        assert resumed.backfill_id == backfill_id and resumed.resumed and resumed.success
        assert resumed.unpartitioned == {"after": "materialized"}
        assert resumed.partitions == {
            "2026-01-01": "already materialized", "2026-01-02": "already materialized",
            "2026-01-03": "materialized", "2026-01-04": "materialized",
            "2026-01-05": "materialized"}
        assert store.get_backfill(backfill_id).status is RunStatus.SUCCESS  # type: ignore[union-attr]

        again = backfill([daily, summary], selection=None, start=partitions[0],
                         end=partitions[-1], store=store, resources=resources)
        assert again.run_ids == []
        assert set(again.partitions.values()) == {"already materialized"}
    finally:
        store.close()
    daily_counts = dict(query(db, "SELECT partition, COUNT(*) FROM ab_asset_events WHERE "
                                  "asset_key = 'daily' AND kind = 'materialization' "
                                  "GROUP BY partition"))
    assert daily_counts == dict.fromkeys(partitions, 1)
    summary_runs = query(db, "SELECT r.partition FROM ab_asset_events e JOIN ab_runs r "
                             "ON e.run_id = r.run_id WHERE e.asset_key = 'summary' "
                             "AND e.kind = 'materialization' ORDER BY r.partition")
    # the unpartitioned fan-in runs once, after all partitions, outside any partition
    assert [p for p, in summary_runs] == [None]


SLOW_CHAIN_MODULE = '''
"""Five assets in a chain, each taking a moment."""
import time

from bridge import asset


@asset
def first() -> int:
    time.sleep(0.3)
    return 1


@asset
def second(first: int) -> int:
    time.sleep(0.3)
    return first + 1


@asset
def third(second: int) -> int:
    time.sleep(0.3)
    return second + 1


@asset
def fourth(third: int) -> int:
    time.sleep(0.3)
    return third + 1


@asset
def fifth(fourth: int) -> int:
    time.sleep(0.3)
    return fourth + 1
'''


def test_sigint_to_assetbridge_run_exits_130_and_marks_the_run_interrupted(
    tmp_path: Path,
) -> None:
    module = tmp_path / "chain.py"
    module.write_text(SLOW_CHAIN_MODULE)
    db = tmp_path / "runs.db"
    store_args = ["--store", f"sqlite:///{db}"]
    process = subprocess.Popen([*CLI, "run", str(module), *store_args],
                               env=cli_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    wait_until(lambda: count_materializations(db) >= 1, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "--from-failure" in err
    assert "Traceback" not in err

    [(run_id, status, finished_at)] = query(db, "SELECT run_id, status, finished_at FROM ab_runs")
    assert status == "interrupted" and finished_at is not None
    assert f"--from-failure {run_id}" in err
    done = [key for key, in query(db, "SELECT asset_key FROM ab_asset_events WHERE run_id = ? "
                                       "AND kind = 'materialization' ORDER BY event_id", run_id)]
    chain = ["first", "second", "third", "fourth", "fifth"]
    assert 1 <= len(done) < 5 and done == chain[: len(done)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]

    resumed = subprocess.run([*CLI, "run", str(module), *store_args, "--from-failure", run_id,
                              "--json"], env=cli_env(tmp_path), capture_output=True, text=True,
                             timeout=60, check=False)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["success"] is True
    assert sorted(a["key"] for a in report["assets"]) == sorted(chain[len(done):])
    statuses = dict(query(db, "SELECT run_id, status FROM ab_runs"))
    assert statuses == {run_id: "interrupted", report["run_id"]: "success"}
