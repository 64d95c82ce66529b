"""Lineage import: Airflow's history as assets, into the bridge store's asset catalog."""

from __future__ import annotations

from translators.lineage._db_import import import_airflow_db
from translators.lineage._errors import LineageImportError
from translators.lineage._result import ImportResult

__all__ = ["ImportResult", "LineageImportError", "import_airflow_db"]
