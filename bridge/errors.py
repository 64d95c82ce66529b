"""The assetbridge error tree.

Every error the product raises on purpose derives from :class:`BridgeError`, so callers can
catch one class. Messages name the thing (asset key, file, field), say what is wrong and end
with what to do::

    BridgeError
    ├── DefinitionError            bad asset definitions: duplicate key, unknown dep, bad param
    │   ├── CycleError             the asset graph has a cycle (carries ``.cycle``)
    │   └── SelectionError         a selection names nothing that exists
    ├── ConfigError                run config does not validate (carries ``.asset_key``)
    ├── ResourceError              a resource an asset needs is missing or failed to build
    ├── TargetLoadError            a target file or module could not be imported
    ├── ProjectFileError           assetbridge.toml / [tool.assetbridge] is invalid
    ├── PartitionError             unknown or missing partition key
    ├── StoreError                 run storage cannot be opened, migrated or queried
    ├── GitError                   git is missing or a git command failed (impact --since)
    ├── InputNotFoundError         an upstream value was never stored by its I/O manager
    ├── AssetExecutionError        user code raised (carries ``.asset_key``; cause chained)
    ├── RunInterruptedError        the run was interrupted (Ctrl-C); the store marks it so
    ├── TranslationError           an Airflow DAG could not be read (carries file/line/dag/task)
    ├── CodemodSkip                a codemod declines a file (like ``libcst.codemod.SkipFile``)
    ├── ExportError                assets cannot be exported as asked (``translators.export``)
    └── LineageImportError         a lineage source cannot be imported (``translators.lineage``)
"""

from __future__ import annotations

__all__ = [
    "AssetExecutionError",
    "BridgeError",
    "CodemodSkip",
    "ConfigError",
    "CycleError",
    "DefinitionError",
    "GitError",
    "InputNotFoundError",
    "PartitionError",
    "ProjectFileError",
    "ResourceError",
    "RunInterruptedError",
    "SelectionError",
    "StoreError",
    "TargetLoadError",
    "TranslationError",
]


class BridgeError(Exception):
    """Root of every error assetbridge raises on purpose."""


class DefinitionError(BridgeError):
    """An asset definition is invalid (duplicate key, unknown dependency, bad parameter)."""


class CycleError(DefinitionError):
    """The asset graph has a cycle.

    Attributes:
        cycle: the asset keys on the cycle, in order, as ``/``-separated strings.
    """

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        path = " -> ".join([*cycle, cycle[0]]) if cycle else "?"
        super().__init__(f"asset graph has a cycle: {path}; remove one of these dependencies")


class SelectionError(DefinitionError):
    """A selection expression is malformed or names assets that do not exist."""


class ConfigError(BridgeError):
    """Run config for an asset does not validate against its config model."""

    def __init__(self, message: str, *, asset_key: str | None = None) -> None:
        self.asset_key = asset_key
        super().__init__(message)


class ResourceError(BridgeError):
    """A resource an asset needs is missing, or building it failed."""


class TargetLoadError(BridgeError):
    """A target (Python file, module or folder) could not be loaded."""


class ProjectFileError(BridgeError):
    """The project file (``assetbridge.toml`` or ``[tool.assetbridge]``) is invalid."""


class PartitionError(BridgeError):
    """A partition key is missing, malformed or outside the asset's partitions."""


class StoreError(BridgeError):
    """Run storage cannot be opened, migrated or queried."""


class GitError(BridgeError):
    """git is not installed, or a git command needed by ``impact --since`` failed."""


class InputNotFoundError(BridgeError):
    """An I/O manager has no stored value for an upstream asset (or partition)."""


class AssetExecutionError(BridgeError):
    """User code raised while materializing an asset.

    The original exception is chained as ``__cause__`` and kept in ``.original``.

    Attributes:
        asset_key: the asset whose function raised, as a ``/``-separated string.
        original: the exception raised by user code.
    """

    def __init__(self, asset_key: str, original: BaseException) -> None:
        self.asset_key = asset_key
        self.original = original
        super().__init__(
            f"asset {asset_key!r} failed: {type(original).__name__}: {original}"
        )


class RunInterruptedError(BridgeError):
    """The run was interrupted; the store records it as ``interrupted`` and it can resume."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(
            f"run {run_id!r} was interrupted; re-run with --from-failure {run_id} to resume"
        )


class TranslationError(BridgeError):
    """An Airflow DAG file or task could not be translated."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        dag_id: str | None = None,
        task_id: str | None = None,
        operator: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.dag_id = dag_id
        self.task_id = task_id
        self.operator = operator
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")


class CodemodSkip(BridgeError):
    """A codemod declines to change a file; the runner reports it as skipped with the reason."""
