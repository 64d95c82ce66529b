"""``assetbridge lineage import --openlineage``: OpenLineage events into the catalog.

- A dataset (``namespace`` + ``name``) is an asset keyed ``namespace/name``, which for a
  URI namespace (``s3://lake`` + ``orders.parquet``) is the URI Airflow keys a URI-only
  asset by; a named Airflow asset already in the catalog (imported from Airflow) with that
  URI keeps its name as key, so both imports describe one asset.
- A run connects its inputs to its outputs: each output of a run depends on every input seen
  on any event of that run (a START may name the inputs and the COMPLETE the outputs), in
  any file of the import or in an earlier import while the run had not ended. What earlier
  runs said stays: lineage only grows. An Airflow task's events (``airflow`` run facet, or
  Airflow's ``jobType`` and ``parent`` facets) name its DAG and task, which become the
  producer; an Airflow task whose run ends with no outputs maintains its own asset
  ``dag_id/task_id``, as ``translate`` keys it.
- COMPLETE is a materialization of each output of the run, FAIL a failure; START, RUNNING
  and ABORT only contribute lineage.
- JobEvents (static lineage) connect their inputs to their outputs, without history;
  DatasetEvents register their dataset.

Each file keeps a watermark (the bytes read), so appending to an NDJSON file and importing
again reads only the new events. The inputs and outputs of runs that have not ended are
kept in one more watermark (``openlineage:open-runs``) for the next import. All files are
validated before anything is written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge._types import EventKind
from bridge.storage import AssetEvent, CatalogAsset, Store
from translators.lineage._catalog import task_key
from translators.lineage._db_history import bridge_run_id
from translators.lineage._errors import LineageImportError
from translators.lineage._openlineage_events import (
    OLDataset,
    OLDatasetEvent,
    OLEvent,
    OLJobEvent,
    OLRunEvent,
    event_files,
    read_events,
)
from translators.lineage._result import ImportResult, catalog_changes
from translators.model import AssetRef
from translators.translator import airflow_asset_key

__all__ = ["dataset_key", "import_openlineage"]

SOURCE = "openlineage"
_OUTCOME = {"COMPLETE": EventKind.MATERIALIZATION, "FAIL": EventKind.FAILURE}
_ENDS = {"COMPLETE", "FAIL", "ABORT"}
#: the watermark holding the runs that had not ended when an import finished
_OPEN_RUNS = f"{SOURCE}:open-runs"
#: an open run with no event for this long (seconds) before the newest one is forgotten
_OPEN_RUN_TTL = 7 * 24 * 3600.0

_KeyOf = Callable[[OLDataset], str]


@dataclass
class _Run:
    """What all the events of one OpenLineage run say (in this import, or carried over)."""

    inputs: set[str] = field(default_factory=set)
    #: output keys, with the dataset when this import saw it
    outputs: dict[str, OLDataset | None] = field(default_factory=dict)
    task: tuple[str, str] | None = None
    #: the newest event time
    seen: float = 0.0
    #: the first batch (file) with its end (COMPLETE, FAIL or ABORT); None while it runs
    ended: int | None = None


def dataset_key(dataset: OLDataset) -> str:
    """The asset key of an OpenLineage dataset.

    Examples:
        >>> dataset_key(OLDataset(namespace="s3://lake", name="orders.parquet"))
        's3://lake/orders.parquet'
        >>> dataset_key(OLDataset(namespace="warehouse", name="sales/orders"))
        'warehouse/sales/orders'
    """
    text = f"{dataset.namespace.rstrip('/')}/{dataset.name.lstrip('/')}"
    return str(airflow_asset_key(AssetRef(uri=text)))


def import_openlineage(path: str | Path, store: Store, *,
                       on_batch: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import OpenLineage events from an NDJSON/JSON file or a folder into ``store``
    (``on_batch`` is called with the result so far after each committed batch).

    Raises:
        LineageImportError: no such path, a file that is not UTF-8 or a malformed event
            (then nothing is written).
    """
    started = time.perf_counter()
    root = Path(path)
    if not root.exists():
        raise LineageImportError(f"OpenLineage events {str(root)!r}: no such file or folder")
    result = ImportResult(kind=SOURCE, source=str(root.resolve()), on_batch=on_batch)
    parsed: list[tuple[Path, list[OLEvent], int]] = []
    for file in event_files(root):  # validate everything before writing anything
        mark = store.watermark(_mark(file))
        events, end = read_events(file, int(mark) if mark else 0)
        parsed.append((file, events, end))
    # this import writes only its own entries, so the Airflow assets' URIs stay as they are
    by_uri = {str(a.metadata["uri"]): a.key for a in store.catalog()
              if a.metadata.get("uri") and a.source != SOURCE}

    def key_of(dataset: OLDataset) -> str:
        key = dataset_key(dataset)
        return by_uri.get(key, key)

    runs = _load_runs(store)
    carried = frozenset(runs)
    touched = [_gather_runs(runs, events, batch, key_of)
               for batch, (_, events, _) in enumerate(parsed)]
    horizon = max((run.seen for run in runs.values()), default=0.0) - _OPEN_RUN_TTL
    open_after = _open_runs_after(runs, carried, touched)
    for batch, (file, events, end) in enumerate(parsed):
        result.records_read += len(events)
        entries, history = _convert(events, runs, key_of)
        merged = _merge(store, entries)
        changed, added, updated = catalog_changes(store.catalog(), merged)
        result.assets_added += added
        result.assets_updated += updated
        marks = {_mark(file): str(end)}
        if (still_open := open_after[batch]) is not None:
            marks[_OPEN_RUNS] = _dump_runs(runs, still_open, horizon)
        store.put_catalog(changed, history, watermarks=marks)
        result.count(history)
        result.batch_committed()
    result.assets_total = len(store.catalog())
    result.seconds = time.perf_counter() - started
    return result


