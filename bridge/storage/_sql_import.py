"""Bulk imports into a SQLite :class:`SqlStore` straight from other SQLite databases.

An importer whose source is itself a SQLite file (an Airflow metadata DB, say) maps its
rows to store events in SQL: the source is attached read-only to a connection on the
store's file and each batch is one ``INSERT ... SELECT`` transaction, so no row passes
through Python. The transactions keep the store's contract: each batch commits its events,
catalog entries and watermarks together (``synchronous = NORMAL``, ``BEGIN IMMEDIATE``, as
every store connection), so an interrupted import leaves whole batches.

While no other connection has the store open, the import runs with a rollback journal
instead of the store's WAL: a page the import adds to the file is then written once,
where WAL writes it twice (into the log, then back into the file at the checkpoint),
which makes a first import of a million task instances about 5% faster. The journal is as
crash-safe (the next connection rolls a half-written batch back) and the store is back in
WAL mode when the importer closes, or when any other connection opens it between two
batches (every store connection asks for WAL; SQLite switches between transactions; one
that opens during a batch goes on in the journal's mode and waits for the batch).

An import that has an empty store to itself also drops the event table's indexes and
builds them once when it closes: one sort per index instead of a B-tree insert per event
and index, about 12% of a first import of a million task instances. An import killed
before then leaves the indexes out; the next connection that opens the store
(:class:`SqlStore`) builds them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bridge.errors import StoreError
from bridge.storage._records import CatalogAsset
from bridge.storage._sql import _BULK_CACHE_KIB, _BULK_COLUMNS, SqlStore

__all__ = ["SqliteBulkImport"]

_EVENTS = "ab_asset_events"
_EVENT_COLUMNS = ", ".join(_BULK_COLUMNS)


class SqliteBulkImport:
    """A write connection on a SQLite store's file with source databases attached
    read-only (``ATTACH ... AS name``); see :meth:`supports`.

    Args:
        store: a :class:`SqlStore` on a SQLite file.
        attach: schema name -> SQLite file to read from.
    """

    def __init__(self, store: SqlStore, attach: Mapping[str, str | Path]) -> None:
        database = store.engine.url.database
        assert database, "supports() first"
        self.url = store.url
        try:
            self.connection = sqlite3.connect(Path(database).resolve().as_uri(), uri=True,
                                              isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open run storage {self.url}: {exc}") from exc
        try:
            # the store's own settings (durability included), plus bigger page caches: the
            # store's indexes and the importer's temporary tables (which spill to a
            # temporary file beyond it) stay in memory
            for pragma in ("busy_timeout = 60000", "journal_mode = WAL",
                           "synchronous = NORMAL", "foreign_keys = ON",
                           f"cache_size = {_BULK_CACHE_KIB}",
                           f"temp.cache_size = {_BULK_CACHE_KIB * 2}",
                           # large sorts (an import's read order) use the other CPUs too
                           f"threads = {min(4, os.cpu_count() or 1)}"):
                self.connection.execute(f"PRAGMA {pragma}")
            self._indexes = _drop_indexes(self.connection) if \
                _rollback_journal(self.connection, store) else []
            for name, path in attach.items():
                uri = Path(path).resolve().as_uri() + "?mode=ro"
                self.connection.execute("ATTACH DATABASE ? AS " + _ident(name), (uri,))
        except sqlite3.Error as exc:
            self.connection.close()
            raise StoreError(f"cannot open run storage {self.url} for a bulk import: "
                             f"{exc}") from exc

    @staticmethod
    def supports(store: object) -> bool:
        """Whether ``store`` is a plain :class:`SqlStore` on a SQLite file (a subclass that
        changes :meth:`SqlStore.put_catalog` keeps the generic path)."""
        if not isinstance(store, SqlStore) or type(store).put_catalog is not \
                SqlStore.put_catalog:
            return False
        url, database = store.engine.url, store.engine.url.database
        return (url.get_backend_name() == "sqlite" and database is not None
                and database not in ("", ":memory:") and not database.startswith("file:"))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read (or a ``temp`` table statement) outside any batch."""
        return self.connection.execute(sql, params).fetchall()

    def commit_batch(self, assets: Sequence[CatalogAsset], select: str,
                     params: Sequence[Any], watermarks: Mapping[str, str]) -> Counter[str]:
        """One transaction: catalog ``assets`` (replacing entries with their keys), the
        events ``select`` yields (its columns in the order of the bulk insert, without
        ``event_id``; ids follow its ``ORDER BY``) and ``watermarks``.

        Returns:
            The events written, per kind.
        """
        conn, now = self.connection, time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            first = conn.execute(f"SELECT coalesce(max(event_id), 0) + 1 FROM main.{_EVENTS}"
                                 ).fetchone()[0]
            if assets:
                latest = {asset.key: asset for asset in assets}
                conn.executemany("DELETE FROM main.ab_catalog_assets WHERE asset_key = ?",
                                 [(key,) for key in latest])
                conn.executemany(
                    "INSERT INTO main.ab_catalog_assets (asset_key, group_name, deps, dag_id, "
                    "task_id, source, metadata, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(a.key, a.group, json.dumps(list(a.deps)), a.dag_id, a.task_id, a.source,
                      json.dumps(dict(a.metadata)), now) for a in latest.values()])
            if watermarks:
                conn.executemany("DELETE FROM main.ab_import_watermarks WHERE name = ?",
                                 [(name,) for name in watermarks])
                conn.executemany("INSERT INTO main.ab_import_watermarks (name, value, "
                                 "updated_at) VALUES (?, ?, ?)",
                                 [(name, value, now) for name, value in watermarks.items()])
            conn.execute(f"INSERT INTO main.{_EVENTS} ({_EVENT_COLUMNS}) {select}", params)
            counts = Counter(dict(conn.execute(
                f"SELECT kind, count(*) FROM main.{_EVENTS} WHERE event_id >= ? GROUP BY kind",
                (first,)).fetchall()))
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"cannot record imported assets in {self.url}: {exc}"
                                 ) from exc
            raise
        return counts

    def close(self) -> None:
        """Build the event indexes dropped for the import, put the store back in WAL mode
        and close the connection (temporary tables go with it)."""
        try:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
            for sql in self._indexes:  # the next SqlStore builds what fails here
                self.connection.execute(sql)
            self.connection.execute("PRAGMA main.journal_mode = WAL")
        except sqlite3.Error:
            pass  # another connection holds the file: the next store connection asks again
        finally:
            self.connection.close()


