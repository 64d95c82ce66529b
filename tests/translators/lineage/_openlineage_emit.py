"""Emit OpenLineage run events with the real ``openlineage-python`` client (file transport),
shaped like Airflow's OpenLineage provider emits them for a task: job ``dag_id.task_id``,
``jobType`` facet ``AIRFLOW``/``TASK``, ``parent`` facet naming the DAG, nominal time."""

from __future__ import annotations

import uuid
from pathlib import Path

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.generated import (
    error_message_run,
    job_type_job,
    nominal_time_run,
    parent_run,
)
from openlineage.client.transport.file import FileConfig, FileTransport

PRODUCER = "https://github.com/assetbridge/tests"


def client(path: Path, *, append: bool) -> OpenLineageClient:
    """A client writing NDJSON to ``path`` (append) or one file per event (``path-<time>``)."""
    return OpenLineageClient(transport=FileTransport(FileConfig(log_file_path=str(path),
                                                                append=append)))


def emit_task_run(ol: OpenLineageClient, *, dag_id: str | None, task_id: str,
                  inputs: list[tuple[str, str]], outputs: list[tuple[str, str]],
                  day: str, minute: int, fail: bool = False,
                  namespace: str = "airflow") -> str:
    """START then COMPLETE (or FAIL) of one task run; returns its run id."""
    run_id = str(uuid.uuid4())
    facets: dict[str, object] = {"nominalTime": nominal_time_run.NominalTimeRunFacet(
        nominalStartTime=f"{day}T00:00:00+00:00")}
    job_facets: dict[str, object] = {}
    if dag_id is not None:
        facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=str(uuid.uuid4())),
            job=parent_run.Job(namespace=namespace, name=dag_id))
        job_facets["jobType"] = job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="AIRFLOW", jobType="TASK")
    name = f"{dag_id}.{task_id}" if dag_id else task_id
    job = Job(namespace=namespace, name=name, facets=job_facets)  # type: ignore[arg-type]
    ins = [InputDataset(namespace=ns, name=n) for ns, n in inputs]
    outs = [OutputDataset(namespace=ns, name=n) for ns, n in outputs]
    end_facets = dict(facets)
    if fail:
        end_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message="boom", programmingLanguage="python")
    for state, at, run_facets in ((RunState.START, minute, facets),
                                  (RunState.FAIL if fail else RunState.COMPLETE, minute + 1,
                                   end_facets)):
        ol.emit(RunEvent(eventType=state, eventTime=f"{day}T10:{at:02d}:00+00:00",
                         producer=PRODUCER, job=job, inputs=ins, outputs=outs,
                         run=Run(runId=run_id, facets=run_facets)))  # type: ignore[arg-type]
    return run_id
