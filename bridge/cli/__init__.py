"""The ``assetbridge`` command line."""

from __future__ import annotations

from bridge.cli import (
    _assets_commands,
    _codemod_command,
    _export_command,
    _lineage_commands,
    _query_commands,
    _run_commands,
    _translate_command,
    _ui_command,
)
from bridge.cli._app import cli

__all__ = ["cli", "main"]

_COMMAND_MODULES = (_codemod_command, _export_command, _query_commands, _run_commands,
                    _translate_command,
                    _ui_command, _assets_commands, _lineage_commands)


def main() -> None:
    """Entry point of the ``assetbridge`` console script."""
    cli(prog_name="assetbridge")
