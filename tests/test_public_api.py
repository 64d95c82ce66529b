"""Each package's ``__all__`` is its public surface: pinned here (httpx pattern)."""

from __future__ import annotations

import importlib

import pytest

import bridge

BRIDGE_PUBLIC = {
    "Asset", "AssetContext", "AssetGraph", "AssetKey", "AssetOutcome", "AssetSpec",
    "AssetStatus", "AssetStatusReport", "BackfillResult", "DailyPartitions",
    "FilesystemIOManager", "HourlyPartitions", "IOManager", "InMemoryIOManager",
    "InMemoryStore", "MonthlyPartitions", "PartitionsDefinition", "RetryPolicy", "RunOptions",
    "RunResult", "RunStatus", "SkipAsset", "SourceAsset", "SqlStore", "SqlTableIOManager",
    "StaticPartitions", "Store", "TriggerRule", "asset", "asset_statuses", "backfill",
    "changed_assets_since", "impacted_assets", "materialize", "multi_asset", "provenance",
    "ContainerTask", "SubprocessContainerRunner", "context_value",
    "refresh_plan", "select",
}


TRANSLATORS_PUBLIC = {
    "AirflowTranslator", "AssetExpression", "AssetRecord", "AssetRef", "AssetTranslation",
    "DagInfo", "Diagnostic", "ReadMode", "ReadResult", "TaskInfo", "airflow_asset_key",
    "dags_to_assets", "read_dags", "read_live", "read_static", "to_dot", "to_mermaid",
    "ExportOptions", "airflow_dags", "export_dags",
    "translate_document",
}


def test_translators_all_is_pinned() -> None:
    import translators

    assert set(translators.__all__) == TRANSLATORS_PUBLIC
    assert sorted(translators.__all__) == translators.__all__
    for name in TRANSLATORS_PUBLIC:
        assert getattr(translators, name) is not None


CODEMODS_PUBLIC = {
    "BridgeCommand", "Change", "FileResult", "FileStatus", "Mode", "NoChange", "Report",
    "RunSummary", "Transformed", "get_command", "list_commands", "run_codemods",
    "transform_source",
}


def test_codemods_all_is_pinned() -> None:
    import codemods

    assert set(codemods.__all__) == CODEMODS_PUBLIC
    for name in CODEMODS_PUBLIC:
        assert getattr(codemods, name) is not None


def test_bridge_all_is_pinned() -> None:
    assert set(bridge.__all__) == BRIDGE_PUBLIC
    assert sorted(bridge.__all__) == bridge.__all__


@pytest.mark.parametrize("name", sorted(BRIDGE_PUBLIC))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(bridge, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        bridge.nope  # noqa: B018


@pytest.mark.parametrize("package", ["bridge.io", "bridge.storage", "bridge.runner",
                                     "bridge.errors"])
def test_subpackage_all_names_exist(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.__all__ names missing {name!r}"


def test_bridge_never_imports_airflow() -> None:
    import subprocess
    import sys

    code = ("import sys, bridge, bridge.cli; from bridge import materialize, asset; "
            "import bridge.runner, bridge.storage, bridge.io, translators, codemods; "
            "print('airflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
