"""Airflow side of :mod:`bridge.containers`: a container task as pod-operator arguments.

``KubernetesPodOperator(task_id="t", **pod_arguments(TASK))`` builds the pod the operator
built before ``assetbridge codemod kpo-portable`` moved its container spec into ``TASK``:
each typed parameter becomes its Jinja template again (``{{ ds }}``), the environment a
dict (the operator turns it into ``V1EnvVar`` items), secrets the provider's ``Secret``
and resources a ``V1ResourceRequirements``. Only what the task sets is passed, so the
operator's defaults stay in force. The Kubernetes models are imported only when needed.

Locally the same task runs through a runner of :mod:`translators.execution`
(``FakeContainerRunner``, ``LocalContainerRunner``) with :func:`container_spec`.
"""

from __future__ import annotations

from typing import Any

from bridge.containers import ContainerCall, ContainerTask
from translators.execution import ContainerSpec

__all__ = ["container_spec", "pod_arguments"]


def pod_arguments(task: ContainerTask) -> dict[str, Any]:
    """The ``KubernetesPodOperator`` keyword arguments that carry ``task``'s container spec.

    Examples:
        >>> from bridge.containers import ContainerTask, context_value
        >>> pod_arguments(ContainerTask(image="etl:1", arguments=("--day=${ds}",),
        ...                             params={"ds": context_value("ds")}))
        {'image': 'etl:1', 'arguments': ['--day={{ ds }}']}
    """
    templates = task.templates()
    out: dict[str, Any] = {"image": task.image}
    if task.command:
        out["cmds"] = templates["command"]
    if task.arguments:
        out["arguments"] = templates["arguments"]
    if task.env:
        out["env_vars"] = templates["env"]
    if task.secrets:
        from airflow.providers.cncf.kubernetes.secret import Secret

        out["secrets"] = [Secret(s.deploy_type, s.deploy_target, s.secret,  # type: ignore[no-untyped-call]
                                 s.key) for s in task.secrets]
    if task.resources is not None:
        from kubernetes.client import models as k8s  # type: ignore[import-untyped]

        out["container_resources"] = k8s.V1ResourceRequirements(
            requests=dict(task.resources.requests) or None,
            limits=dict(task.resources.limits) or None)
    return out


def container_spec(call: ContainerCall, *, operator: str = "KubernetesPodOperator"
                   ) -> ContainerSpec:
    """``call`` as the spec the runners of :mod:`translators.execution` take."""
    return ContainerSpec(dag_id=call.dag_id, task_id=call.task_id, operator=operator,
                         image=call.image, command=call.command, arguments=call.arguments,
                         env=dict(call.env), name=call.name, namespace=call.namespace,
                         map_index=call.map_index)