def _mark(file: Path) -> str:
    return f"{SOURCE}:{file.resolve()}"


def _load_runs(store: Store) -> dict[str, _Run]:
    """The runs an earlier import saw start but not end."""
    text = store.watermark(_OPEN_RUNS)
    saved: dict[str, dict[str, Any]] = json.loads(text) if text else {}
    return {run_id: _Run(inputs=set(run["inputs"]), outputs=dict.fromkeys(run["outputs"]),
                         seen=float(run["seen"])) for run_id, run in saved.items()}


def _dump_runs(runs: dict[str, _Run], open_runs: frozenset[str], horizon: float) -> str:
    """The ``open_runs`` to keep for the next import: those with an event after ``horizon``."""
    kept = {run_id: {"inputs": sorted(run.inputs), "outputs": sorted(run.outputs),
                     "seen": run.seen}
            for run_id in sorted(open_runs) if (run := runs[run_id]).seen >= horizon}
    return json.dumps(kept, separators=(",", ":"))


def _gather_runs(runs: dict[str, _Run], events: list[OLEvent], batch: int,
                 key_of: _KeyOf) -> set[str]:
    """Add what the run events of one batch say to ``runs``; returns the run ids seen."""
    seen: set[str] = set()
    for event in events:
        if not isinstance(event, OLRunEvent):
            continue
        run = runs.setdefault(event.run.runId, _Run())
        seen.add(event.run.runId)
        run.inputs.update(key_of(dataset) for dataset in event.inputs)
        run.outputs.update((key_of(dataset), dataset) for dataset in event.outputs)
        run.task = run.task or event.airflow_task()
        run.seen = max(run.seen, event.timestamp())
        if event.eventType in _ENDS and run.ended is None:
            run.ended = batch
    return seen


def _open_runs_after(runs: dict[str, _Run], carried: frozenset[str],
                     touched: list[set[str]]) -> list[frozenset[str] | None]:
    """Per batch, the runs still open after it, or None when the saved ones stay as they
    are (no run started, ended or changed): saved with each batch, an interrupted import
    keeps what the committed batches said about runs that go on in later files."""
    after: list[frozenset[str] | None] = []
    open_runs = carried
    for batch, seen in enumerate(touched):
        now = frozenset(run_id for run_id in open_runs | seen
                        if (ended := runs[run_id].ended) is None or ended > batch)
        after.append(now if now != open_runs or seen & now else None)
        open_runs = now
    return after


