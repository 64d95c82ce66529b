"""OpenLineage events as read from files: parsing and validation, nothing written.

Three kinds of event are read: RunEvents (a run of a job: ``run``, usually ``eventType``)
and the static lineage events, JobEvents (a job's inputs and outputs, no ``run``) and
DatasetEvents (one ``dataset``). Files are UTF-8 NDJSON (one event per line, the file
transport's ``append`` mode) or one JSON document per file (its default mode, a file per
event); a folder is read file by file in name order. Every event is validated before
anything is imported, so a malformed event or a file that is not UTF-8 anywhere stops the
import with ``file:line`` and writes nothing.

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

__all__ = ["OLDataset", "OLDatasetEvent", "OLEvent", "OLJobEvent", "OLRunEvent", "event_files",
           "read_events"]

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


class _OLEvent(BaseModel):
    """What every OpenLineage event has: its time."""

    model_config = _MODEL
    eventTime: datetime.datetime

    def timestamp(self) -> float:
        """``eventTime`` in seconds since the epoch (naive times are UTC)."""
        when = self.eventTime
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.timestamp()


class OLRunEvent(_OLEvent):
    """One OpenLineage RunEvent."""

    eventType: Literal["START", "RUNNING", "COMPLETE", "FAIL", "ABORT", "OTHER"]
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


class OLJobEvent(_OLEvent):
    """One OpenLineage JobEvent: a job's inputs and outputs without a run (static lineage)."""

    job: OLJob
    inputs: tuple[OLDataset, ...] = ()
    outputs: tuple[OLDataset, ...] = ()


class OLDatasetEvent(_OLEvent):
    """One OpenLineage DatasetEvent: a dataset without a job (static lineage)."""

    dataset: OLDataset


#: any event the import reads
OLEvent = OLRunEvent | OLJobEvent | OLDatasetEvent


def event_files(path: Path) -> list[Path]:
    """The event files of a file or folder (hidden files skipped), sorted by name."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def read_events(file: Path, offset: int) -> tuple[list[OLEvent], int]:
    """The events of ``file`` from byte ``offset`` on, and the offset after them.

    Raises:
        LineageImportError: the file is not UTF-8 text, or a line or document is not a
            valid OpenLineage event.
    """
    data = file.read_bytes()
    if offset > len(data):  # the file was rewritten: read it again from the start
        offset = 0
    try:
        text = data[offset:].decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        at = offset + exc.start
        line = data[:at].count(b"\n") + 1
        raise LineageImportError(f"{file}:{line}: not UTF-8 text (byte {at} is "
                                 f"{data[at]:#04x}); OpenLineage events are UTF-8 JSON: "
                                 "re-encode the file; nothing was imported") from exc
    if not text.strip():
        return [], len(data)
    first_line = data[:offset].count(b"\n") + 1
    try:
        documents = [(first_line, json.loads(text))]
    except json.JSONDecodeError:
        documents = list(_lines(file, text, first_line))
    events: list[OLEvent] = []
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


def _event(file: Path, line: int, item: Any) -> OLEvent:
    model: type[OLEvent] = OLRunEvent
    if isinstance(item, dict) and "eventType" not in item:
        if "run" in item:
            item = {**item, "eventType": "OTHER"}  # a RunEvent may leave its type out
        elif "job" in item:
            model = OLJobEvent
        elif "dataset" in item:
            model = OLDatasetEvent
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "event"
        raise LineageImportError(f"{file}:{line}: not an OpenLineage {model.__name__[2:]}: "
                                 f"{where}: {problem['msg']}; nothing was imported") from exc
