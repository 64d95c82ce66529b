"""Lineage import: Airflow's history as assets, in the bridge store's asset catalog.

Three importers fill the catalog (:meth:`bridge.storage.Store.put_catalog`) and its history
incrementally, each keyed exactly as ``assetbridge translate`` keys the same DAG files:

- :func:`import_airflow_db`: an Airflow 2.4+ / 3.x metadata database, read-only;
- :func:`import_openlineage`: OpenLineage run events (NDJSON files or folders);
- :func:`import_airflow_api`: a running Airflow 3 through its REST API v2.

:func:`asset_views` answers ``assetbridge assets`` for imported and bridge-defined assets.
"""

from __future__ import annotations

from translators.lineage._api_client import AirflowApiClient
from translators.lineage._api_import import import_airflow_api
from translators.lineage._db_import import import_airflow_db
from translators.lineage._errors import LineageImportError
from translators.lineage._openlineage import dataset_key, import_openlineage
from translators.lineage._result import ImportResult
from translators.lineage._views import (
    AssetView,
    asset_views,
    lineage_document,
    lineage_graph,
    lineage_records,
)

__all__ = [
    "AirflowApiClient",
    "AssetView",
    "ImportResult",
    "LineageImportError",
    "asset_views",
    "dataset_key",
    "import_airflow_api",
    "import_airflow_db",
    "import_openlineage",
    "lineage_document",
    "lineage_graph",
    "lineage_records",
]
