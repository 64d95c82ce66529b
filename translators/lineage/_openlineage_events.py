"""OpenLineage run events as read from files: parsing and validation, nothing written.

Files are NDJSON (one event per line, the file transport's ``append`` mode) or one JSON
document per file (its default mode, a file per event); a folder is read file by file in
name order. Every event is validated before anything is imported, so a malformed event
anywhere stops the import with ``file:line`` and writes nothing.

The models keep only the fields the import uses and ignore the rest (``extra="ignore"``,
not ``forbid``): OpenLineage events carry producer-specific facets by design.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from translators.lineage._errors import LineageImportError

__all__ = ["OLDataset", "OLRunEvent", "event_files", "read_events"]

_MODEL = ConfigDict(frozen=True, extra="ignore")
_SUFFIXES = {".json", ".ndjson", ".jsonl", ".log", ""}


class OLDataset(BaseModel):
    """An input or output dataset: ``namespace`` + ``name``."""

    model_config = _MODEL
    namespace: str
    name: str


class OLJob(BaseModel):
    """The job of a run event."""

    model_config = _MODEL
    namespace: str
    name: str
    facets: dict[str, Any] = {}


class OLRun(BaseModel):
    """The run of a run event."""

    model_config = _MODEL
    runId: str
    facets: dict[str, Any] = {}


class OLRunEvent(BaseModel):
    """One OpenLineage RunEvent."""

    model_config = _MODEL
    eventType: Literal["START", "RUNNING", "COMPLETE", "FAIL", "ABORT", "OTHER"]
    eventTime: datetime.datetime
    run: OLRun
    job: OLJob
    inputs: tuple[OLDataset, ...] = ()
    outputs: tuple[OLDataset, ...] = ()

    def airflow_task(self) -> tuple[str, str] | None:
        """``(dag_id, task_id)`` from Airflow's facets, when an Airflow task emitted it."""
        airflow = self.run.facets.get("airflow")
        if isinstance(airflow, dict):
            dag, task = airflow.get("dag") or {}, airflow.get("task") or {}
            if isinstance(dag, dict) and isinstance(task, dict) and dag.get("dag_id") and \
                    task.get("task_id"):
                return str(dag["dag_id"]), str(task["task_id"])
        job_type = self.job.facets.get("jobType")
        parent = self.run.facets.get("parent")
        if not (isinstance(job_type, dict) and job_type.get("integration") == "AIRFLOW"
                and isinstance(parent, dict)):
            return None
        dag_id = str((parent.get("job") or {}).get("name") or "")
        if dag_id and self.job.name.startswith(dag_id + "."):
            return dag_id, self.job.name[len(dag_id) + 1:]
        return None

    def timestamp(self) -> float:
        """``eventTime`` in seconds since the epoch (naive times are UTC)."""
        when = self.eventTime
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.timestamp()


def event_files(path: Path) -> list[Path]:
    """The event files of a file or folder (hidden files skipped), sorted by name."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def read_events(file: Path, offset: int) -> tuple[list[OLRunEvent], int]:
    """The run events of ``file`` from byte ``offset`` on, and the offset after them.

    Raises:
        LineageImportError: a line or document is not a valid OpenLineage RunEvent.
    """
    data = file.read_bytes()
    if offset > len(data):  # the file was rewritten: read it again from the start
        offset = 0
    text = data[offset:].decode("utf-8", errors="strict")
    if not text.strip():
        return [], len(data)
    first_line = data[:offset].count(b"\n") + 1
    try:
        documents = [(first_line, json.loads(text))]
    except json.JSONDecodeError:
        documents = list(_lines(file, text, first_line))
    events: list[OLRunEvent] = []
    for line, document in documents:
        items = document if isinstance(document, list) else [document]
        events.extend(_event(file, line, item) for item in items)
    return events, len(data)


def _lines(file: Path, text: str, first_line: int) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=first_line):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise LineageImportError(f"{file}:{number}: not JSON ({exc.msg}); OpenLineage "
                                     "files hold one JSON event per line or one JSON "
                                     "document; nothing was imported") from exc


def _event(file: Path, line: int, item: Any) -> OLRunEvent:
    if isinstance(item, dict) and "eventType" not in item and ("job" in item or
                                                               "dataset" in item):
        item = {**item, "eventType": "OTHER"}  # job and dataset events: no run outcome
    try:
        return OLRunEvent.model_validate(item)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "event"
        raise LineageImportError(f"{file}:{line}: not an OpenLineage RunEvent: {where}: "
                                 f"{problem['msg']}; nothing was imported") from exc
