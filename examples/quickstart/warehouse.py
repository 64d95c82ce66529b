"""A tiny warehouse resource: writes report tables into a SQLite database.

In production this would talk to Postgres or BigQuery; tests swap in an in-memory one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path


class Warehouse:
    """Writes rows into tables of a SQLite database (``:memory:`` for tests)."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.connection = sqlite3.connect(path)

    def write(self, table: str, rows: list[dict[str, object]]) -> int:
        """Replace ``table`` with ``rows``; returns the row count."""
        columns = list(rows[0]) if rows else ["empty"]
        with self.connection:
            self.connection.execute(f'DROP TABLE IF EXISTS "{table}"')
            self.connection.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')
            self.connection.executemany(
                f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in columns)})',
                [tuple(row[c] for c in columns) for row in rows],
            )
        return len(rows)

    def read(self, table: str) -> list[tuple[object, ...]]:
        """All rows of ``table``."""
        return self.connection.execute(f'SELECT * FROM "{table}"').fetchall()


def sqlite_warehouse(path: str) -> Iterator[Warehouse]:
    """Factory used by assetbridge.toml: opens the warehouse and closes it after the run."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    warehouse = Warehouse(path)
    yield warehouse
    warehouse.connection.close()
