"""FilesystemIOManager: pickles values under a folder; the default for CLI runs."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from bridge._keys import AssetKey
from bridge.io._base import InputContext, IOManager, OutputContext, StoredOutput, missing_value

__all__ = ["FilesystemIOManager"]

_UNPARTITIONED = "__all__"


class FilesystemIOManager(IOManager):
    """Stores each value as ``BASE/<key parts>/<partition>.pkl``, written atomically.

    Args:
        base_dir: the folder that holds the values (created on first write).
    """

    def __init__(self, base_dir: str | os.PathLike[str]) -> None:
        self.base_dir = Path(base_dir)

    def path_for(self, key: AssetKey, partition: str | None) -> Path:
        """Where the value of ``key`` (and ``partition``) lives."""
        name = (partition or _UNPARTITIONED).replace("/", "_").replace(":", "-")
        return self.base_dir.joinpath(*key.parts, f"{name}.pkl")

    def handle_output(self, context: OutputContext, value: Any) -> StoredOutput:
        path = self.path_for(context.key, context.partition)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StoredOutput(
            data_version=hashlib.sha256(data).hexdigest()[:16],
            metadata={"path": str(path), "bytes": len(data)},
        )

    def load_input(self, context: InputContext) -> Any:
        path = self.path_for(context.key, context.partition)
        try:
            with path.open("rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            raise missing_value(context.key, context.partition, str(self.base_dir)) from None
