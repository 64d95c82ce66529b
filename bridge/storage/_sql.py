"""SqlStore: run storage in a SQL database through SQLAlchemy (SQLite file or PostgreSQL)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from bridge._sqlalchemy import create_engine
from bridge._types import EventKind, RunStatus
from bridge.errors import StoreError
from bridge.storage._base import Store
from bridge.storage._records import AssetEvent, BackfillRecord, CatalogAsset, RunRecord
from bridge.storage._schema import (
    backfills,
    catalog_assets,
    events,
    migrate,
    restore_event_indexes,
    runs,
)
from bridge.storage._schema import watermarks as _watermarks

__all__ = ["SqlStore"]

_OUTCOME_KINDS = [EventKind.MATERIALIZATION.value, EventKind.FAILURE.value]
_IN_CHUNK = 500
_OPEN_ATTEMPTS = 10


class SqlStore(Store):
    """Run storage in a SQL database; the schema is created or migrated on open.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://user@host/db``) or an
            existing ``sqlalchemy.Engine``.

    Examples:
        >>> store = SqlStore("sqlite://")
        >>> store.list_runs()
        []
    """

    def __init__(self, url: str | sa.Engine) -> None:
        try:
            self.engine = create_engine(url) if isinstance(url, str) else url
        except (sa.exc.SQLAlchemyError, OSError, ImportError) as exc:
            reason = _reason(exc) if isinstance(exc, sa.exc.SQLAlchemyError) else str(exc)
            raise StoreError(f"cannot open run storage {_hide_password(str(url))}: {reason}; "
                             "pass a URL like sqlite:///path/runs.db or "
                             "postgresql://user@host/db") from exc
        self.url = self.engine.url.render_as_string(hide_password=True)
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                self.migrated_from, self.schema_version = self._open()
                break
            except sa.exc.OperationalError as exc:
                # two processes creating the same new SQLite file race on switching it to
                # WAL; SQLite reports that at once instead of waiting, so try again
                if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                    self.engine.dispose()
                    raise StoreError(f"cannot open run storage {self.url}: "
                                     f"{_reason(exc)}") from exc
                time.sleep(0.05 * (attempt + 1))
            except sa.exc.SQLAlchemyError as exc:
                self.engine.dispose()
                raise StoreError(f"cannot open run storage {self.url}: {_reason(exc)}") from exc

    def _open(self) -> tuple[int, int]:
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(727472)"))
            versions = migrate(conn)
            if conn.dialect.name == "sqlite":
                restore_event_indexes(conn)
            return versions

    # --- runs -------------------------------------------------------------------------------
    def add_run(self, run: RunRecord) -> None:
        self._write(runs.insert().values(
            run_id=run.run_id, status=run.status.value, started_at=run.started_at,
            finished_at=run.finished_at, target=run.target, selection=list(run.selection),
            partition=run.partition, parent_run_id=run.parent_run_id,
            backfill_id=run.backfill_id, tags=dict(run.tags),
        ))

    def finish_run(self, run_id: str, status: RunStatus, finished_at: float) -> None:
        updated = self._write(runs.update().where(runs.c.run_id == run_id)
                              .values(status=status.value, finished_at=finished_at))
        if updated == 0:
            raise StoreError(f"no run {run_id!r} to finish in {self.url}")

    def get_run(self, run_id: str) -> RunRecord | None:
        rows = self._read(sa.select(runs).where(runs.c.run_id == run_id))
        return _run(rows[0]) if rows else None

    def list_runs(self, limit: int = 50) -> list[RunRecord]:
        query = sa.select(runs).order_by(runs.c.started_at.desc()).limit(limit)
        return [_run(row) for row in self._read(query)]

    # --- events -----------------------------------------------------------------------------
    def add_events(self, new_events: Sequence[AssetEvent]) -> list[AssetEvent]:
        if not new_events:
            return []
        try:
            with self.engine.begin() as conn:
                return _insert_events(conn, new_events)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot record events in {self.url}: {_reason(exc)}") from exc

    def events_for_run(self, run_id: str) -> list[AssetEvent]:
        query = sa.select(events).where(events.c.run_id == run_id).order_by(events.c.event_id)
        return [_event(row) for row in self._read(query)]

    def latest_events(
        self, kind: EventKind, keys: Iterable[str] | None = None
    ) -> dict[str, AssetEvent]:
        latest: dict[str, AssetEvent] = {}
        for chunk in _chunks(keys):
            newest = (sa.select(events.c.asset_key, sa.func.max(events.c.timestamp).label("ts"))
                      .where(events.c.kind == kind.value))
            if chunk is not None:
                newest = newest.where(events.c.asset_key.in_(chunk))
            times = newest.group_by(events.c.asset_key).subquery()
            query = (sa.select(events)
                     .join(times, sa.and_(events.c.asset_key == times.c.asset_key,
                                          events.c.timestamp == times.c.ts))
                     .where(events.c.kind == kind.value).order_by(events.c.event_id))
            # ties in time: the last recorded wins (ascending ids, later rows overwrite)
            latest.update((row.asset_key, _event(row)) for row in self._read(query))
        return latest

    def latest_partition_events(self, keys: Iterable[str]) -> dict[str, dict[str, AssetEvent]]:
        found: dict[str, dict[str, AssetEvent]] = {}
        outcome = sa.and_(events.c.kind.in_(_OUTCOME_KINDS), events.c.partition.is_not(None))
        for chunk in _chunks(keys):
            newest = (sa.select(events.c.asset_key, events.c.partition,
                                sa.func.max(events.c.timestamp).label("ts")).where(outcome))
            if chunk is not None:
                newest = newest.where(events.c.asset_key.in_(chunk))
            times = newest.group_by(events.c.asset_key, events.c.partition).subquery()
            query = (sa.select(events)
                     .join(times, sa.and_(events.c.asset_key == times.c.asset_key,
                                          events.c.partition == times.c.partition,
                                          events.c.timestamp == times.c.ts))
                     .where(outcome).order_by(events.c.event_id))
            for row in self._read(query):
                found.setdefault(row.asset_key, {})[row.partition] = _event(row)
        return found

    def history(self, key: str, limit: int = 100) -> list[AssetEvent]:
        query = (
            sa.select(events)
            .where(events.c.asset_key == key, events.c.kind.in_(_OUTCOME_KINDS))
            .order_by(events.c.timestamp.desc(), events.c.event_id.desc()).limit(limit)
        )
        return [_event(row) for row in self._read(query)]

    def event_counts(self, kind: EventKind, keys: Iterable[str] | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(keys):
            query = (sa.select(events.c.asset_key, sa.func.count())
                     .where(events.c.kind == kind.value).group_by(events.c.asset_key))
            if chunk is not None:
                query = query.where(events.c.asset_key.in_(chunk))
            counts.update((row[0], int(row[1])) for row in self._read(query))
        return counts

    # --- asset catalog ----------------------------------------------------------------------
    def put_catalog(
        self, assets: Sequence[CatalogAsset], new_events: Sequence[AssetEvent] = (), *,
        watermarks: Mapping[str, str] | None = None,
    ) -> int:
        now = time.time()
        marks = dict(watermarks or {})
        try:
            with self.engine.begin() as conn:
                keys = [asset.key for asset in assets]
                for chunk in _chunks(keys):
                    assert chunk is not None
                    conn.execute(catalog_assets.delete()
                                 .where(catalog_assets.c.asset_key.in_(chunk)))
                if assets:
                    conn.execute(catalog_assets.insert(),
                                 [_catalog_row(asset, now) for asset in _last_per_key(assets)])
                if marks:
                    conn.execute(_watermarks.delete().where(_watermarks.c.name.in_(marks)))
                    conn.execute(_watermarks.insert(), [
                        {"name": name, "value": value, "updated_at": now}
                        for name, value in marks.items()])
                return _bulk_insert_events(conn, new_events) if new_events else 0
        except (sa.exc.SQLAlchemyError, TypeError, ValueError) as exc:
            # TypeError/ValueError: a value the driver cannot serialise (nothing is written)
            reason = _reason(exc) if isinstance(exc, sa.exc.SQLAlchemyError) else str(exc)
            raise StoreError(f"cannot record imported assets in {self.url}: {reason}") from exc

    def catalog(self, *, group: str | None = None) -> list[CatalogAsset]:
        query = sa.select(catalog_assets).order_by(catalog_assets.c.asset_key)
        if group is not None:
            query = query.where(catalog_assets.c.group_name == group)
        return [_catalog_asset(row) for row in self._read(query)]

    def catalog_asset(self, key: str) -> CatalogAsset | None:
        rows = self._read(sa.select(catalog_assets).where(catalog_assets.c.asset_key == key))
        return _catalog_asset(rows[0]) if rows else None

    def watermark(self, name: str) -> str | None:
        rows = self._read(sa.select(_watermarks.c.value).where(_watermarks.c.name == name))
        return str(rows[0][0]) if rows else None

    # --- backfills --------------------------------------------------------------------------
    def add_backfill(self, backfill: BackfillRecord) -> None:
        self._write(backfills.insert().values(
            backfill_id=backfill.backfill_id, selection=list(backfill.selection),
            partitions=list(backfill.partitions), status=backfill.status.value,
            created_at=backfill.created_at, target=backfill.target,
        ))

    def get_backfill(self, backfill_id: str) -> BackfillRecord | None:
        rows = self._read(sa.select(backfills).where(backfills.c.backfill_id == backfill_id))
        if not rows:
            return None
        row = rows[0]
        return BackfillRecord(
            backfill_id=row.backfill_id, selection=tuple(row.selection),
            partitions=tuple(row.partitions), status=RunStatus(row.status),
            created_at=row.created_at, target=row.target,
        )

    def set_backfill_status(self, backfill_id: str, status: RunStatus) -> None:
        updated = self._write(backfills.update().where(backfills.c.backfill_id == backfill_id)
                              .values(status=status.value))
        if updated == 0:
            raise StoreError(f"no backfill {backfill_id!r} to update in {self.url}")

    def backfill_runs(self, backfill_id: str) -> list[RunRecord]:
        query = (sa.select(runs).where(runs.c.backfill_id == backfill_id)
                 .order_by(runs.c.started_at))
        return [_run(row) for row in self._read(query)]

    def close(self) -> None:
        self.engine.dispose()

    # --- helpers ----------------------------------------------------------------------------
    def _write(self, statement: sa.Executable) -> int:
        try:
            with self.engine.begin() as conn:
                return int(getattr(conn.execute(statement), "rowcount", -1))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot write to run storage {self.url}: {_reason(exc)}") from exc

    def _read(self, query: sa.Select[Any]) -> list[Any]:
        try:
            with self.engine.connect() as conn:
                # a plain read: no write lock, so readers never wait for writers (WAL)
                conn.execution_options(sqlite_begin="DEFERRED")
                return list(conn.execute(query))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read run storage {self.url}: {_reason(exc)}") from exc

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"


def default_store_url() -> str:
    """The SQLite store under ``$ASSETBRIDGE_HOME`` (default ``./.assetbridge``)."""
    home = os.environ.get("ASSETBRIDGE_HOME", ".assetbridge")
    return f"sqlite:///{os.path.join(home, 'runs.db')}"


def _sqlite_next_id(conn: sa.Connection) -> int:
    # Inside BEGIN IMMEDIATE no other writer can interleave, so ids are ours.
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(events.c.event_id), 0)))
               .scalar_one()) + 1


def _insert_events(conn: sa.Connection, new_events: Sequence[AssetEvent]) -> list[AssetEvent]:
    """Append events inside the caller's transaction; returns them with ids."""
    if not new_events:
        return []
    rows = [_event_row(event) for event in new_events]
    if conn.dialect.name == "sqlite":
        first = _sqlite_next_id(conn)
        conn.execute(events.insert(), [dict(row, event_id=first + i)
                                       for i, row in enumerate(rows)])
        ids = list(range(first, first + len(rows)))
    else:
        result = conn.execute(events.insert().returning(
            events.c.event_id, sort_by_parameter_order=True), rows)
        ids = list(result.scalars())
    return [_with_id(event, event_id) for event, event_id in zip(new_events, ids, strict=True)]


