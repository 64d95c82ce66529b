"""Writing DAG files: one file per DAG, only when its text changes; stale files removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bridge._loading import load_target
from translators.export._options import ExportOptions
from translators.export._plan import DagPlan, ExportPlan, plan_export
from translators.export._render import _BANNER, assets_target_literal, render_dag

__all__ = ["ExportResult", "ExportedFile", "export_dags", "render_files"]


@dataclass(frozen=True)
class ExportedFile:
    """One written (or unchanged) DAG file."""

    dag: DagPlan
    path: Path
    #: False when the file already had exactly this text
    changed: bool


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_dags` wrote."""

    plan: ExportPlan
    out: Path
    files: tuple[ExportedFile, ...]
    #: files of an earlier export of the same assets whose DAG is gone (deleted)
    removed: tuple[Path, ...]


def render_files(plan: ExportPlan, assets_target: str) -> dict[str, str]:
    """File name -> source, for every DAG of ``plan``; ``assets_target`` is the Python
    expression the files use to name the assets."""
    return {dag.file_name: render_dag(dag, plan, assets_target) for dag in plan.dags}


def export_dags(target: str, out: str | Path, options: ExportOptions | None = None
                ) -> ExportResult:
    """Export the assets of ``target`` (file, folder or module) as DAG files into ``out``.

    Raises:
        TargetLoadError: the target cannot be imported.
        ExportError: nothing to export, or a bad job selection.
    """
    options = options or ExportOptions()
    out_dir = Path(out)
    loaded = load_target(target)
    plan = plan_export(loaded.assets, options)
    assets_target = assets_target_literal(target, str(out_dir), options)
    sources = render_files(plan, assets_target)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for dag in plan.dags:
        path = out_dir / dag.file_name
        text = sources[dag.file_name]
        changed = not path.is_file() or path.read_text(encoding="utf-8") != text
        if changed:
            path.write_text(text, encoding="utf-8")
        files.append(ExportedFile(dag, path, changed))
    removed = []
    for stale in sorted(out_dir.glob("*.py")):
        if stale.name not in sources and _generated(stale, f"ASSETS_TARGET = {assets_target}\n"):
            stale.unlink()
            removed.append(stale)
    return ExportResult(plan, out_dir, tuple(files), tuple(removed))


def _generated(path: Path, assets_line: str) -> bool:
    """Whether ``path`` was written by an export of the same assets (others are kept)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return text.startswith(_BANNER) and assets_line in text
