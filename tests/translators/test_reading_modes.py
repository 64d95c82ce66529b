"""Reader selection: ``read_dags(paths, mode="auto" | "static" | "live")``.

The static reader is replaced by a stand-in (one DAG ``static_<stem>`` per file it is
given), so these tests pin the selection logic, not the static reader's output. Reads that
need Airflow run in a harness subprocess (see ``test_live_reader.py`` for why); the rest run
in-process with Airflow hidden or never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bridge.errors import TranslationError
from translators.model import DagInfo, ReadResult
from translators.reading import read_dags

LIVE = Path(__file__).parent / "fixtures" / "live"
DAGS = LIVE / "dags"
MIXED = ["mixed", "broken_import.py", "cycle.py", "taskflow.py"]


def run_harness(
    calls: list[dict[str, Any]], home: Path, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run the calls in a fresh process with the static stand-in; return its JSON."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST_"))}
    environ |= env or {}
    done = subprocess.run(
        [sys.executable, str(LIVE / "harness.py")],
        input=json.dumps({"calls": calls, "stub_static": True}),
        capture_output=True,
        text=True,
        cwd=DAGS,
        env=environ | {"HOME": str(home)},
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    calls = [
        {"name": "auto", "call": "read_dags", "mode": "auto", "paths": MIXED},
        {"name": "live", "call": "read_dags", "mode": "live", "paths": MIXED},
        {"name": "auto_clean", "call": "read_dags", "paths": ["taskflow.py", "groups.py"]},
        {"name": "read_live_clean", "call": "read_live", "paths": ["taskflow.py", "groups.py"]},
    ]
    results: dict[str, Any] = run_harness(calls, tmp_path_factory.mktemp("home"))["results"]
    return results


def result(batch: dict[str, Any], name: str) -> ReadResult:
    return ReadResult.model_validate(batch[name])


def test_auto_reads_live_where_files_import_and_static_elsewhere(batch: dict[str, Any]) -> None:
    auto = result(batch, "auto")
    assert auto.readers == {
        "broken_import.py": "static",
        "cycle.py": "static",
        "mixed/broken.py": "static",
        "mixed/factory.py": "live",
        "mixed/generated.py": "live",
        "mixed/good.py": "live",
        "taskflow.py": "live",
    }
    assert {dag.dag_id: dag.file for dag in auto.dags} == {
        "generated_pipeline": "mixed/generated.py",
        "good": "mixed/good.py",
        "orders_etl": "taskflow.py",
        # the stand-in was given exactly the files that failed under Airflow
        "static_broken": "mixed/broken.py",
        "static_broken_import": "broken_import.py",
        "static_cycle": "cycle.py",
    }
    assert next(dag for dag in auto.dags if dag.dag_id == "orders_etl").tasks


def test_auto_says_why_each_file_was_read_statically(batch: dict[str, Any]) -> None:
    auto, live = result(batch, "auto"), result(batch, "live")
    assert not [d for d in auto.diagnostics if d.code == "import-error"]
    notes = {d.file: d for d in auto.diagnostics if d.code == "reader-fallback"}
    assert set(notes) == {"broken_import.py", "cycle.py", "mixed/broken.py"}
    # Airflow itself cannot load these files: worth a warning (the exit code stays 0)
    assert all(note.level == "warning" for note in notes.values())
    errors = {d.file: d for d in live.diagnostics if d.code == "import-error"}
    for file, note in notes.items():
        assert note.message == f"read statically: it failed under Airflow: {errors[file].message}"
        assert note.line == errors[file].line
    assert notes["mixed/broken.py"].message.endswith("RuntimeError: cannot reach the warehouse")
    assert not auto.has_errors


def test_live_mode_keeps_import_errors(batch: dict[str, Any]) -> None:
    live = result(batch, "live")
    assert set(live.readers.values()) == {"live"}
    assert {d.file for d in live.diagnostics if d.code == "import-error"} == {
        "broken_import.py",
        "cycle.py",
        "mixed/broken.py",
    }
    assert not any(dag.dag_id.startswith("static_") for dag in live.dags)
    assert live.has_errors


def test_auto_on_clean_files_is_the_live_reading(batch: dict[str, Any]) -> None:
    assert batch["auto_clean"] == batch["read_live_clean"]


def stand_in(paths: Sequence[str | Path]) -> ReadResult:
    files = [Path(p) for p in paths]
    return ReadResult(
        dags=tuple(DagInfo(dag_id=f"static_{f.stem}", file=str(f)) for f in files),
        readers={str(f): "static" for f in files},
    )


@pytest.fixture
def static_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Replace ``translators.static`` by the stand-in; record what it is asked to read."""
    calls: list[list[str]] = []

    def read_static(paths: Sequence[str | Path]) -> ReadResult:
        calls.append([str(p) for p in paths])
        return stand_in(paths)

    module = types.ModuleType("translators.static")
    module.read_static = read_static  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "translators.static", module)
    return calls


def test_static_mode_only_calls_the_static_reader(static_calls: list[list[str]]) -> None:
    static = read_dags(["a.py", "b.py"], mode="static")
    assert static_calls == [["a.py", "b.py"]]
    assert static.readers == {"a.py": "static", "b.py": "static"}
    assert [dag.dag_id for dag in static.dags] == ["static_a", "static_b"]
    assert static.diagnostics == ()


def test_static_mode_never_imports_airflow(tmp_path: Path) -> None:
    batch = run_harness(
        [{"name": "s", "call": "read_dags", "mode": "static", "paths": ["taskflow.py"]}], tmp_path
    )
    assert not batch["process"]["after"]["airflow_imported"]
    assert batch["results"]["s"]["readers"] == {"taskflow.py": "static"}


def test_auto_falls_back_when_airflow_cannot_start(tmp_path: Path) -> None:
    broken_config = {"AIRFLOW__LOGGING__LOGGING_CONFIG_CLASS": "assetbridge_no_such.CONFIG"}
    calls = [
        {"name": "auto", "call": "read_dags", "paths": ["taskflow.py"]},
        {"name": "live", "call": "read_dags", "mode": "live", "paths": ["taskflow.py"]},
    ]
    batch = run_harness(calls, tmp_path, env=broken_config)["results"]
    auto = ReadResult.model_validate(batch["auto"])
    assert auto.readers == {"taskflow.py": "static"}
    (note,) = auto.diagnostics
    assert note.code == "reader-fallback"
    assert "Airflow is installed but failed to start" in note.message
    assert batch["live"]["error"].startswith("TranslationError: Airflow is installed but failed")


def test_auto_without_airflow_reads_everything_statically(
    static_calls: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "airflow", None)  # as if not installed
    auto = read_dags(["a.py", "b.py"])
    assert static_calls == [["a.py", "b.py"]]
    assert auto.readers == {"a.py": "static", "b.py": "static"}
    assert [(d.level, d.code, d.file) for d in auto.diagnostics] == [
        ("info", "reader-fallback", "a.py"),
        ("info", "reader-fallback", "b.py"),
    ]
    assert "Airflow is not installed" in auto.diagnostics[0].message


def test_live_mode_without_airflow_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "airflow", None)
    with pytest.raises(TranslationError, match=r"requires the airflow extra"):
        read_dags(["a.py"], mode="live")


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(TranslationError, match=r"unknown read mode 'fast'"):
        read_dags(["a.py"], mode="fast")  # type: ignore[arg-type]
