"""Codemods: LibCST rewrites of Airflow DAG files (``assetbridge codemod``).

Commands are :class:`BridgeCommand` subclasses, one per module in ``codemods.commands``, each
carrying its own CHANGE/NO_CHANGE examples. :func:`run_codemods` applies them to files and
folders (diff, check or write; ``jobs`` processes); :func:`transform_source` to one string.
"""

from __future__ import annotations

from codemods._types import Change, FileResult, FileStatus, Mode, NoChange, Report
from codemods.base import BridgeCommand
from codemods.commands import get_command, list_commands
from codemods.runner import RunSummary, Transformed, run_codemods, transform_source

__all__ = [
    "BridgeCommand",
    "Change",
    "FileResult",
    "FileStatus",
    "Mode",
    "NoChange",
    "Report",
    "RunSummary",
    "Transformed",
    "get_command",
    "list_commands",
    "run_codemods",
    "transform_source",
]
