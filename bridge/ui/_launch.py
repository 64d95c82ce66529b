"""Runs launched from the UI: ordinary bridge runs (``materialize``, ``backfill``,
``run_dags``) on one background thread, recorded in the same store as CLI runs.

Launches queue on a single worker thread: the runner captures ``print`` output by
redirecting the process's stdout, which two concurrent runs would interleave.
"""

from __future__ import annotations

import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bridge._keys import AssetKey
from bridge.errors import BridgeError
from bridge.storage import Store
from bridge.ui._project import Source

__all__ = ["Launch", "Launcher"]


@dataclass
class Launch:
    """One request to run something, and what became of it."""

    launch_id: str
    target: str
    #: "queued", "running", "done" or "error" (the run could not start)
    state: str = "queued"
    run_id: str | None = None
    backfill_id: str | None = None
    error: str | None = None
    run_ids: list[str] = field(default_factory=list)


class _RunIdHook:
    """Remembers the run ids of a launch as the runner starts them."""

    def __init__(self, launch: Launch) -> None:
        self.launch = launch

    def on_run_start(self, *, run_id: str, **_: Any) -> None:
        self.launch.run_ids.append(run_id)
        self.launch.run_id = self.launch.run_id or run_id

    def before_asset(self, **_: Any) -> None:
        """Nothing to do per asset."""

    def after_asset(self, **_: Any) -> None:
        """Nothing to do per asset."""

    def on_run_end(self, **_: Any) -> None:
        """Nothing to do at the end."""


class Launcher:
    """Starts runs in the background and remembers their launches."""

    def __init__(self, store: Store, home: Any) -> None:
        self.store = store
        self.home = home
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assetbridge-ui-run")
        self._lock = threading.Lock()
        self._launches: dict[str, Launch] = {}

    def get(self, launch_id: str) -> Launch | None:
        """A launch by id."""
        with self._lock:
            return self._launches.get(launch_id)

    def for_run(self, run_id: str) -> Launch | None:
        """The launch that will record ``run_id``, while it has not started yet."""
        with self._lock:
            return next((x for x in self._launches.values() if x.run_id == run_id), None)

    def for_backfill(self, backfill_id: str) -> Launch | None:
        """The newest launch of ``backfill_id``."""
        with self._lock:
            found = [x for x in self._launches.values() if x.backfill_id == backfill_id]
        return found[-1] if found else None

    def run_assets(self, source: Source, keys: list[AssetKey], *, config: Mapping[str, Any],
                   partition: str | None, env: str | None) -> Launch:
        """Materialize ``keys`` of an asset target (one run, its id known at once)."""
        from bridge.runner import RunOptions, materialize

        launch = self._new(source, run_id=uuid.uuid4().hex[:12])

        def work(resources: dict[str, Any]) -> None:
            options = RunOptions(run_id=launch.run_id, target=source.target,
                                 hooks=[_RunIdHook(launch)], tags={"launched_by": "ui"})
            materialize(source.graph, selection=keys, resources=resources, config=config,
                        partition=partition, store=self.store, options=options)

        return self._submit(launch, source, env, work)

    def backfill(self, source: Source, keys: list[AssetKey], *, start: str, end: str,
                 backfill_id: str, config: Mapping[str, Any], env: str | None) -> Launch:
        """Backfill ``keys`` from ``start`` to ``end`` (resumes a backfill with the same id)."""
        from bridge.runner import RunOptions
        from bridge.runner._backfill import backfill

        launch = self._new(source, backfill_id=backfill_id)

        def work(resources: dict[str, Any]) -> None:
            options = RunOptions(target=source.canonical, hooks=[_RunIdHook(launch)],
                                 tags={"launched_by": "ui"})
            backfill(source.graph, selection=",".join(str(k) for k in keys), start=start,
                     end=end, resources=resources, config=config, store=self.store,
                     options=options)

        return self._submit(launch, source, env, work)

    def run_dags(self, source: Source, keys: list[AssetKey], *, params: Mapping[str, Any],
                 logical_date: str | None, env: str | None) -> Launch:
        """Run tasks of an Airflow DAG target in-process (its run id is known once started)."""
        from translators.execution import run_dags

        launch = self._new(source)

        def work(resources: dict[str, Any]) -> None:
            run_dags(source.target, select=",".join(str(k) for k in keys),
                     logical_date=logical_date, params=params, resources=resources,
                     store=self.store, hooks=[_RunIdHook(launch)])

        return self._submit(launch, source, env, work)

    def shutdown(self) -> None:
        """Stop taking launches; wait for the running one."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _new(self, source: Source, **fields: Any) -> Launch:
        launch = Launch(uuid.uuid4().hex[:12], source.target, **fields)
        with self._lock:
            self._launches[launch.launch_id] = launch
        return launch

    def _submit(self, launch: Launch, source: Source, env: str | None,
                work: Callable[[dict[str, Any]], None]) -> Launch:
        from bridge._project import open_resources
        from bridge.io import FilesystemIOManager

        def task() -> None:
            launch.state = "running"
            try:
                with open_resources(source.project, env) as resources:
                    resources.setdefault("io_manager", FilesystemIOManager(self.home / "storage"))
                    work(resources)
            except BridgeError as exc:
                launch.error = str(exc)
                launch.state = "error"
                return
            except Exception as exc:  # the user's resources or Airflow; keep the server up
                launch.error = "".join(traceback.format_exception_only(exc)).strip()
                launch.state = "error"
                return
            launch.state = "done"

        self._pool.submit(task)
        return launch
