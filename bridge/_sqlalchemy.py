"""Engines for SQLAlchemy URLs, with the settings the store and I/O managers rely on."""

from __future__ import annotations

import importlib.util
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = ["create_engine", "normalize_url"]


def normalize_url(url: str) -> str:
    """Pick an installed PostgreSQL driver for ``postgresql://`` URLs.

    Examples:
        >>> normalize_url("sqlite:///x.db")
        'sqlite:///x.db'
    """
    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg2") is None:
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return normalize_url("postgresql://" + url.removeprefix("postgres://"))
    return url


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and ``BEGIN IMMEDIATE``.

    ``BEGIN IMMEDIATE`` takes the write lock at the start of a transaction, so concurrent
    writers queue instead of failing with "database is locked" half-way. A read-only
    connection opts out with ``conn.execution_options(sqlite_begin="DEFERRED")``: under WAL
    it then reads a snapshot without waiting for writers.
    """
    url = normalize_url(url)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 60000")
    # a new file only (set before anything is written; an existing file keeps its size)
    cursor.execute("PRAGMA page_size = 16384")
    _ask_for_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


def _ask_for_wal(cursor: Any) -> None:
    """Switch the file to WAL. While another connection is in a write transaction outside
    WAL mode (a bulk import, see :mod:`bridge.storage._sql_import`), SQLite refuses at once
    ("database is locked"): try again for a moment, then go on in the file's current mode
    (a later connection switches it)."""
    for attempt in range(_WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.02 * (attempt + 1))


_WAL_ATTEMPTS = 8  # about 0.7 s in all
