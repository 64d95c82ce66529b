"""SQL operators against a SQLAlchemy engine chosen by conn_id.

``SQLExecuteQueryOperator`` and its relatives (``common.sql``'s ``BaseSQLOperator``
subclasses) normally build a provider hook from the Airflow Connection (``PostgresHook``
for ``postgres_default`` ...). In an in-process run, a SQL resource named like the conn_id
(a SQLAlchemy URL or ``Engine``) replaces that hook with :func:`sqlalchemy_hook`: the same
``DbApiHook`` machinery (statement splitting, handlers, autocommit) over the resource's
engine, so a test can point ``postgres_default`` at a SQLite file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SqlResources", "is_sql_operator", "sqlalchemy_hook", "use_sql_resource"]

#: DB-API parameter style per SQLAlchemy dialect, where it is not ``%s``
_PLACEHOLDERS = {"sqlite": "?", "duckdb": "?", "oracle": ":1"}


class SqlResources:
    """conn_id -> engine, created lazily from URLs and disposed of at the end of a run.

    Examples:
        >>> sql = SqlResources({"warehouse": "sqlite://"})
        >>> sql.urls()
        {'warehouse': 'sqlite://'}
        >>> sql.engine("warehouse").dialect.name
        'sqlite'
        >>> sql.close()
    """

    def __init__(self, targets: Mapping[str, Any]) -> None:
        self._targets = dict(targets)
        self._owned: dict[str, Any] = {}

    def __contains__(self, conn_id: object) -> bool:
        return conn_id in self._targets

    def urls(self) -> dict[str, str]:
        """conn_id -> SQLAlchemy URL text (password included, for derived Connections)."""
        return {conn_id: (target if isinstance(target, str)
                          else target.url.render_as_string(hide_password=False))
                for conn_id, target in self._targets.items()}

    def engine(self, conn_id: str) -> Any:
        """The engine for ``conn_id`` (created on first use from a URL)."""
        target = self._targets[conn_id]
        if not isinstance(target, str):
            return target
        if conn_id not in self._owned:
            from sqlalchemy import create_engine

            self._owned[conn_id] = create_engine(target)
        return self._owned[conn_id]

    def close(self) -> None:
        """Dispose of the engines this object created (not those it was given)."""
        for engine in self._owned.values():
            engine.dispose()
        self._owned.clear()


def is_sql_operator(task: Any) -> bool:
    """Whether ``task`` is a ``common.sql`` operator (needs the common-sql provider)."""
    try:
        from airflow.providers.common.sql.operators.sql import BaseSQLOperator
    except ImportError:  # pragma: no cover - the provider ships with Airflow 3
        return False
    return isinstance(task, BaseSQLOperator)


def use_sql_resource(task: Any, sql: SqlResources) -> bool:
    """Give a rendered SQL operator the hook of its conn_id's resource, if there is one."""
    conn_id = getattr(task, getattr(task, "conn_id_field", "conn_id"), None)
    if not isinstance(conn_id, str) or conn_id not in sql:
        return False
    # BaseSQLOperator caches its hook in the ``_hook`` cached_property
    task.__dict__["_hook"] = sqlalchemy_hook(conn_id, sql.engine(conn_id))
    return True


def sqlalchemy_hook(conn_id: str, engine: Any) -> Any:
    """A ``DbApiHook`` whose connections come from ``engine``."""
    from airflow.providers.common.sql.hooks.sql import DbApiHook
    from airflow.sdk.definitions.connection import Connection

    class SqlAlchemyHook(DbApiHook):  # type: ignore[misc]
        """DbApiHook over a SQLAlchemy engine (in-process runs)."""

        conn_name_attr = "sql_conn_id"
        default_conn_name = conn_id
        # commit explicitly after each run (DbApiHook does so when autocommit is off)
        supports_autocommit = False
        supports_executemany = True
        _placeholder = _PLACEHOLDERS.get(engine.dialect.name, "%s")

        def __init__(self) -> None:
            url = engine.url
            connection = Connection(conn_id=conn_id, conn_type=url.get_backend_name(),
                                    host=url.host, schema=url.database, login=url.username,
                                    password=url.password, port=url.port)
            super().__init__(sql_conn_id=conn_id, connection=connection)

        def get_conn(self) -> Any:
            return engine.raw_connection()

        def get_uri(self) -> str:
            return str(engine.url.render_as_string(hide_password=False))

        @property
        def sqlalchemy_url(self) -> Any:
            return engine.url

        def get_sqlalchemy_engine(self, engine_kwargs: Any = None) -> Any:
            return engine

        @property
        def dialect_name(self) -> str:
            return str(engine.dialect.name)

    return SqlAlchemyHook()