#: SQLite page cache for bulk writes, in KiB (negative: a size, not a page count)
_BULK_CACHE_KIB = -65536
_BULK_COLUMNS = ("run_id", "asset_key", "kind", "partition", "timestamp", "code_version",
                 "data_version", "config_hash", "upstream", "metadata", "error", "seconds",
                 "logs", "source")


def _bulk_insert_events(conn: sa.Connection, new_events: Sequence[AssetEvent]) -> int:
    """Append many events through the driver's ``executemany`` (no per-value SQLAlchemy
    processing: JSON is serialised here, as SQLAlchemy's JSON type would)."""
    texts: dict[int, str] = {}  # importers share one metadata dict across many events

    def dumps(value: dict[str, Any]) -> str:
        if not value:
            return "{}"
        text = texts.get(id(value))
        if text is None:
            text = texts[id(value)] = json.dumps(value)
        return text

    rows: list[tuple[Any, ...]] = [
        (e.run_id, e.asset_key, e.kind.value, e.partition, e.timestamp, e.code_version,
         e.data_version, e.config_hash, dumps(e.upstream), dumps(e.metadata), e.error,
         e.seconds, e.logs, e.source)
        for e in new_events]
    columns: tuple[str, ...] = _BULK_COLUMNS
    if conn.dialect.name == "sqlite":
        # a bigger page cache for this connection keeps the event indexes in memory
        conn.exec_driver_sql(f"PRAGMA cache_size = {_BULK_CACHE_KIB}")
        first = _sqlite_next_id(conn)
        rows = [(first + i, *row) for i, row in enumerate(rows)]
        columns = ("event_id", *columns)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {events.name} ({', '.join(columns)}) "
                         f"VALUES ({', '.join([mark] * len(columns))})", rows)
    return len(rows)


