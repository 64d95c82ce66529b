"""Container operators (``KubernetesPodOperator``, ``DockerOperator`` ...) in-process.

Such a task's work happens in an image, so an in-process run hands a
:class:`ContainerSpec` (image, command, arguments, environment, as rendered by Airflow's
templates) to a pluggable :class:`ContainerRunner` resource:

- :class:`FakeContainerRunner` for tests: records every spec, returns configured results;
- :class:`LocalContainerRunner`: ``docker run`` / ``podman run`` when the binary exists and
  answers (its ``return.json`` XCom sidecar file is honoured);
- none usable: the task is skipped, and the reason says what is missing.

The runner's exit code decides success (non-zero fails the task, as the pod would), and
its ``xcom`` becomes the task's return value when the operator pushes XComs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

__all__ = ["CONTAINER_OPERATORS", "ContainerResult", "ContainerRunner", "ContainerSpec",
           "FakeContainerRunner", "LocalContainerRunner", "container_operator", "spec_for"]


@dataclass(frozen=True)
class ContainerSpec:
    """What a container task asks to run, after template rendering."""

    dag_id: str
    task_id: str
    #: the operator class (``KubernetesPodOperator``, ``DockerOperator``, ...)
    operator: str
    image: str
    #: the entrypoint override (``cmds`` of a pod), empty for the image's own
    command: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    namespace: str | None = None
    map_index: int = -1


@dataclass(frozen=True)
class ContainerResult:
    """What running a container produced."""

    exit_code: int = 0
    logs: str = ""
    #: the task's return value (a pod's ``/airflow/xcom/return.json``)
    xcom: Any = None


class ContainerRunner(Protocol):
    """Runs one container to completion."""

    def run(self, spec: ContainerSpec) -> ContainerResult:
        """Run ``spec`` and report its exit code, logs and XCom."""


class FakeContainerRunner:
    """A runner for tests: records the specs and answers with configured results.

    Args:
        results: per task id (or ``dag_id/task_id``), a result or a function of the spec.
        default: the result for tasks not listed.

    Examples:
        >>> runner = FakeContainerRunner({"train": ContainerResult(xcom={"auc": 0.9})})
        >>> spec = ContainerSpec("ml", "train", "KubernetesPodOperator", "trainer:1")
        >>> runner.run(spec).xcom, [s.image for s in runner.specs]
        ({'auc': 0.9}, ['trainer:1'])
    """

    def __init__(
        self,
        results: Mapping[str, ContainerResult | Callable[[ContainerSpec], ContainerResult]]
        | None = None,
        default: ContainerResult | None = None,
    ) -> None:
        self.results = dict(results or {})
        self.default = default or ContainerResult()
        #: every spec run, in order
        self.specs: list[ContainerSpec] = []

    def run(self, spec: ContainerSpec) -> ContainerResult:
        """Record ``spec`` and return its configured result."""
        self.specs.append(spec)
        found = self.results.get(f"{spec.dag_id}/{spec.task_id}",
                                 self.results.get(spec.task_id, self.default))
        return found(spec) if callable(found) else found


class LocalContainerRunner:
    """Runs containers with a local ``docker`` or ``podman``."""

    def __init__(self, binary: str) -> None:
        self.binary = binary

    @classmethod
    def detect(cls) -> tuple[LocalContainerRunner | None, str]:
        """A runner for the first usable binary, else None and why none is usable."""
        reasons = []
        for name in ("docker", "podman"):
            path = shutil.which(name)
            if path is None:
                reasons.append(f"{name} is not installed")
                continue
            probe = subprocess.run([path, "info"], capture_output=True, text=True, check=False)
            if probe.returncode == 0:
                return cls(path), f"using {path}"
            last = (probe.stderr or probe.stdout).strip().splitlines()
            reasons.append(f"{name} does not answer ({last[-1] if last else 'no output'})")
        return None, "; ".join(reasons)

    def run(self, spec: ContainerSpec) -> ContainerResult:
        """``<binary> run --rm`` the spec; a ``return.json`` in ``/airflow/xcom`` is read."""
        with tempfile.TemporaryDirectory(prefix="assetbridge-xcom-") as xcom_dir:
            command = [self.binary, "run", "--rm", "-v", f"{xcom_dir}:/airflow/xcom"]
            for key, value in spec.env.items():
                command += ["-e", f"{key}={value}"]
            if spec.command:
                command += ["--entrypoint", spec.command[0]]
            command += [spec.image, *spec.command[1:], *spec.arguments]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            returned = Path(xcom_dir) / "return.json"
            xcom = json.loads(returned.read_text()) if returned.is_file() else None
        return ContainerResult(done.returncode, done.stdout + done.stderr, xcom)


def _text_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(str(item) for item in value)


def _env(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return {str(item.name): str(item.value) for item in value}  # k8s V1EnvVar objects


def _pod_spec(task: Any, dag_id: str, map_index: int) -> ContainerSpec:
    return ContainerSpec(
        dag_id=dag_id, task_id=task.task_id, operator=type(task).__name__, image=task.image,
        command=_text_list(getattr(task, "cmds", None)),
        arguments=_text_list(getattr(task, "arguments", None)),
        env=_env(getattr(task, "env_vars", None)), name=getattr(task, "name", None),
        namespace=getattr(task, "namespace", None), map_index=map_index,
    )


def _docker_spec(task: Any, dag_id: str, map_index: int) -> ContainerSpec:
    entrypoint = _text_list(getattr(task, "entrypoint", None))
    return ContainerSpec(
        dag_id=dag_id, task_id=task.task_id, operator=type(task).__name__, image=task.image,
        command=entrypoint, arguments=_text_list(getattr(task, "command", None)),
        env=_env(getattr(task, "environment", None)),
        name=getattr(task, "container_name", None), map_index=map_index,
    )


#: operator class name (any class in the task's MRO) -> how to read its container spec
CONTAINER_OPERATORS: dict[str, Callable[[Any, str, int], ContainerSpec]] = {
    "KubernetesPodOperator": _pod_spec,
    "GKEStartPodOperator": _pod_spec,
    "EksPodOperator": _pod_spec,
    "AKSPodOperator": _pod_spec,
    "DockerOperator": _docker_spec,
    "DockerSwarmOperator": _docker_spec,
}


def container_operator(task: Any) -> str | None:
    """The container operator ``task`` is (or derives from), or None."""
    return next((cls.__name__ for cls in type(task).__mro__
                 if cls.__name__ in CONTAINER_OPERATORS), None)


def spec_for(task: Any, dag_id: str, map_index: int) -> ContainerSpec:
    """The container spec of a rendered container operator."""
    kind = container_operator(task)
    if kind is None:
        raise TypeError(f"{type(task).__name__} is not a container operator")
    return CONTAINER_OPERATORS[kind](task, dag_id, map_index)