def _convert(events: list[OLEvent], runs: dict[str, _Run], key_of: _KeyOf
             ) -> tuple[dict[str, CatalogAsset], list[AssetEvent]]:
    """Catalog entries and history from a file's events, in event order."""
    entries: dict[str, CatalogAsset] = {}
    history: list[AssetEvent] = []

    def put(entry: CatalogAsset) -> None:
        entries[entry.key] = _combine(entries.get(entry.key), entry)

    for event in sorted(events, key=lambda event: event.timestamp()):
        if isinstance(event, OLDatasetEvent):
            put(_entry(key_of(event.dataset), "external", (), None, event.dataset))
            continue
        for source in event.inputs:
            put(_entry(key_of(source), "external", (), None, source))
        if isinstance(event, OLJobEvent):  # static lineage: edges, no history
            inputs = {key_of(dataset) for dataset in event.inputs}
            for dataset in event.outputs:
                key = key_of(dataset)
                put(_entry(key, event.job.namespace, _deps(inputs, key), None, dataset,
                           job=event.job.name))
            continue
        outputs, written = _run_outputs(event, runs[event.run.runId], key_of)
        for entry in outputs:
            put(entry)
        history.extend(written)
    return entries, history


def _run_outputs(event: OLRunEvent, run: _Run, key_of: _KeyOf
                 ) -> tuple[list[CatalogAsset], list[AssetEvent]]:
    """The outputs a run event names, each depending on all of its run's inputs, and their
    history; the end of a run stands for all the run's outputs."""
    task = event.airflow_task() or run.task
    outputs: dict[str, OLDataset | None] = {key_of(d): d for d in event.outputs}
    if event.eventType in _ENDS:
        outputs = {**run.outputs, **outputs}
        if not outputs and task is not None:  # an Airflow task without outputs: its own asset
            outputs = {task_key(*task): None}
    group = task[0] if task else event.job.namespace
    entries = [_entry(key, group, _deps(run.inputs, key), task, dataset, job=event.job.name)
               for key, dataset in outputs.items()]
    kind = _OUTCOME.get(event.eventType)
    history = [_history(event, key, kind, task) for key in outputs] if kind else []
    return entries, history


def _deps(inputs: set[str], key: str) -> tuple[str, ...]:
    return tuple(sorted(inputs - {key}))


def _entry(key: str, group: str, deps: tuple[str, ...], task: tuple[str, str] | None,
           dataset: OLDataset | None, job: str | None = None) -> CatalogAsset:
    metadata = {"namespace": dataset.namespace, "name": dataset.name} if dataset else {}
    if job:
        metadata["job"] = job
    return CatalogAsset(key=key, group=group, deps=deps, dag_id=task[0] if task else None,
                        task_id=task[1] if task else None, source=SOURCE, metadata=metadata)


def _history(event: OLRunEvent, key: str, kind: EventKind,
             task: tuple[str, str] | None) -> AssetEvent:
    nominal = event.run.facets.get("nominalTime")
    partition = nominal.get("nominalStartTime") if isinstance(nominal, dict) else None
    metadata = {"job": f"{event.job.namespace}/{event.job.name}", "openlineage_run_id":
                event.run.runId}
    if task:
        metadata.update(dag_id=task[0], task_id=task[1])
    error = None
    if kind is EventKind.FAILURE:
        message = event.run.facets.get("errorMessage")
        error = str(message.get("message")) if isinstance(message, dict) else "run failed"
    return AssetEvent(run_id=bridge_run_id(event.run.runId), asset_key=key, kind=kind,
                      timestamp=event.timestamp(), partition=partition, metadata=metadata,
                      error=error, source=SOURCE)


def _combine(old: CatalogAsset | None, new: CatalogAsset) -> CatalogAsset:
    """``new`` over ``old``: deps add up (lineage only grows), metadata merges, and the
    group and producer stay unless ``new`` names them."""
    if old is None:
        return new
    group = new.group if new.group != "external" else old.group
    return CatalogAsset(key=new.key, group=group, deps=tuple(sorted({*old.deps, *new.deps})),
                        dag_id=new.dag_id or old.dag_id, task_id=new.task_id or old.task_id,
                        source=SOURCE, metadata={**old.metadata, **new.metadata})


def _merge(store: Store, entries: dict[str, CatalogAsset]) -> list[CatalogAsset]:
    """Entries combined with what the catalog already has for them (lineage only grows);
    a definition imported from elsewhere (an Airflow database) keeps its place."""
    merged = []
    for key in sorted(entries):
        old = store.catalog_asset(key)
        if old is None or old.source == SOURCE:
            merged.append(_combine(old, entries[key]))
    return merged
