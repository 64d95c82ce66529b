"""translate_document: exactly the `assetbridge translate --json` shape, sorted."""

from __future__ import annotations

import json

from translators.contract import translate_document
from translators.model import AssetRef, DagInfo, Diagnostic, ReadResult, TaskInfo
from translators.to_assets import dags_to_assets

ZETA = DagInfo(dag_id="zeta", file="dags/zeta.py", line=4, schedule="@daily", tasks=(
    TaskInfo(task_id="report", operator="_PythonDecoratedOperator", upstream=("load",),
             line=20),
    TaskInfo(task_id="load", operator="BashOperator", upstream=("extract.b", "extract.a"),
             group="extract", line=15, outlets=(AssetRef(name="orders"),)),
    TaskInfo(task_id="extract.b", operator="PythonOperator", group="extract", line=12),
    TaskInfo(task_id="extract.a", operator="PythonOperator", group="extract", line=10),
))
ALPHA = DagInfo(dag_id="alpha", file="dags/alpha.py", line=2, tasks=(
    TaskInfo(task_id="wait", operator="ExternalTaskSensor", line=6,
             kwargs={"external_dag_id": "missing"}),
    TaskInfo(task_id="use", operator="EmptyOperator", upstream=("wait",), line=8,
             inlets=(AssetRef(uri="s3://lake/raw.csv"),)),
))
READER_DIAGNOSTICS = (
    Diagnostic(level="warning", code="unresolved-dependency", message="cannot resolve x",
               file="dags/zeta.py", line=30, dag_id="zeta"),
    Diagnostic(level="error", code="syntax-error", message="invalid syntax",
               file="dags/broken.py", line=1),
)
RESULT = ReadResult(dags=(ZETA, ALPHA), diagnostics=READER_DIAGNOSTICS,
                    readers={"dags/zeta.py": "static", "dags/alpha.py": "static",
                             "dags/broken.py": "static"})


def document(result: ReadResult = RESULT) -> dict:
    return translate_document(result, dags_to_assets(result))


def test_exact_document() -> None:
    assert document() == {
        "dags": [
            {"dag_id": "alpha", "file": "dags/alpha.py", "line": 2, "schedule": None, "tasks": [
                {"task_id": "use", "operator": "EmptyOperator", "upstream": ["wait"],
                 "group": None, "line": 8},
                {"task_id": "wait", "operator": "ExternalTaskSensor", "upstream": [],
                 "group": None, "line": 6},
            ]},
            {"dag_id": "zeta", "file": "dags/zeta.py", "line": 4, "schedule": "@daily",
             "tasks": [
                 {"task_id": "extract.a", "operator": "PythonOperator", "upstream": [],
                  "group": "extract", "line": 10},
                 {"task_id": "extract.b", "operator": "PythonOperator", "upstream": [],
                  "group": "extract", "line": 12},
                 {"task_id": "load", "operator": "BashOperator",
                  "upstream": ["extract.a", "extract.b"], "group": "extract", "line": 15},
                 {"task_id": "report", "operator": "@task", "upstream": ["load"],
                  "group": None, "line": 20},
             ]},
        ],
        "assets": [
            {"key": "alpha/use", "deps": ["alpha/wait", "s3://lake/raw.csv"],
             "dag_id": "alpha", "task_id": "use", "group": "alpha"},
            {"key": "alpha/wait", "deps": [], "dag_id": "alpha", "task_id": "wait",
             "group": "alpha"},
            {"key": "orders", "deps": ["zeta/extract.a", "zeta/extract.b"], "dag_id": "zeta",
             "task_id": "load", "group": "zeta"},
            {"key": "s3://lake/raw.csv", "deps": [], "dag_id": None, "task_id": None,
             "group": "external"},
            {"key": "zeta/extract.a", "deps": [], "dag_id": "zeta", "task_id": "extract.a",
             "group": "zeta"},
            {"key": "zeta/extract.b", "deps": [], "dag_id": "zeta", "task_id": "extract.b",
             "group": "zeta"},
            {"key": "zeta/report", "deps": ["orders"], "dag_id": "zeta", "task_id": "report",
             "group": "zeta"},
        ],
        "diagnostics": [
            {"level": "warning", "code": "unknown-external-dag",
             "message": "ExternalTaskSensor 'wait' refers to DAG 'missing', which is not in "
                        "the files read; no cross-DAG edge is drawn (read that DAG's file too)",
             "file": "dags/alpha.py", "line": 6, "dag_id": "alpha", "task_id": "wait"},
            {"level": "error", "code": "syntax-error", "message": "invalid syntax",
             "file": "dags/broken.py", "line": 1, "dag_id": None, "task_id": None},
            {"level": "warning", "code": "unresolved-dependency",
             "message": "cannot resolve x", "file": "dags/zeta.py", "line": 30,
             "dag_id": "zeta", "task_id": None},
        ],
    }


def test_keys_in_contract_order() -> None:
    found = document()
    assert list(found) == ["dags", "assets", "diagnostics"]
    assert list(found["dags"][0]) == ["dag_id", "file", "line", "schedule", "tasks"]
    assert list(found["dags"][0]["tasks"][0]) == ["task_id", "operator", "upstream", "group",
                                                  "line"]
    assert list(found["assets"][0]) == ["key", "deps", "dag_id", "task_id", "group"]
    assert list(found["diagnostics"][0]) == ["level", "code", "message", "file", "line",
                                             "dag_id", "task_id"]


def test_same_bytes_whatever_the_input_order() -> None:
    shuffled = ReadResult(
        dags=(ALPHA.model_copy(update={"tasks": ALPHA.tasks[::-1]}),
              ZETA.model_copy(update={"tasks": ZETA.tasks[::-1]})),
        diagnostics=READER_DIAGNOSTICS[::-1], readers=RESULT.readers)
    assert json.dumps(document(shuffled)) == json.dumps(document())


def test_translation_diagnostics_join_the_readers_and_are_not_repeated() -> None:
    found = document()
    codes = [d["code"] for d in found["diagnostics"]]
    assert codes == ["unknown-external-dag", "syntax-error", "unresolved-dependency"]


def test_empty_input_is_an_empty_document() -> None:
    assert document(ReadResult()) == {"dags": [], "assets": [], "diagnostics": []}
