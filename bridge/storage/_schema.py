"""SQLAlchemy Core tables of the SQL store, and the versioned migrations that build them.

The store records its schema version in ``ab_schema_version``. Opening an older store runs
each missing migration in order, in one transaction, so a newer release opens an older
store; a store newer than this release is refused with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

__all__ = [
    "CURRENT_VERSION",
    "METADATA",
    "backfills",
    "catalog_assets",
    "events",
    "migrate",
    "runs",
    "watermarks",
]

METADATA = sa.MetaData()

schema_version = sa.Table(
    "ab_schema_version", METADATA, sa.Column("version", sa.Integer, nullable=False)
)

runs = sa.Table(
    "ab_runs",
    METADATA,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False, index=True),
    sa.Column("finished_at", sa.Float),
    sa.Column("target", sa.Text),
    sa.Column("selection", sa.JSON, nullable=False),
    sa.Column("partition", sa.String(128)),
    sa.Column("parent_run_id", sa.String(64)),
    sa.Column("backfill_id", sa.String(64), index=True),
    sa.Column("tags", sa.JSON, nullable=False),
)


def _event_columns(*, version: int) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(64), nullable=False, index=True),
        sa.Column("asset_key", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("partition", sa.String(128)),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("code_version", sa.String(128)),
        sa.Column("data_version", sa.String(128)),
        sa.Column("upstream", sa.JSON, nullable=False),
        sa.Column("metadata", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("seconds", sa.Float),
        sa.Column("logs", sa.Text),
    ]
    if version >= 2:
        columns += [
            sa.Column("config_hash", sa.String(64)),
            sa.Column("source", sa.String(32), nullable=False, server_default="bridge"),
        ]
    return columns


#: the event indexes up to version 3 (newest event by id) and from version 4 (newest by
#: time, then id: imported history can arrive after newer events)
_EVENT_INDEXES = {
    3: (("ix_ab_events_key_kind", ("asset_key", "kind", "event_id")),
        ("ix_ab_events_key_partition", ("asset_key", "partition"))),
    4: (("ix_ab_events_key_kind_time", ("asset_key", "kind", "timestamp", "event_id")),
        ("ix_ab_events_key_partition_time", ("asset_key", "partition", "timestamp"))),
}


def _events_table(metadata: sa.MetaData, *, version: int) -> sa.Table:
    indexes = _EVENT_INDEXES[4 if version >= 4 else 3]
    return sa.Table("ab_asset_events", metadata, *_event_columns(version=version),
                    *(sa.Index(name, *columns) for name, columns in indexes))


events = _events_table(METADATA, version=4)

backfills = sa.Table(
    "ab_backfills",
    METADATA,
    sa.Column("backfill_id", sa.String(64), primary_key=True),
    sa.Column("selection", sa.JSON, nullable=False),
    sa.Column("partitions", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("target", sa.Text),
)

#: imported asset definitions (version 3): what a lineage import found
catalog_assets = sa.Table(
    "ab_catalog_assets",
    METADATA,
    sa.Column("asset_key", sa.String(512), primary_key=True),
    sa.Column("group_name", sa.String(256), nullable=False, index=True),
    sa.Column("deps", sa.JSON, nullable=False),
    sa.Column("dag_id", sa.String(250)),
    sa.Column("task_id", sa.String(250)),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

#: per import stream, how far it has read (version 3): name -> opaque text
watermarks = sa.Table(
    "ab_import_watermarks",
    METADATA,
    sa.Column("name", sa.String(512), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


def _migrate_to_1(conn: sa.Connection) -> None:
    """Create the version-1 tables (events without config_hash and source)."""
    for table in (schema_version, runs):
        table.create(conn, checkfirst=True)
    _events_table(sa.MetaData(), version=1).create(conn, checkfirst=True)


def _migrate_to_2(conn: sa.Connection) -> None:
    """Add config hashes and event sources; add backfills."""
    conn.execute(sa.text("ALTER TABLE ab_asset_events ADD COLUMN config_hash VARCHAR(64)"))
    conn.execute(
        sa.text("ALTER TABLE ab_asset_events ADD COLUMN source VARCHAR(32) "
                "NOT NULL DEFAULT 'bridge'")
    )
    backfills.create(conn, checkfirst=True)


def _migrate_to_3(conn: sa.Connection) -> None:
    """Add the asset catalog (imported definitions) and import watermarks."""
    catalog_assets.create(conn, checkfirst=True)
    watermarks.create(conn, checkfirst=True)


def _migrate_to_4(conn: sa.Connection) -> None:
    """Index events by time within a key: "latest" is the newest by time (then by id)."""
    for name, _ in _EVENT_INDEXES[3]:
        conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    for name, columns in _EVENT_INDEXES[4]:
        conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON ab_asset_events "
                             f"({', '.join(columns)})"))


MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {
    1: _migrate_to_1, 2: _migrate_to_2, 3: _migrate_to_3, 4: _migrate_to_4,
}
CURRENT_VERSION = max(MIGRATIONS)


def restore_event_indexes(conn: sa.Connection) -> None:
    """Build the event indexes a SQLite store lacks: a bulk import into an empty store
    builds them when it ends (:mod:`bridge.storage._sql_import`), so one killed before
    then leaves them out."""
    present = {row[0] for row in conn.execute(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"),
        {"table": events.name})}
    for index in events.indexes:
        if index.name not in present:
            index.create(conn)


def read_version(conn: sa.Connection) -> int:
    """The schema version of the store behind ``conn`` (0 for an empty database)."""
    if not sa.inspect(conn).has_table("ab_schema_version"):
        return 0
    version = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(version or 0)


def migrate(conn: sa.Connection, *, target: int = CURRENT_VERSION) -> tuple[int, int]:
    """Bring the schema up to ``target`` inside the caller's transaction.

    Returns:
        ``(version before, version after)``.
    """
    before = read_version(conn)
    if before > CURRENT_VERSION:
        from bridge.errors import StoreError

        raise StoreError(
            f"run storage has schema version {before}, newer than this assetbridge "
            f"({CURRENT_VERSION}); upgrade assetbridge to open it"
        )
    for version in range(before + 1, target + 1):
        MIGRATIONS[version](conn)
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=version))
    return before, max(before, target)
