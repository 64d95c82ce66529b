"""Open an Airflow metadata database read-only and tell which Airflow wrote it.

Airflow records its schema as an Alembic revision in ``alembic_version``. Only the revision
each Airflow release ends at (its "head") is accepted: 2.4 to 2.10 (``dataset*`` tables)
and 3.0 to 3.3 (``asset*`` tables). A database in the middle of a migration, older than
2.4 (no datasets) or newer than this release knows is refused with a clear message.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bridge._sqlalchemy import normalize_url
from translators.lineage._errors import LineageImportError

__all__ = ["AirflowSchema", "detect_schema", "open_airflow_db"]

#: Airflow release -> the Alembic head its ``airflow db migrate`` leaves behind
AIRFLOW2_HEADS = {
    "ecb43d2a1842": "2.4.0", "b0d31815b5a6": "2.4.2", "e07f49787c9d": "2.4.3",
    "290244fb8b83": "2.5.0", "98ae134e6fff": "2.6.0", "c804e5c76e3e": "2.6.2",
    "405de8318b3a": "2.7.0", "10b52ebd31f7": "2.8.0", "88344c1d9134": "2.8.1",
    "1949afb29106": "2.9.0", "686269002441": "2.9.2", "22ed7efa9da2": "2.10.0",
    "5f2621c13b39": "2.10.3",
}
AIRFLOW3_HEADS = {
    "29ce7909c52b": "3.0.0", "fe199e1abd77": "3.0.3", "cc92b33c6709": "3.1.0",
    "509b94a1042d": "3.1.8", "1d6611b6ab7c": "3.2.0", "d2f4e1b3c5a7": "3.3.0",
}
_OLD_AIRFLOW = {"e959f08ac86c", "82b7c48c147f", "2e42bb497a22", "a13f7613ad25", "97cdd93827b8",
                "ccde3e26fe78", "7b2661a43ba3", "be2bfac3da23", "587bdf053233", "b1b348e02d07",
                "1de7bc13c950", "3c94c427fdf6", "f5fcbda3e651"}


@dataclass(frozen=True, slots=True)
class AirflowSchema:
    """Which Airflow wrote a metadata database, and what its tables are called."""

    #: 2 (``dataset*`` tables) or 3 (``asset*`` tables)
    generation: int
    #: the Alembic revision in ``alembic_version``
    revision: str
    #: the Airflow release whose head ``revision`` is
    release: str

    @property
    def asset_word(self) -> str:
        """``asset`` (Airflow 3) or ``dataset`` (Airflow 2)."""
        return "asset" if self.generation == 3 else "dataset"

    @property
    def logical_date(self) -> str:
        """The ``dag_run`` column holding the logical date."""
        return "logical_date" if self.generation == 3 else "execution_date"


def open_airflow_db(target: str) -> tuple[sa.Engine, str]:
    """A read-only engine on an Airflow metadata DB, and a display name for it.

    Args:
        target: a SQLAlchemy URL (``postgresql://...``, ``sqlite:////path/airflow.db``) or
            the path of a SQLite file.

    Raises:
        LineageImportError: the file does not exist, or the URL cannot be used.
    """
    path = _sqlite_path(target)
    if path is not None:
        if not path.is_file():
            raise LineageImportError(f"Airflow database {str(path)!r} does not exist; pass "
                                     "the path of airflow.db or a database URL")
        uri = f"file:{path.resolve()}?mode=ro"
        engine = sa.create_engine("sqlite://",
                                  creator=lambda: sqlite3.connect(uri, uri=True))
        return engine, str(path.resolve())
    try:
        url = sa.make_url(normalize_url(target))
        if url.get_backend_name() != "postgresql":
            raise LineageImportError(f"Airflow database URL {url.render_as_string()!r}: only "
                                     "PostgreSQL and SQLite metadata databases are supported")
        # every transaction read-only, enforced by the server
        engine = sa.create_engine(url, connect_args={
            "options": "-c default_transaction_read_only=on"})
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise LineageImportError(f"cannot use the Airflow database URL: {exc}; "
                                 "pass postgresql://user@host/db or a SQLite path") from exc
    return engine, engine.url.render_as_string(hide_password=True)


def _sqlite_path(target: str) -> Path | None:
    if target.startswith("sqlite:///"):
        return Path(target.removeprefix("sqlite:///").split("?", 1)[0])
    if "://" in target:
        return None
    return Path(target)


def detect_schema(conn: sa.Connection, name: str) -> AirflowSchema:
    """Read ``alembic_version`` and check the tables the import needs.

    Raises:
        LineageImportError: not an Airflow database, or a schema version not supported.
    """
    tables = set(sa.inspect(conn).get_table_names())
    if "alembic_version" not in tables or "task_instance" not in tables:
        raise LineageImportError(f"{name} is not an Airflow metadata database (no "
                                 "alembic_version / task_instance tables); point "
                                 "--airflow-db at the database Airflow's "
                                 "[database] sql_alchemy_conn names")
    revisions = [row[0] for row in conn.execute(sa.text("SELECT version_num FROM "
                                                        "alembic_version"))]
    revision = revisions[0] if len(revisions) == 1 else ",".join(sorted(revisions))
    if revision in AIRFLOW3_HEADS:
        schema = AirflowSchema(3, revision, AIRFLOW3_HEADS[revision])
    elif revision in AIRFLOW2_HEADS:
        schema = AirflowSchema(2, revision, AIRFLOW2_HEADS[revision])
    elif revision in _OLD_AIRFLOW:
        raise LineageImportError(f"{name} is an Airflow database older than 2.4 (schema "
                                 f"revision {revision!r}), before datasets existed; upgrade "
                                 "Airflow to 2.4 or newer (airflow db migrate) to import it")
    else:
        raise LineageImportError(
            f"{name} has Airflow schema revision {revision!r}, which this assetbridge does "
            "not know (supported: the schemas of Airflow 2.4-2.10 and 3.0-3.3); finish "
            "`airflow db migrate`, or upgrade assetbridge")
    needed = {f"{schema.asset_word}", f"{schema.asset_word}_event", "dag_run",
              "serialized_dag", f"task_outlet_{schema.asset_word}_reference",
              f"dag_schedule_{schema.asset_word}_reference"}
    missing = sorted(needed - tables)
    if missing:
        raise LineageImportError(f"{name} claims Airflow {schema.release} (revision "
                                 f"{revision!r}) but lacks tables {', '.join(missing)}; "
                                 "it is damaged or not Airflow's")
    return schema
