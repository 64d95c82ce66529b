"""Airflow ids and Python names from asset keys and group names, whatever text they hold.

Airflow ids allow letters, digits, ``_``, ``-`` and ``.``; anything else becomes ``_`` and a
short hash of the original keeps two different keys from meeting on one id. Python names
in generated files are identifiers that cannot shadow what the file imports.
"""

from __future__ import annotations

import hashlib
import keyword
import re

from bridge._keys import AssetKey

__all__ = ["NameRegistry", "dag_id_for", "task_id_for"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_MAX_ID = 200
#: names a generated file defines or imports itself
_RESERVED = frozenset({
    "AssetOperator", "AssetTask", "Asset", "Dataset", "DAG", "Param", "TaskGroup",
    "BaseOperator", "CronDataIntervalTimetable", "EXPORT_COMMAND", "RUNTIME",
    "ASSETS_TARGET", "PYTHON", "annotations", "dag", "datetime", "json", "os", "subprocess",
    "sys", "log", "logging",
})


class NameRegistry:
    """Hands out unique ids and Python names within one scope (an export, or one DAG)."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._vars: set[str] = set()
        self._groups: dict[str, str] = {}

    def unique_id(self, wanted: str, original: str) -> str:
        """``wanted`` made safe; a hash of ``original`` is appended if it had to change."""
        safe = _UNSAFE.sub("_", wanted).strip(".") or "_"
        if safe != wanted or len(safe) > _MAX_ID or safe.lower() in self._ids:
            digest = hashlib.sha1(original.encode()).hexdigest()[:8]
            safe = f"{safe[:_MAX_ID - 10]}__{digest}"
            while safe.lower() in self._ids:
                digest = hashlib.sha1(digest.encode()).hexdigest()[:8]
                safe = f"{safe[:_MAX_ID - 10]}__{digest}"
        self._ids.add(safe.lower())
        return safe

    def unique_var(self, wanted: str) -> str:
        """A Python identifier for ``wanted``, unique in this scope."""
        name = re.sub(r"\W", "_", wanted, flags=re.ASCII) or "_"
        if name[0].isdigit() or keyword.iskeyword(name) or name in _RESERVED \
                or name.startswith("__"):
            name = f"t_{name}"
        base, number = name, 2
        while name in self._vars:
            name, number = f"{base}_{number}", number + 1
        self._vars.add(name)
        return name

    def group_id(self, group: str | None) -> str:
        """A task group id for an asset group (stable within the scope)."""
        if group is None:
            return ""
        if group not in self._groups:
            self._groups[group] = self.unique_id(group, f"group:{group}")
        return self._groups[group]


def dag_id_for(prefix: str, label: str, first: AssetKey, names: NameRegistry) -> str:
    """``prefix + label``; a second DAG of the same label adds its first asset's name."""
    wanted = f"{prefix}{label}"
    safe = _UNSAFE.sub("_", wanted).strip(".") or "_"
    if safe.lower() in names._ids:
        wanted = f"{wanted}__{first.to_python_identifier()}"
    return names.unique_id(wanted, f"{wanted}\0{first}")


def task_id_for(key: AssetKey, label: str, names: NameRegistry) -> tuple[str, str]:
    """The task id of an asset and its Python name: the key without a leading part equal to
    the DAG's label (``sales/revenue`` in group ``sales`` is ``revenue``), parts joined by
    ``__``."""
    parts = key.parts[1:] if len(key.parts) > 1 and key.parts[0] == label else key.parts
    task_id = names.unique_id("__".join(parts), str(key))
    return task_id, names.unique_var(task_id)
