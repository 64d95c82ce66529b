"""Load DAG files with Airflow's DagBag and print the pod each KubernetesPodOperator builds.

Usage: ``python _kpo_pod_dump.py [--airflow2] FILE...`` in a subprocess whose environment
sets ``AIRFLOW_HOME`` (and a ``kubernetes_default`` connection, for the namespace and the
XCom sidecar image). With ``--airflow2`` the Airflow 2 API is installed first
(``_kpo_airflow2_shim.install()``) and templates are rendered with an Airflow 2 context
(the Airflow 3 context plus the keys Airflow 3 removed, as Airflow 2 computed them); without
it, nothing is shimmed and the context is Airflow 3's.

Each pod is built by the provider's own ``KubernetesPodOperator.build_pod_request_obj``
after ``render_template_fields``, for one fixed run (logical date 2024-05-17, daily data
interval), with ``dry_run=True`` (which only skips the ``airflow_kpo_in_cluster`` label,
whose value needs a live cluster), and serialized with the Kubernetes client's
``ApiClient().sanitize_for_serialization``.

Output (stdout, one JSON document; Airflow's own log lines go to stderr): ``{"files":
{file: {"error": str | null, "dags": {dag_id: {task_id: {"upstream": [...], "operator":
class name, "pod": {...} | null, "pod_error": str | null}}}}}}``.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace
from typing import Any


def dump(files: list[str], *, airflow2: bool) -> dict[str, Any]:
    """Every task of every DAG in ``files``, with the pod of each pod operator."""
    import logging

    logging.disable(logging.CRITICAL)
    if airflow2:
        import _kpo_airflow2_shim

        _kpo_airflow2_shim.install()
    from airflow.dag_processing.dagbag import DagBag

    out: dict[str, Any] = {}
    for file in files:
        bag = DagBag(dag_folder=file, safe_mode=False)
        dags = {dag_id: {t.task_id: _task(dag, t, airflow2) for t in dag.tasks}
                for dag_id, dag in sorted(bag.dags.items())}
        errors = "\n".join(str(e) for e in bag.import_errors.values()) or None
        out[file] = {"dags": dags, "error": errors}
    return {"files": out}


def _task(dag: Any, task: Any, airflow2: bool) -> dict[str, Any]:
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from kubernetes.client import ApiClient

    record: dict[str, Any] = {"upstream": sorted(task.upstream_task_ids),
                              "operator": type(task).__name__, "pod": None, "pod_error": None}
    if not isinstance(task, KubernetesPodOperator):
        return record
    try:
        context = _context(dag, task, airflow2)
        task.render_template_fields(context)
        pod = task.build_pod_request_obj(context, dry_run=True)
        record["pod"] = ApiClient().sanitize_for_serialization(pod)
    except Exception as exc:  # reported, compared by the test
        record["pod_error"] = f"{type(exc).__name__}: {exc}"
    return record


def _context(dag: Any, task: Any, airflow2: bool) -> dict[str, Any]:
    """The template context of one scheduled daily run (Airflow 3's keys; Airflow 2's too)."""
    import pendulum
    from airflow.sdk.execution_time.context import MacrosAccessor

    logical = pendulum.datetime(2024, 5, 17, tz="UTC")
    end = logical.add(days=1)
    run = SimpleNamespace(run_id="scheduled__2024-05-17T00:00:00+00:00", logical_date=logical,
                          data_interval_start=logical, data_interval_end=end, conf={})
    ti = SimpleNamespace(dag_id=dag.dag_id, task_id=task.task_id, map_index=-1, try_number=1)
    ds = logical.strftime("%Y-%m-%d")
    context: dict[str, Any] = {
        "dag": dag, "task": task, "ti": ti, "task_instance": ti, "run_id": run.run_id,
        "dag_run": run, "params": dict(task.params or {}), "macros": MacrosAccessor(),
        "logical_date": logical, "ds": ds, "ds_nodash": ds.replace("-", ""),
        "ts": logical.isoformat(), "ts_nodash": logical.strftime("%Y%m%dT%H%M%S"),
        "data_interval_start": logical, "data_interval_end": end,
    }
    if airflow2:  # what Airflow 2 added for a scheduled run of a daily schedule
        run.execution_date = logical
        yesterday, tomorrow = logical.add(days=-1), logical.add(days=1)
        context.update({
            "execution_date": logical, "next_execution_date": end,
            "next_ds": end.strftime("%Y-%m-%d"), "next_ds_nodash": end.strftime("%Y%m%d"),
            "yesterday_ds": yesterday.strftime("%Y-%m-%d"),
            "yesterday_ds_nodash": yesterday.strftime("%Y%m%d"),
            "tomorrow_ds": tomorrow.strftime("%Y-%m-%d"),
            "tomorrow_ds_nodash": tomorrow.strftime("%Y%m%d"),
        })
    return context


if __name__ == "__main__":
    arguments = sys.argv[1:]
    legacy = "--airflow2" in arguments
    paths = [a for a in arguments if a != "--airflow2"]
    result, sys.stdout = sys.stdout, sys.stderr  # Airflow logs to stdout: keep it for JSON
    document = dump(paths, airflow2=legacy)
    result.write(json.dumps(document, sort_keys=True, default=str) + "\n")
