"""Settings of an in-process DAG run, and the Variables and Connections it sees.

Tasks look Variables and Connections up the way Airflow does: ``AIRFLOW_VAR_*`` /
``AIRFLOW_CONN_*`` environment variables first (Airflow's own lookup), then what the run
was given here (``variables=`` / ``connections=``, as mappings or as JSON/YAML/.env files in
the format of Airflow's local-filesystem secrets backend). A conn_id that names a SQL
resource and is defined nowhere else gets a Connection derived from the SQLAlchemy URL, so
``{{ conn.postgres_default.host }}`` still renders.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bridge.errors import ResourceError

__all__ = ["ExecutionSettings", "RunSecrets"]


@dataclass(frozen=True)
class ExecutionSettings:
    """How DAGs run in-process; every field has a default that suits most runs.

    Examples:
        >>> ExecutionSettings(retry_delay=0).retry_delay
        0
    """

    #: Variables by key (values that are not strings are stored as JSON), or a file
    variables: Mapping[str, Any] | str | Path | None = None
    #: Connections by conn_id (an Airflow URI or a dict of fields), or a file
    connections: Mapping[str, Any] | str | Path | None = None
    #: seconds between retries of every task, instead of each task's ``retry_delay``
    retry_delay: float | None = None
    #: when the run counts as triggered (``run_after``); default: the logical date
    run_after: datetime | None = None
    #: run independent tasks on this many threads
    max_workers: int = 1
    #: extra tags recorded on the bridge run
    tags: Mapping[str, str] = field(default_factory=dict)
    #: import the DAG files again even when their bytes are unchanged since an earlier
    #: run in this process (top-level code that reads the clock, Variables or helpers)
    reload_dags: bool = False


class RunSecrets:
    """The Variables and Connections of one run (see the module docstring)."""

    def __init__(self, settings: ExecutionSettings, sql_urls: Mapping[str, str]) -> None:
        self._variables = _load_variables(settings.variables)
        self._connections = _load_connections(settings.connections)
        self._sql_urls = dict(sql_urls)

    def variable(self, key: str) -> str | None:
        """A Variable's raw value as Airflow stores it (a string), or None."""
        return self._variables.get(key)

    def connection(self, conn_id: str) -> dict[str, Any] | None:
        """A Connection's fields, or None when the run does not define it."""
        found = self._connections.get(conn_id)
        if found is not None:
            return found
        url = self._sql_urls.get(conn_id)
        return None if url is None else _fields_from_sqlalchemy_url(url)


def _load_variables(source: Mapping[str, Any] | str | Path | None) -> dict[str, str]:
    if source is None:
        return {}
    if isinstance(source, (str, Path)):
        from airflow.secrets.local_filesystem import load_variables

        with _readable("Variables", source):
            source = load_variables(str(source))
    return {key: value if isinstance(value, str) else json.dumps(value)
            for key, value in source.items()}


def _load_connections(source: Mapping[str, Any] | str | Path | None) -> dict[str, dict[str, Any]]:
    if source is None:
        return {}
    if isinstance(source, (str, Path)):
        from airflow.secrets.local_filesystem import load_connections_dict

        with _readable("Connections", source):
            loaded = load_connections_dict(str(source))
        return {conn_id: _fields(conn) for conn_id, conn in loaded.items()}
    from airflow.sdk.definitions.connection import Connection

    found = {}
    for conn_id, value in source.items():
        if isinstance(value, str) and not value.lstrip().startswith("{"):
            conn = Connection.from_uri(value, conn_id=conn_id)
        else:
            data = json.loads(value) if isinstance(value, str) else dict(value)
            conn = Connection(conn_id=conn_id, **data)
        found[conn_id] = _fields(conn)
    return found


def _fields(conn: Any) -> dict[str, Any]:
    extra = conn.extra
    if extra is not None and not isinstance(extra, str):
        extra = json.dumps(extra)
    return {"conn_type": conn.conn_type or "generic", "host": conn.host, "schema": conn.schema,
            "login": conn.login, "password": conn.password, "port": conn.port, "extra": extra}


def _fields_from_sqlalchemy_url(text: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    url = make_url(text)
    return {"conn_type": url.get_backend_name(), "host": url.host, "schema": url.database,
            "login": url.username, "password": url.password, "port": url.port,
            "extra": json.dumps({"sqlalchemy_url": url.render_as_string(hide_password=False)})}


@contextlib.contextmanager
def _readable(what: str, path: str | Path) -> Iterator[None]:
    """Airflow's file errors (several lines, a code excerpt) as one-line ResourceErrors."""
    try:
        yield
    except Exception as exc:
        errors = getattr(exc, "parse_errors", None)
        if errors:
            first = errors[0]
            where = f"{path}:{first.line_no}" if first.line_no else str(path)
            reason = str(first.message).splitlines()[0]
        else:
            where, reason = str(path), (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ResourceError(f"cannot read Airflow {what} from {where}: {reason}; write them "
                            "as JSON, YAML or .env in the format of Airflow's local-filesystem "
                            "secrets backend") from exc
