"""I/O managers: in memory (tests), filesystem (CLI default) and SQL tables."""

from __future__ import annotations

from bridge.io._base import InputContext, IOManager, OutputContext, StoredOutput
from bridge.io._filesystem import FilesystemIOManager
from bridge.io._memory import InMemoryIOManager
from bridge.io._sql import SqlTableIOManager

__all__ = [
    "FilesystemIOManager",
    "IOManager",
    "InMemoryIOManager",
    "InputContext",
    "OutputContext",
    "SqlTableIOManager",
    "StoredOutput",
]
