"""Emit OpenLineage events with the real ``openlineage-python`` client (file transport):
run events shaped like Airflow's OpenLineage provider emits them for a task (job
``dag_id.task_id``, ``jobType`` facet ``AIRFLOW``/``TASK``, ``parent`` facet naming the DAG,
nominal time, or the provider's ``airflow`` run facet), single run events, and the static
lineage JobEvents and DatasetEvents."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import define
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.facet_v2 import RunFacet
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


@define
class AirflowRunFacet(RunFacet):
    """The ``airflow`` run facet of Airflow's OpenLineage provider, field for field
    (``airflow.providers.openlineage.plugins.facets.AirflowRunFacet``; the provider is not
    installed here)."""

    dag: dict[str, Any]
    dagRun: dict[str, Any]
    task: dict[str, Any]
    taskInstance: dict[str, Any]
    taskUuid: str


def emit_run_event(ol: OpenLineageClient, state: RunState, *, job: Job, run_id: str, at: str,
                   inputs: Sequence[tuple[str, str]] = (),
                   outputs: Sequence[tuple[str, str]] = (),
                   facets: Mapping[str, RunFacet] | None = None) -> None:
    """One run event of ``job`` at ``at`` (ISO time)."""
    ol.emit(RunEvent(eventType=state, eventTime=at, producer=PRODUCER, job=job,
                     inputs=[InputDataset(namespace=ns, name=n) for ns, n in inputs],
                     outputs=[OutputDataset(namespace=ns, name=n) for ns, n in outputs],
                     run=Run(runId=run_id, facets=dict(facets or {}))))


def emit_airflow_task_run(ol: OpenLineageClient, *, dag_id: str, task_id: str,
                          inputs: list[tuple[str, str]], outputs: list[tuple[str, str]],
                          at: str) -> str:
    """START then COMPLETE of one Airflow task run carrying the provider's ``airflow`` run
    facet and ``jobType`` job facet, but no ``parent`` facet: only the ``airflow`` facet
    names the DAG and task. Returns the run id."""
    run_id = str(uuid.uuid4())
    airflow = AirflowRunFacet(
        dag={"dag_id": dag_id, "owner": "airflow", "schedule_interval": "@daily"},
        dagRun={"dag_id": dag_id, "run_id": f"scheduled__{at}", "run_type": "scheduled"},
        task={"task_id": task_id, "operator_class": "PythonOperator", "owner": "airflow"},
        taskInstance={"try_number": 1, "map_index": -1}, taskUuid=run_id)
    job = Job(namespace="airflow", name=f"{dag_id}.{task_id}", facets={
        "jobType": job_type_job.JobTypeJobFacet(processingType="BATCH", integration="AIRFLOW",
                                                jobType="TASK")})
    for state in (RunState.START, RunState.COMPLETE):
        emit_run_event(ol, state, job=job, run_id=run_id, at=at, inputs=inputs,
                       outputs=outputs, facets={"airflow": airflow})
    return run_id


def emit_job_event(ol: OpenLineageClient, *, namespace: str, name: str,
                   inputs: list[tuple[str, str]], outputs: list[tuple[str, str]],
                   at: str) -> None:
    """A JobEvent: static lineage of a job, no run."""
    ol.emit(JobEvent(eventTime=at, producer=PRODUCER, job=Job(namespace=namespace, name=name),
                     inputs=[InputDataset(namespace=ns, name=n) for ns, n in inputs],
                     outputs=[OutputDataset(namespace=ns, name=n) for ns, n in outputs]))


def emit_dataset_event(ol: OpenLineageClient, *, namespace: str, name: str, at: str) -> None:
    """A DatasetEvent: one dataset, no job and no run."""
    ol.emit(DatasetEvent(eventTime=at, producer=PRODUCER,
                         dataset=StaticDataset(namespace=namespace, name=name)))
