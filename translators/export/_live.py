"""``airflow_dags``: live Airflow DAG objects for a DAG file to hand to Airflow.

The DAGs are built by executing the same source ``assetbridge export`` writes (so a live
DAG and a file are the same DAG), compiled under the calling DAG file's name so Airflow
records that file as the DAGs' location.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from bridge._asset import Asset
from bridge._loading import _assets_in
from translators.export._options import ExportError, ExportOptions
from translators.export._plan import plan_export
from translators.export._render import literal, render_dag

__all__ = ["airflow_dags"]

_HERE = str(Path(__file__).resolve().parent)


def airflow_dags(assets_module_or_list: ModuleType | Iterable[Asset], *,
                 target: str = "airflow3", **options: Any) -> dict[str, Any]:
    """Airflow DAG objects for the assets of a module (or a list of assets), by dag_id.

    In ``dags/assets.py``::

        from translators.export import airflow_dags
        import my_assets
        globals().update(airflow_dags(my_assets))

    Args:
        assets_module_or_list: a module defining assets, or the assets themselves.
        target: ``airflow3`` (the Airflow of this interpreter; Airflow 2 DAGs are files:
            ``assetbridge export --target airflow2``).
        options: any :class:`ExportOptions` field (``group_by``, ``jobs``, ``schedule``,
            ``env``, ``store``...).

    Raises:
        ExportError: bad options, Airflow 2 asked for, or nothing to export.
    """
    if target != "airflow3":
        raise ExportError(f"live DAG objects are built for Airflow 3 only, not {target!r}; "
                          "for Airflow 2 write files: assetbridge export TARGET --out DIR "
                          "--target airflow2")
    from translators.export.runtime import register_assets  # the runner, only when needed

    settings = ExportOptions(target="airflow3", **options)
    assets, reference, folder = _resolve(assets_module_or_list)
    register_assets(reference, assets, folder)
    plan = plan_export(assets, settings)
    filename = _caller_file()
    dags: dict[str, Any] = {}
    for dag_plan in plan.dags:
        source = render_dag(dag_plan, plan, literal(settings.assets_target or reference))
        namespace: dict[str, Any] = {"__name__": f"assetbridge_export_{dag_plan.dag_id}",
                                     "__file__": filename}
        exec(compile(source, filename, "exec"), namespace)
        dags[dag_plan.dag_id] = namespace["dag"]
    return dags


def _resolve(value: ModuleType | Iterable[Asset]) -> tuple[list[Asset], str, Path | None]:
    """The assets, the reference tasks load them by, and their folder (assetbridge.toml)."""
    if isinstance(value, ModuleType):
        assets = _assets_in(value)
        file = getattr(value, "__file__", None)
        folder = Path(file).resolve().parent if file else None
        importable = sys.modules.get(value.__name__) is value and value.__name__ != "__main__"
        reference = value.__name__ if importable or not file else str(Path(file).resolve())
    else:
        assets = list(value)
        keys = ",".join(sorted(str(key) for item in assets for key in item.keys))
        reference = "assetbridge-live:" + hashlib.sha256(keys.encode()).hexdigest()[:16]
        sources = {item.source[0] for item in assets if item.source}
        folder = Path(sorted(sources)[0]).resolve().parent if sources else None
    if not assets:
        raise ExportError(f"{value!r} defines no assets; decorate functions with @asset")
    return assets, reference, folder


def _caller_file() -> str:
    frame = sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve().parent) == _HERE:
        frame = frame.f_back  # type: ignore[assignment]
    return frame.f_code.co_filename if frame is not None else "<assetbridge>"
