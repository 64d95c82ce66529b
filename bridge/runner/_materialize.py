"""``materialize``: run assets in-process, in topological order, and record what happened."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from bridge._asset import Asset
from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._selection import select
from bridge._types import AssetOutcome, EventKind, RunStatus
from bridge.errors import RunInterruptedError, SelectionError
from bridge.io import InMemoryIOManager, InputContext
from bridge.runner._events import EventRecorder
from bridge.runner._execute import StepEnv, StepOutcome, execute_step
from bridge.runner._hooks import RunHooks
from bridge.runner._plan import RunPlan, Step, plan_run
from bridge.runner._result import AssetResult, RunResult
from bridge.runner._trigger import Upstream, Verdict, decide
from bridge.storage import RunRecord, Store, open_store

__all__ = ["RunOptions", "materialize", "process_tags", "run_is_orphaned"]


@dataclass(frozen=True)
class RunOptions:
    """Settings of a run that most callers leave alone."""

    #: run independent assets on this many threads (1 = in order on this thread)
    max_workers: int = 1
    hooks: Sequence[RunHooks] = ()
    run_id: str | None = None
    #: what is being run, recorded on the run (file, module or "python")
    target: str = "python"
    tags: Mapping[str, str] = field(default_factory=dict)
    #: re-execute only what failed or did not run in this earlier run
    from_failure: str | None = None
    backfill_id: str | None = None
    #: capture print() output of asset functions into their logs (single-threaded runs)
    capture_output: bool = True


def materialize(
    assets: Iterable[Asset] | AssetGraph,
    *,
    selection: str | Iterable[AssetKey | str] | None = None,
    resources: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    partition: str | None = None,
    store: Store | str | None = None,
    options: RunOptions | None = None,
) -> RunResult:
    """Materialize assets in-process and record the run.

    Args:
        assets: asset definitions (or a built AssetGraph).
        selection: a selection expression (``"+revenue"``) or keys; default everything.
        resources: named resources; ``io_manager`` defaults to an in-memory one.
        config: run config per asset key, validated against each asset's config model.
        partition: the partition key for partitioned assets.
        store: a Store, a SQLAlchemy URL, or None for a fresh in-memory store.
        options: rarely needed settings (threads, hooks, ``from_failure``...).

    Returns:
        A RunResult; user exceptions are reported in it, not raised.

    Raises:
        DefinitionError: bad definitions or selection (before anything runs).
        ConfigError, ResourceError, PartitionError: bad request (before anything runs).

    Examples:
        >>> from bridge import asset
        >>> @asset
        ... def numbers() -> list[int]: return [1, 2, 3]
        >>> @asset
        ... def total(numbers: list[int]) -> int: return sum(numbers)
        >>> result = materialize([numbers, total])
        >>> result.success, result.output_for("total")
        (True, 6)
    """
    options = options or RunOptions()
    graph = AssetGraph.from_assets(assets)
    all_resources = {"io_manager": InMemoryIOManager(), **(resources or {})}
    owns_store = not isinstance(store, Store)
    run_store = open_store(store)
    try:
        keys, partition = _requested_keys(graph, selection, partition, run_store, options)
        plan = plan_run(graph, keys, partition=partition, config=config or {},
                        resources=all_resources)
        return _Run(graph, plan, run_store, options, keys, partition).execute()
    finally:
        if owns_store:
            run_store.close()


def process_tags() -> dict[str, str]:
    """Tags that say which process runs a run, so a crashed run can be recognised later."""
    return {"host": socket.gethostname(), "pid": str(os.getpid())}


def run_is_orphaned(run: RunRecord) -> bool:
    """True for a run still marked running whose process on this host is gone (crashed)."""
    if run.status is not RunStatus.RUNNING or run.tags.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(run.tags.get("pid", "0")), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _requested_keys(
    graph: AssetGraph,
    selection: str | Iterable[AssetKey | str] | None,
    partition: str | None,
    store: Store,
    options: RunOptions,
) -> tuple[frozenset[AssetKey], str | None]:
    if options.from_failure is None:
        if selection is None or isinstance(selection, str):
            keys = select(graph, selection)
        else:
            keys = frozenset(graph.find(str(key)) for key in selection)
        return frozenset(k for k in keys if not graph.definition(k).is_source), partition
    parent = store.get_run(options.from_failure)
    if parent is None:
        raise SelectionError(f"no run {options.from_failure!r} in {store!r}; see the run ids "
                             "printed by assetbridge run")
    done = {e.asset_key for e in store.events_for_run(parent.run_id)
            if e.kind is EventKind.MATERIALIZATION}
    remaining = [key for key in parent.selection if key not in done]
    return frozenset(graph.find(key) for key in remaining), parent.partition


class _Run:
    """One execution of a plan: the scheduling loop and the bookkeeping around it."""

    def __init__(self, graph: AssetGraph, plan: RunPlan, store: Store, options: RunOptions,
                 keys: frozenset[AssetKey], partition: str | None) -> None:
        self.graph, self.plan, self.store, self.options = graph, plan, store, options
        self.run_id = options.run_id or uuid.uuid4().hex[:12]
        self.record = RunRecord(
            run_id=self.run_id, status=RunStatus.RUNNING, started_at=time.time(),
            target=options.target, selection=tuple(sorted(str(k) for k in keys)),
            partition=partition, parent_run_id=options.from_failure,
            backfill_id=options.backfill_id,
            tags={**dict(options.tags), **process_tags()},
        )
        self.results: dict[AssetKey, AssetResult] = {}
        #: assets a finished step asked to skip -> the asset that asked
        self.branch_skips: dict[AssetKey, AssetKey] = {}
        self.recorder = EventRecorder(store, self.run_id)

    def execute(self) -> RunResult:
        self.store.add_run(self.record)
        keys = [spec.key for step in self.plan.steps for spec in step.specs]
        for hook in self.options.hooks:
            hook.on_run_start(run_id=self.run_id, keys=keys)
        try:
            with self.recorder:
                env = self._env()
                if self.options.max_workers > 1:
                    self._run_threaded(env)
                else:
                    for step in self.plan.steps:
                        self._run_step(step, env)
        except KeyboardInterrupt:
            self._finish(RunStatus.INTERRUPTED)
            raise RunInterruptedError(self.run_id) from None
        except BaseException:
            self._finish(RunStatus.FAILED)
            raise
        failed = any(r.outcome is AssetOutcome.FAILED or r.upstream_failed
                     for r in self.results.values())
        return self._finish(RunStatus.FAILED if failed else RunStatus.SUCCESS)

    def _env(self) -> StepEnv:
        in_run = {spec.key for step in self.plan.steps for spec in step.specs}
        upstream = {key for step in self.plan.steps for key in step.upstream}
        partitioned = [k for k in upstream if self.graph.spec(k).partitions is not None]
        self.recorder.prefetch(upstream - in_run, partitioned)
        specs = {key: self.graph.spec(key) for key in self.plan.io_managers}
        return StepEnv(self.run_id, specs, self.plan.io_managers, self.recorder.partitions_of,
                       capture_output=self.options.capture_output
                       and self.options.max_workers == 1)

    def _verdict(self, step: Step) -> Verdict:
        branch = next((self.branch_skips[k] for k in step.definition.keys
                       if k in self.branch_skips), None)
        if branch is not None:
            return Verdict(False, reason=f"skipped by {str(branch)!r}")
        upstream = [Upstream(str(key), result.outcome, result.upstream_failed)
                    for key in sorted(step.upstream)
                    if (result := self.results.get(key)) is not None]
        return decide(step.specs[0].trigger_rule, upstream)

    def _run_step(self, step: Step, env: StepEnv) -> None:
        verdict = self._verdict(step)
        if not verdict.run:
            self._skip(step, verdict)
            return
        for hook in self.options.hooks:
            hook.before_asset(key=step.definition.key, run_id=self.run_id)
        self._record(step, execute_step(step, env))

    def _run_threaded(self, env: StepEnv) -> None:
        remaining = list(self.plan.steps)
        running: dict[Future[StepOutcome], Step] = {}
        producing = {spec.key: step for step in remaining for spec in step.specs}
        with ThreadPoolExecutor(max_workers=self.options.max_workers) as pool:
            while remaining or running:
                for step in list(remaining):
                    if len(running) >= self.options.max_workers:
                        break
                    waiting = [k for k in step.upstream
                               if k in producing and k not in self.results]
                    if waiting:
                        continue
                    remaining.remove(step)
                    verdict = self._verdict(step)
                    if not verdict.run:
                        self._skip(step, verdict)
                        continue
                    for hook in self.options.hooks:
                        hook.before_asset(key=step.definition.key, run_id=self.run_id)
                    running[pool.submit(execute_step, step, env)] = step
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    self._record(running.pop(future), future.result())

    def _record(self, step: Step, outcome: StepOutcome) -> None:
        for key in outcome.skip_downstream:
            self.branch_skips.setdefault(key, step.definition.key)
        if outcome.skipped:
            self._skip(step, Verdict(False, reason=(outcome.error or "skipped")
                                     .removeprefix("skipped: ")), outcome)
            return
        consumed = self.recorder.consumed(step)
        for spec in step.specs:
            result = AssetResult(
                spec.key, AssetOutcome.SUCCESS if outcome.ok else AssetOutcome.FAILED,
                step.partition, outcome.seconds, outcome.error, outcome.traceback,
                outcome.logs, outcome.attempts, outcome.exception,
            )
            self.recorder.record(spec, step, outcome, consumed)
            self._done(result)

    def _skip(self, step: Step, verdict: Verdict, outcome: StepOutcome | None = None) -> None:
        reason = verdict.reason or "skipped"
        for spec in step.specs:
            self.recorder.skipped(spec, step.partition, reason)
            self._done(AssetResult(
                spec.key, AssetOutcome.SKIPPED, step.partition,
                outcome.seconds if outcome else 0.0, error=f"skipped: {reason}",
                logs=outcome.logs if outcome else None,
                upstream_failed=verdict.upstream_failed))

    def _done(self, result: AssetResult) -> None:
        self.results[result.key] = result
        for hook in self.options.hooks:
            hook.after_asset(result=result, run_id=self.run_id)

    def _finish(self, status: RunStatus) -> RunResult:
        self.recorder.flush()
        self.store.finish_run(self.run_id, status, time.time())
        result = RunResult(self.run_id, status, dict(self.results), self._load)
        for hook in self.options.hooks:
            hook.on_run_end(result=result)
        return result

    def _load(self, key: AssetKey, partition: str | None) -> Any:
        spec = self.graph.spec(key)
        return self.plan.io_managers[key].load_input(InputContext(key, spec, partition))
