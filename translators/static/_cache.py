"""A content-addressed cache of what the static reader found in a file.

Python skips parsing a module whose bytecode in ``__pycache__`` is current, and so does
Airflow's DagBag; this cache does the same for the static reader. An entry is keyed by the
file's path, its bytes and the reader's own code, so an edit to the file, or a new
assetbridge, is a miss. Entries are JSON (validated back into the frozen models), written
atomically; an entry that cannot be read or written is ignored, never an error.

Where: ``$ASSETBRIDGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/assetbridge``, else
``~/.cache/assetbridge``. ``ASSETBRIDGE_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from translators.model import DagInfo, Diagnostic

__all__ = ["ReadCache", "default_cache"]

FileResult = tuple[list[DagInfo], list[Diagnostic]]
_ADAPTER: TypeAdapter[tuple[list[DagInfo], list[Diagnostic]]] = TypeAdapter(
    tuple[list[DagInfo], list[Diagnostic]])
_CODE_DIRS = (Path(__file__).parent,)
_CODE_FILES = (Path(__file__).parent.parent / "model.py",)
_code_tag: str | None = None


def _reader_code_tag() -> str:
    """A digest of the reader's own modules (size and mtime): a new reader, a new cache."""
    global _code_tag
    if _code_tag is None:
        digest = hashlib.blake2b(b"assetbridge-static-reader-v1", digest_size=16)
        files = sorted([*(p for d in _CODE_DIRS for p in d.glob("*.py")), *_CODE_FILES])
        for path in files:
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        _code_tag = digest.hexdigest()
    return _code_tag


class ReadCache:
    """Static-reader results by file content, in one folder."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory) / "static" / _reader_code_tag()

    def _entry(self, file: str, data: bytes) -> Path:
        digest = hashlib.blake2b(data, digest_size=20)
        digest.update(b"\0" + os.fsencode(file))
        name = digest.hexdigest()
        return self.directory / name[:2] / f"{name}.json"

    def get(self, file: str, data: bytes) -> FileResult | None:
        """The cached result for ``file`` with exactly these bytes, or None."""
        try:
            return _ADAPTER.validate_json(self._entry(file, data).read_bytes())
        except (OSError, ValueError, ValidationError):
            return None

    def put(self, file: str, data: bytes, result: FileResult) -> None:
        """Remember ``result`` for ``file`` with these bytes (best effort, atomic)."""
        entry = self._entry(file, data)
        document = json.dumps([[d.model_dump(mode="json") for d in result[0]],
                               [d.model_dump(mode="json") for d in result[1]]])
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(document)
            os.replace(temp, entry)
        except OSError:
            return


def default_cache() -> ReadCache | None:
    """The cache the environment asks for, or None when ``ASSETBRIDGE_NO_CACHE`` is set."""
    if os.environ.get("ASSETBRIDGE_NO_CACHE", "").strip() not in ("", "0"):
        return None
    directory = os.environ.get("ASSETBRIDGE_CACHE_DIR")
    if not directory:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".cache")
        directory = os.path.join(base, "assetbridge")
    return ReadCache(directory)