def _rollback_journal(connection: sqlite3.Connection, store: SqlStore) -> bool:
    """Switch the store's file to a rollback journal if no other connection has it open
    (see the module docstring; otherwise it stays in WAL mode); whether it did."""
    store.engine.dispose()  # the store's own idle connections would keep it in WAL mode
    # "database is locked" when another connection has it open (SQLite does not wait)
    with contextlib.suppress(sqlite3.OperationalError):
        mode = connection.execute("PRAGMA main.journal_mode = TRUNCATE").fetchone()
        return bool(mode) and str(mode[0]).lower() == "truncate"
    return False


def _drop_indexes(connection: sqlite3.Connection) -> list[str]:
    """Drop the event table's indexes if it is empty; the statements that build them again
    (``CREATE INDEX IF NOT EXISTS``, for :meth:`SqliteBulkImport.close`)."""
    if connection.execute(f"SELECT 1 FROM main.{_EVENTS} LIMIT 1").fetchone() is not None:
        return []
    found = connection.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql LIKE 'CREATE INDEX %'", (_EVENTS,)).fetchall()
    for name, _ in found:
        connection.execute(f'DROP INDEX main."{name}"')
    return [sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1) for _, sql in found]


def _ident(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(f"not a schema name: {name!r}")
    return name