def _last_per_key(assets: Sequence[CatalogAsset]) -> list[CatalogAsset]:
    return list({asset.key: asset for asset in assets}.values())


def _catalog_row(asset: CatalogAsset, now: float) -> dict[str, Any]:
    return {"asset_key": asset.key, "group_name": asset.group, "deps": list(asset.deps),
            "dag_id": asset.dag_id, "task_id": asset.task_id, "source": asset.source,
            "metadata": dict(asset.metadata), "updated_at": now}


def _catalog_asset(row: Any) -> CatalogAsset:
    return CatalogAsset(key=row.asset_key, group=row.group_name, deps=tuple(row.deps or ()),
                        dag_id=row.dag_id, task_id=row.task_id, source=row.source,
                        metadata=row.metadata or {})


def _chunks(keys: Iterable[str] | None) -> list[list[str] | None]:
    if keys is None:
        return [None]
    items = sorted(set(keys))
    return [items[i : i + _IN_CHUNK] for i in range(0, len(items), _IN_CHUNK)]


def _hide_password(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return repr(url)


def _reason(exc: sa.exc.SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def _event_row(event: AssetEvent) -> dict[str, Any]:
    return {
        "run_id": event.run_id, "asset_key": event.asset_key, "kind": event.kind.value,
        "partition": event.partition, "timestamp": event.timestamp,
        "code_version": event.code_version, "data_version": event.data_version,
        "config_hash": event.config_hash, "upstream": event.upstream,
        "metadata": event.metadata, "error": event.error, "seconds": event.seconds,
        "logs": event.logs, "source": event.source,
    }


def _with_id(event: AssetEvent, event_id: int) -> AssetEvent:
    from dataclasses import replace

    return replace(event, event_id=event_id)


def _event(row: Any) -> AssetEvent:
    return AssetEvent(
        run_id=row.run_id, asset_key=row.asset_key, kind=EventKind(row.kind),
        timestamp=row.timestamp, partition=row.partition, code_version=row.code_version,
        data_version=row.data_version, config_hash=row.config_hash,
        upstream=row.upstream or {}, metadata=row.metadata or {}, error=row.error,
        seconds=row.seconds, logs=row.logs, source=row.source, event_id=row.event_id,
    )


def _run(row: Any) -> RunRecord:
    return RunRecord(
        run_id=row.run_id, status=RunStatus(row.status), started_at=row.started_at,
        finished_at=row.finished_at, target=row.target, selection=tuple(row.selection or ()),
        partition=row.partition, parent_run_id=row.parent_run_id,
        backfill_id=row.backfill_id, tags=row.tags or {},
    )
