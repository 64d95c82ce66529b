"""The shipped commands, one per module, listed explicitly (used by the CLI and the docs)."""

from __future__ import annotations

from codemods.base import BridgeCommand
from codemods.commands.airflow3 import MigrateToAirflow3Command
from codemods.commands.dag_to_assets import ConvertDagToAssetsCommand
from codemods.commands.kpo_modernize import ModernizeKpoCommand
from codemods.commands.kpo_portable import PortableKpoCommand

__all__ = ["COMMANDS", "ConvertDagToAssetsCommand", "MigrateToAirflow3Command",
           "ModernizeKpoCommand", "PortableKpoCommand", "get_command", "list_commands"]

#: every shipped command, in the order they are best applied
COMMANDS: tuple[type[BridgeCommand], ...] = (ModernizeKpoCommand, MigrateToAirflow3Command,
                                             PortableKpoCommand, ConvertDagToAssetsCommand)


def list_commands() -> list[tuple[str, str]]:
    """``(name, description)`` of every shipped command, in :data:`COMMANDS` order.

    Examples:
        >>> [name for name, _ in list_commands()]
        ['kpo-modernize', 'airflow3', 'kpo-portable', 'dag-to-assets']
    """
    return [(c.NAME, c.DESCRIPTION) for c in COMMANDS]


def get_command(name: str) -> type[BridgeCommand]:
    """The command class called ``name``.

    Raises:
        KeyError: no such command (the message lists the known ones).
    """
    for command in COMMANDS:
        if name == command.NAME:
            return command
    known = ", ".join(c.NAME for c in COMMANDS)
    raise KeyError(f"unknown codemod {name!r}; known: {known} (see `assetbridge codemod --list`)")
