"""Container operators run through the container-runner resource: a fake in tests, a local
docker/podman when usable, otherwise the task is skipped with the reason."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from translators.execution import (
    ContainerResult,
    FakeContainerRunner,
    LocalContainerRunner,
    run_dags,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec" / "kpo"


def test_fake_runner_records_the_rendered_pod_spec() -> None:
    runner = FakeContainerRunner({"train": ContainerResult(xcom={"model": "m7", "auc": 0.9})})
    result = run_dags(FIXTURES / "kpo_dag.py", logical_date="2026-01-02",
                      resources={"container_runner": runner})
    assert result.success
    train, publish = runner.specs
    assert train.image == "registry.local/trainer:1.4"
    assert train.command == ("python", "-m", "trainer")
    assert train.arguments == ("--date", "2026-01-02", "--out", "s3://models/20260102")
    assert train.env == {"RUN_ID": "manual__2026-01-02T00:00:00+00:00"}
    assert (train.name, train.namespace) == ("train-20260102", "ml")
    assert publish.arguments == ("m7",)
    assert result.xcom("train") == {"model": "m7", "auc": 0.9}
    assert result.xcom("publish") is None  # do_xcom_push=False, as on Kubernetes
    assert result.xcom("announce") == "model m7 auc=0.9"


def test_a_non_zero_exit_code_fails_the_task() -> None:
    runner = FakeContainerRunner(default=ContainerResult(exit_code=2, logs="OOMKilled"))
    result = run_dags(FIXTURES / "kpo_dag.py", logical_date="2026-01-02",
                      resources={"container_runner": runner})
    assert result.states() == {"train": "failed", "publish": "upstream_failed",
                               "announce": "upstream_failed"}
    assert "exited with code 2" in (result.run.result_for("exec_kpo/train").error or "")


def test_without_a_usable_runner_tasks_are_skipped_with_the_reason(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither docker nor podman
    result = run_dags(FIXTURES / "kpo_dag.py", logical_date="2026-01-02")
    assert result.state("train") == "skipped"
    reason = result.run.result_for("exec_kpo/train").error or ""
    assert "docker is not installed" in reason and "podman is not installed" in reason
    assert "container_runner" in reason


def test_local_runner_builds_the_docker_command(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    """A stand-in ``docker`` binary on PATH (this machine has no container engine):
    it records its arguments and writes the XCom sidecar file like a pod would."""
    log = tmp_path / "calls.txt"
    fake = tmp_path / "docker"
    fake.write_text(f'''#!/bin/sh
echo "$@" >> {log}
if [ "$1" = "info" ]; then exit 0; fi
xcom=$(echo "$@" | sed -n 's/.*-v \\([^:]*\\):\\/airflow\\/xcom.*/\\1/p')
echo '{{"model": "local", "auc": 0.5}}' > "$xcom/return.json"
echo container says hi
''')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    runner, reason = LocalContainerRunner.detect()
    assert runner is not None, reason
    result = run_dags(FIXTURES / "kpo_dag.py", logical_date="2026-01-02",
                      select="exec_kpo/train")
    assert result.xcom("train") == {"model": "local", "auc": 0.5}
    run_line = log.read_text().splitlines()[-1]
    assert "-e RUN_ID=manual__2026-01-02T00:00:00+00:00" in run_line
    assert run_line.endswith("--entrypoint python registry.local/trainer:1.4 -m trainer "
                             "--date 2026-01-02 --out s3://models/20260102")
