"""Airflow <-> assets: read DAG files (statically or through Airflow) into one asset graph.

Nothing here imports Airflow at import time; the live reader and the executor import it
when called (``pip install 'assetbridge[airflow]'``).
"""

from __future__ import annotations

from translators.contract import AssetRecord, AssetTranslation, translate_document
from translators.export import ExportOptions, airflow_dags, export_dags
from translators.live import read_live
from translators.model import AssetExpression, AssetRef, DagInfo, Diagnostic, ReadResult, TaskInfo
from translators.reading import ReadMode, read_dags
from translators.render import to_dot, to_mermaid
from translators.static import read_static
from translators.to_assets import dags_to_assets
from translators.translator import AirflowTranslator, airflow_asset_key

__all__ = [
    "AirflowTranslator",
    "AssetExpression",
    "AssetRecord",
    "AssetRef",
    "AssetTranslation",
    "DagInfo",
    "Diagnostic",
    "ExportOptions",
    "ReadMode",
    "ReadResult",
    "TaskInfo",
    "airflow_asset_key",
    "airflow_dags",
    "dags_to_assets",
    "export_dags",
    "read_dags",
    "read_live",
    "read_static",
    "to_dot",
    "to_mermaid",
    "translate_document",
]
