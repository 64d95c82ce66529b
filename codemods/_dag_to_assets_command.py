"""The traversal of ``dag-to-assets`` (the command class in ``commands/dag_to_assets.py``
adds its name and examples)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from codemods._dag_to_assets_build import ASSET_IMPORT, build_assets
from codemods._dag_to_assets_plan import NotConvertible, plan_dag
from codemods._dag_to_assets_settings import loader_source, read_settings
from codemods.base import BridgeCommand

__all__ = ["DagToAssetsRules", "loader_name"]


def loader_name(module: str) -> str:
    """The loader file written next to asset module ``module`` (``etl`` -> ``etl_dag.py``)."""
    return f"{module}_dag.py"


def _export_available() -> bool:
    try:
        return importlib.util.find_spec("translators.export") is not None
    except (ImportError, ValueError):  # ValueError: marked unimportable in sys.modules
        return False


class DagToAssetsRules(BridgeCommand):
    """Rewrites the module in place into assets; the loader is a companion file."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        #: files to create next to the rewritten one: (file name, source)
        self.companions: tuple[tuple[str, str], ...] = ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        plan = plan_dag(tree, self.qualified_name)
        if plan is None:
            return tree
        if isinstance(plan, NotConvertible):
            self.report(plan.node, plan.code, f"DAG left as is: {plan.message}")
            return tree
        settings = read_settings(tree, plan, self.qualified_name)
        built = build_assets(tree, plan, settings)
        if isinstance(built, NotConvertible):
            self.report(built.node, built.code, f"DAG left as is: {built.message}")
            return tree
        for node, setting in settings.dropped:
            self.report(node, "dag-setting", f"{setting} is not carried over: the exported DAG "
                        "has no such option, so Airflow runs it without; set it by hand on "
                        "the DAG airflow_dags returns in the loader, or drop it")
        filename = self.context.filename or ""
        if filename.endswith(".py"):
            module = Path(filename).stem
            if not module.isidentifier():
                self.report(plan.statements[0], "module-name", f"{module!r} cannot be "
                            "imported by a loader; rename the file to a Python identifier")
                return tree
            self.companions = ((loader_name(module), loader_source(module, settings.options)),)
            if not _export_available():
                self.report(plan.statements[0], "export-unavailable",
                            f"{loader_name(module)} needs translators.export (assetbridge "
                            "export), which this installation does not have yet: it will not "
                            "load in Airflow until assetbridge is upgraded")
        if isinstance(plan.schedule, cst.BaseExpression):
            self.report(plan.schedule, "schedule", "the schedule is not a string; the loader "
                        "exports the DAG for manual runs: pass schedule= to airflow_dags")
        if ASSET_IMPORT not in built.code:
            AddImportsVisitor.add_needed_import(self.context, "bridge", "asset")
        if any(arg.startswith("retry=") for arg in settings.asset_args):
            AddImportsVisitor.add_needed_import(self.context, "bridge", "RetryPolicy")
        return built
