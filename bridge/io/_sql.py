"""SqlTableIOManager: each asset is a SQL table named after its key (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import NoneType
from typing import Any

import sqlalchemy as sa

from bridge._keys import AssetKey
from bridge._sqlalchemy import create_engine
from bridge.errors import ResourceError
from bridge.io._base import InputContext, IOManager, OutputContext, StoredOutput, missing_value

__all__ = ["PARTITION_COLUMN", "REGISTRY_TABLE", "SqlTableIOManager"]

#: text column that holds each row's partition key in the table of a partitioned asset
PARTITION_COLUMN = "_partition"
#: lists the partitions written, so a partition stored with no rows still counts as stored
REGISTRY_TABLE = "assetbridge_partitions"
_DATAFRAME = re.compile(r"(?:(?:pd|pandas)(?:\.core\.frame)?\.)?DataFrame")
_DTYPE_KINDS = {"i": sa.BigInteger, "u": sa.BigInteger, "f": sa.Double, "b": sa.Boolean}
Rows = list[dict[str, Any]]
Types = dict[str, sa.types.TypeEngine[Any]]


class SqlTableIOManager(IOManager):
    """Stores each asset as a SQL table named after its key (``raw/orders`` -> ``raw__orders``).

    A value is rows: a list of dicts or a pandas DataFrame. Column types are inferred from
    the values (bool, int, float, str, datetime, date; anything else is stored as JSON).

    Each write is one transaction: an unpartitioned asset replaces the whole table; a
    partitioned one replaces its partition's rows, marked in the ``_partition`` column. An
    empty list keeps the table's columns and clears its rows (or the partition's); the first
    write of an unpartitioned asset needs a row or a DataFrame with columns, since a SQL table
    needs a column. Row order is not kept, nor a DataFrame's index (``reset_index()`` first).
    A consumer annotated ``pd.DataFrame`` gets a DataFrame, any other a list of dicts.

    Args:
        url_or_engine: a SQLAlchemy URL (``sqlite:///assets.db``, ``postgresql://u@h/db``)
            or an ``sqlalchemy.Engine``. A URL's engine is created on first use.
        schema: the database schema that holds the tables (default: the connection's).

    Examples:
        >>> from bridge._spec import AssetSpec
        >>> io, spec = SqlTableIOManager("sqlite://"), AssetSpec(key="raw/orders")
        >>> io.handle_output(OutputContext(spec.key, spec, None, "r1"), [{"id": 1}]).metadata
        {'table': 'raw__orders', 'rows': 1}
        >>> io.load_input(InputContext(spec.key, spec, None))
        [{'id': 1}]
    """

    def __init__(self, url_or_engine: str | sa.Engine, *, schema: str | None = None) -> None:
        self.schema = schema
        self._url = url_or_engine if isinstance(url_or_engine, str) else None
        self._engine = None if isinstance(url_or_engine, str) else url_or_engine
        self._lock = threading.Lock()

    @property
    def engine(self) -> sa.Engine:
        """The engine; created from the URL on first use (SQLite gets a busy timeout)."""
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = create_engine(str(self._url))
                except (sa.exc.SQLAlchemyError, ImportError, OSError) as exc:
                    raise ResourceError(
                        f"SqlTableIOManager cannot use {self._url!r}: {exc}; pass a SQLAlchemy "
                        "URL like sqlite:///warehouse.db or postgresql://user@host/db"
                    ) from exc
            return self._engine

    def dispose(self) -> None:
        """Close the pooled connections of an engine this manager created from a URL."""
        if self._url is not None and self._engine is not None:
            self._engine.dispose()

    def handle_output(self, context: OutputContext, value: Any) -> StoredOutput:
        key, partition, name = context.key, context.partition, context.key.to_python_identifier()
        rows, types = _table_data(key, value, partitioned=partition is not None)
        canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str)
        try:
            with self._transaction(name) as conn:
                if partition is None:
                    self._replace_table(conn, key, name, types, rows)
                else:
                    self._replace_partition(conn, name, types, rows, partition)
        except sa.exc.SQLAlchemyError as exc:
            raise ResourceError(f"cannot store asset {str(key)!r} in {self._where(name)}: "
                                f"{_reason(exc)}; nothing was changed") from exc
        return StoredOutput(
            data_version=hashlib.sha256(canonical.encode()).hexdigest()[:16],
            metadata={"table": self._qualified(name), "rows": len(rows)},
        )

    def load_input(self, context: InputContext) -> Any:
        key, partition, name = context.key, context.partition, context.key.to_python_identifier()
        try:
            with self.engine.connect() as conn:
                table = self._reflect(conn, name)
                if table is None or (partition is not None and PARTITION_COLUMN not in table.c):
                    raise missing_value(key, partition, self._where(name))
                query = sa.select(*[c for c in table.c
                                    if partition is None or c.name != PARTITION_COLUMN])
                if partition is not None:
                    query = query.where(table.c[PARTITION_COLUMN] == partition)
                result = conn.execute(query)
                columns, rows = list(result.keys()), [dict(row._mapping) for row in result]
                if partition is not None and not rows and not self._stored(conn, name, partition):
                    raise missing_value(key, partition, self._where(name))
        except sa.exc.SQLAlchemyError as exc:
            raise ResourceError(f"cannot load asset {str(key)!r} from {self._where(name)}: "
                                f"{_reason(exc)}") from exc
        if _wants_dataframe(context.annotation):
            import pandas as pd

            return pd.DataFrame(rows, columns=columns)
        return rows

    @contextmanager
    def _transaction(self, name: str) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            dbapi = conn.connection.dbapi_connection  # an engine made elsewhere may not BEGIN
            if conn.dialect.name == "sqlite" and not getattr(dbapi, "in_transaction", True):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            _lock(conn, self._qualified(name))  # one writer per table at a time
            yield conn

    def _replace_table(self, conn: sa.Connection, key: AssetKey, name: str, types: Types,
                       rows: Rows) -> None:
        existing, wanted = self._reflect(conn, name), self._table(name, types)
        if existing is None and not types:
            raise ResourceError(
                f"cannot create table {name!r} for asset {str(key)!r} from an empty list: no "
                "column is known; return at least one row or a DataFrame with columns")
        if existing is not None and (not types or _same_columns(existing, wanted, conn)):
            conn.execute(existing.delete())  # keeps grants and views on the table
        else:
            if existing is not None:
                existing.drop(conn)
            wanted.create(conn)
        if rows:
            conn.execute(wanted.insert(), rows)

    def _replace_partition(self, conn: sa.Connection, name: str, types: Types, rows: Rows,
                           partition: str) -> None:
        table = self._table(name, {PARTITION_COLUMN: sa.Text(), **types})
        existing = self._reflect(conn, name)
        if existing is None:
            sa.Index(f"ix_{name}{PARTITION_COLUMN}", table.c[PARTITION_COLUMN])
            table.create(conn)
        else:
            new = [c for c in table.columns if c.name not in existing.c]
            for column in new:
                spec = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
                target = conn.dialect.identifier_preparer.format_table(existing)
                conn.exec_driver_sql(f"ALTER TABLE {target} ADD {spec}")
            reflected = self._reflect(conn, name) if new else existing
            table = table if reflected is None else reflected  # binds with the table's types
            conn.execute(table.delete().where(table.c[PARTITION_COLUMN] == partition))
        if rows:
            conn.execute(table.insert(), [{**row, PARTITION_COLUMN: partition} for row in rows])
        registry = self._registry()
        if not sa.inspect(conn).has_table(REGISTRY_TABLE, schema=self.schema):
            _lock(conn, self._qualified(REGISTRY_TABLE))  # concurrent first writers wait
            registry.create(conn, checkfirst=True)
        conn.execute(registry.delete().where(registry.c.table_name == name,
                                             registry.c.partition == partition))
        conn.execute(registry.insert().values(table_name=name, partition=partition))

    def _stored(self, conn: sa.Connection, name: str, partition: str) -> bool:
        if not sa.inspect(conn).has_table(REGISTRY_TABLE, schema=self.schema):
            return False
        registry = self._registry()
        query = sa.select(registry.c.partition).where(registry.c.table_name == name,
                                                      registry.c.partition == partition)
        return conn.execute(query).first() is not None

    def _table(self, name: str, types: Types) -> sa.Table:
        columns = [sa.Column(column, kind) for column, kind in types.items()]
        return sa.Table(name, sa.MetaData(), *columns, schema=self.schema)

    def _registry(self) -> sa.Table:
        return sa.Table(REGISTRY_TABLE, sa.MetaData(),
                        sa.Column("table_name", sa.String(), primary_key=True),
                        sa.Column("partition", sa.String(), primary_key=True),
                        schema=self.schema)

    def _reflect(self, conn: sa.Connection, name: str) -> sa.Table | None:
        try:
            return sa.Table(name, sa.MetaData(), schema=self.schema, autoload_with=conn)
        except sa.exc.NoSuchTableError:
            return None

    def _qualified(self, name: str) -> str:
        return f"{self.schema}.{name}" if self.schema else name

    def _where(self, name: str) -> str:
        engine = self._engine
        url = engine.url.render_as_string(hide_password=True) if engine else str(self._url)
        return f"table {self._qualified(name)!r} of {url}"


def _table_data(key: AssetKey, value: Any, *, partitioned: bool) -> tuple[Rows, Types]:
    """Rows as plain dicts that all have every column, and the inferred column types."""
    hints: dict[str, type[sa.types.TypeEngine[Any]]] = {}
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a pandas DataFrame
        frame = value.astype(object).where(value.notna(), None)
        raw = [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
        names = [str(column) for column in value.columns]
        hints = {str(c): _DTYPE_KINDS[d.kind] for c, d in value.dtypes.items()
                 if d.kind in _DTYPE_KINDS}
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and all(
            isinstance(row, Mapping) for row in value):
        raw = [dict(row) for row in value]
        names = list(dict.fromkeys(column for row in raw for column in row))
    else:
        raise ResourceError(
            f"asset {str(key)!r} returned {type(value).__name__}, which SqlTableIOManager "
            "cannot store: return a list of dicts (one per row) or a pandas DataFrame, or "
            "give the asset another io_manager")
    if not all(isinstance(c, str) and c for c in names) or (partitioned and PARTITION_COLUMN
                                                            in names):
        raise ResourceError(f"asset {str(key)!r} has columns {names!r}: use non-empty string "
                            f"names other than {PARTITION_COLUMN!r} (it holds partition keys)")
    rows = [{column: row.get(column) for column in names} for row in raw]
    types = {c: _infer_type([row[c] for row in rows], hints.get(c)) for c in names}
    for column in [c for c, kind in types.items() if isinstance(kind, sa.JSON)]:
        try:
            json.dumps([row[column] for row in rows])
        except (TypeError, ValueError) as exc:
            raise ResourceError(f"asset {str(key)!r}: column {column!r} holds a value that is "
                                f"not JSON ({exc}); convert it to str, number, list or dict"
                                ) from exc
    return rows, types


def _infer_type(values: list[Any], hint: type[sa.types.TypeEngine[Any]] | None,
                ) -> sa.types.TypeEngine[Any]:
    """bool, int, float, str, datetime, date -> their SQL type; anything else -> JSON."""
    present = [value for value in values if value is not None]
    kinds = {type(value) for value in present}

    def only(*allowed: type, but: type = NoneType) -> bool:
        return bool(kinds) and all(issubclass(k, allowed) and not issubclass(k, but)
                                   for k in kinds)

    if only(bool):
        return sa.Boolean()
    if only(int, but=bool) and all(-(2**63) <= value < 2**63 for value in present):
        return sa.BigInteger()
    if only(int, float, but=bool):
        return sa.Double()
    if only(str):
        return sa.Text()
    if only(datetime):
        return sa.DateTime(timezone=any(value.tzinfo is not None for value in present))
    if only(date, but=datetime):
        return sa.Date()
    return hint() if hint and not kinds else sa.JSON(none_as_null=True)


def _plain(value: Any) -> Any:
    """A pandas or numpy scalar as the plain Python value that drivers understand."""
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value.item() if type(value).__module__ == "numpy" else value


def _lock(conn: sa.Connection, name: str) -> None:
    """On PostgreSQL, wait for other writers of ``name`` until this transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                     {"k": f"assetbridge:{name}"})


def _same_columns(old: sa.Table, new: sa.Table, conn: sa.Connection) -> bool:
    try:
        return [(c.name, str(c.type.compile(dialect=conn.dialect))) for c in old.columns] == [
            (c.name, str(c.type.compile(dialect=conn.dialect))) for c in new.columns]
    except sa.exc.CompileError:  # a type this dialect cannot render: treat as changed
        return False


def _reason(exc: sa.exc.SQLAlchemyError) -> str:
    """The first line of the database's own message (SQLAlchemy adds the SQL and a link)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__


def _wants_dataframe(annotation: Any) -> bool:
    """True when a consumer's annotation names ``pandas.DataFrame`` (class or string)."""
    if isinstance(annotation, type):
        return annotation.__name__ == "DataFrame" and annotation.__module__.startswith("pandas")
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return annotation is not None and any(
        _DATAFRAME.fullmatch(part.strip().strip("'\"")) for part in text.split("|"))
