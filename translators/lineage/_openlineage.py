"""``assetbridge lineage import --openlineage``: OpenLineage run events into the catalog.

- A dataset (``namespace`` + ``name``) is an asset keyed ``namespace/name``, which for a
  URI namespace (``s3://lake`` + ``orders.parquet``) is the URI Airflow keys a URI-only
  asset by; a named Airflow asset already in the catalog (imported from Airflow) with that
  URI keeps its name as key, so both imports describe one asset.
- A job connects its inputs to its outputs: each output depends on every input seen for
  that job. An Airflow task's events (``airflow`` run facet, or Airflow's ``jobType`` and
  ``parent`` facets) name its DAG and task, which become the producer; an Airflow task
  with no outputs maintains its own asset ``dag_id/task_id``, as ``translate`` keys it.
- COMPLETE is a materialization of each output, FAIL a failure; START and RUNNING only
  contribute inputs and outputs.

Each file keeps a watermark (the bytes read), so appending to an NDJSON file and importing
again reads only the new events. All files are validated before anything is written.
"""

from __future__ import annotations

import time
from pathlib import Path

from bridge._types import EventKind
from bridge.storage import AssetEvent, CatalogAsset, Store
from translators.lineage._catalog import task_key
from translators.lineage._db_history import bridge_run_id
from translators.lineage._errors import LineageImportError
from translators.lineage._openlineage_events import (
    OLDataset,
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


def import_openlineage(path: str | Path, store: Store) -> ImportResult:
    """Import OpenLineage run events from an NDJSON/JSON file or a folder into ``store``.

    Raises:
        LineageImportError: no such path, or a malformed event (then nothing is written).
    """
    started = time.perf_counter()
    root = Path(path)
    if not root.exists():
        raise LineageImportError(f"OpenLineage events {str(root)!r}: no such file or folder")
    result = ImportResult(kind=SOURCE, source=str(root.resolve()))
    files = event_files(root)
    parsed: list[tuple[Path, list[OLRunEvent], int]] = []
    for file in files:  # validate everything before writing anything
        mark = store.watermark(_mark(file))
        events, end = read_events(file, int(mark) if mark else 0)
        parsed.append((file, events, end))
    for file, events, end in parsed:
        result.records_read += len(events)
        by_uri = {str(a.metadata["uri"]): a.key for a in store.catalog()
                  if a.metadata.get("uri") and a.source != SOURCE}
        entries, history = _convert(events, by_uri)
        merged = _merge(store, entries)
        changed, added, updated = catalog_changes(store.catalog(), merged)
        result.assets_added += added
        result.assets_updated += updated
        store.put_catalog(changed, history, watermarks={_mark(file): str(end)})
        result.count(history)
        result.batches += 1
    result.assets_total = len(store.catalog())
    result.seconds = time.perf_counter() - started
    return result


def _mark(file: Path) -> str:
    return f"{SOURCE}:{file.resolve()}"


def _convert(events: list[OLRunEvent], by_uri: dict[str, str]
             ) -> tuple[dict[str, CatalogAsset], list[AssetEvent]]:
    """Catalog entries and history from a file's events, in event order. ``by_uri`` maps
    Airflow asset URIs already in the catalog to their keys (a named Airflow asset)."""
    entries: dict[str, CatalogAsset] = {}
    history: list[AssetEvent] = []

    def key_of(dataset: OLDataset) -> str:
        key = dataset_key(dataset)
        return by_uri.get(key, key)

    for event in sorted(events, key=OLRunEvent.timestamp):
        task = event.airflow_task()
        inputs = tuple(sorted({key_of(d) for d in event.inputs}))
        outputs = [key_of(d) for d in event.outputs]
        if not outputs and task is not None:
            outputs = [task_key(*task)]
        for source in event.inputs:
            key = key_of(source)
            entries.setdefault(key, _entry(key, "external", (), None, source))
        written: list[OLDataset | None] = [*event.outputs, None]
        for key, dataset in zip(outputs, written, strict=False):
            old = entries.get(key)
            deps = tuple(sorted({*(old.deps if old else ()), *inputs} - {key}))
            group = task[0] if task else event.job.namespace
            entries[key] = _entry(key, group, deps, task, dataset, job=event.job.name)
            kind = _OUTCOME.get(event.eventType)
            if kind is not None:
                history.append(_history(event, key, kind, task))
    return entries, history


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


def _merge(store: Store, entries: dict[str, CatalogAsset]) -> list[CatalogAsset]:
    """Entries with the deps the catalog already has for them added (lineage only grows);
    a definition imported from elsewhere (an Airflow database) keeps its place."""
    merged = []
    for key in sorted(entries):
        entry, old = entries[key], store.catalog_asset(key)
        if old is not None and old.source != SOURCE:
            continue
        if old is not None:
            deps = tuple(sorted({*old.deps, *entry.deps}))
            producer = (entry.dag_id or old.dag_id, entry.task_id or old.task_id)
            group = entry.group if entry.group != "external" else old.group
            entry = CatalogAsset(key=key, group=group, deps=deps, dag_id=producer[0],
                                 task_id=producer[1], source=SOURCE,
                                 metadata={**old.metadata, **entry.metadata})
        merged.append(entry)
    return merged
