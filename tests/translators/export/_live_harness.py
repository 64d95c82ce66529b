"""Airflow-side checks in a fresh process (Airflow never runs inside pytest's own process).

Reads a JSON list of requests on stdin and prints one JSON document:

- ``{"read": DIR}``: the asset graph of the DAG files in DIR read by the live reader
  (``{key: [deps...]}``) and its diagnostics;
- ``{"roundtrip": FILE}``: FILE's DAGs read statically, translated to assets and handed to
  ``airflow_dags``; the task graphs of the original and of the built DAGs;
- ``{"render_check": FILE}``: FILE's assets through ``airflow_dags``; every task's
  attributes before and after Airflow renders its templates.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _task_graph(dags: Any) -> dict[str, dict[str, list[str]]]:
    return {dag_id: {task.task_id: sorted(task.upstream_task_ids) for task in dag.tasks}
            for dag_id, dag in dags.items()}


def _read(folder: str) -> dict[str, Any]:
    from translators import dags_to_assets, read_dags

    result = read_dags([folder], mode="live")
    translation = dags_to_assets(result)
    return {"graph": {r.key: sorted(r.deps) for r in translation.records},
            "diagnostics": [d.message for d in (*result.diagnostics, *translation.diagnostics)]}


def _roundtrip(file: str) -> dict[str, Any]:
    from translators import dags_to_assets, read_dags
    from translators.export import airflow_dags

    original = read_dags([file], mode="static")
    translation = dags_to_assets(original)
    built = airflow_dags(translation.assets)
    return {"original": {dag.dag_id: {t.task_id: sorted(t.upstream) for t in dag.tasks}
                         for dag in original.dags},
            "exported": _task_graph(built)}


def _render_check(file: str) -> dict[str, Any]:
    from bridge._loading import _import_file
    from translators.export import airflow_dags

    module = _import_file(__import__("pathlib").Path(file))
    dags = airflow_dags(module)
    found: dict[str, Any] = {}
    for dag_id, dag in dags.items():
        for task in dag.tasks:
            fields = ("asset_keys", "doc_md", "owner", "code_version", "param", "partition")
            before = {name: getattr(task, name, None) for name in fields}
            operator = task if not hasattr(task, "expand_input") else None
            if operator is not None:
                operator.render_template_fields(context={"ds": "RENDERED", "x": "RENDERED"})
            after = {name: getattr(task, name, None) for name in fields}
            found[f"{dag_id}.{task.task_id}"] = {
                "before": before, "after": after,
                "outlets": [[o.name, o.extra] for o in task.outlets],
                "template_fields": list(task.template_fields)}
        found[dag_id] = {"tags": sorted(dag.tags), "params": dag.params.dump(),
                         "description": dag.description}
    return found


def main() -> None:
    from translators._airflow_env import airflow_environment

    requests = json.loads(sys.stdin.read())
    answers = []
    with airflow_environment():
        for request in requests:
            if "read" in request:
                answers.append(_read(request["read"]))
            elif "roundtrip" in request:
                answers.append(_roundtrip(request["roundtrip"]))
            else:
                answers.append(_render_check(request["render_check"]))
    sys.__stdout__.write(json.dumps(answers, default=repr))


if __name__ == "__main__":
    main()
