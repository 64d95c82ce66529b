"""Airflow <-> assets: read DAG files (statically or through Airflow) into one asset graph."""

from __future__ import annotations

from translators.model import AssetExpression, AssetRef, DagInfo, Diagnostic, ReadResult, TaskInfo

__all__ = ["AssetExpression", "AssetRef", "DagInfo", "Diagnostic", "ReadResult", "TaskInfo"]
