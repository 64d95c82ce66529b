"""``kpo-portable``: a KubernetesPodOperator's container spec to a bridge ``ContainerTask``."""

# ruff: noqa: E501  (examples are data: rewritten lines may exceed the limit)
from __future__ import annotations

from typing import ClassVar

from codemods._portable_command import PortableKpoRules
from codemods._types import Change, NoChange
from codemods.base import BridgeCommand
from codemods.commands.kpo_modernize import ModernizeKpoCommand

__all__ = ["PortableKpoCommand"]


class PortableKpoCommand(PortableKpoRules):
    """Make KubernetesPodOperator tasks runnable as a pod in Airflow and locally in tests.

    The container spec of each pod operator call (``image``, ``cmds``, ``arguments``,
    ``env_vars``, ``secrets``, ``container_resources``) moves into a
    ``bridge.containers.ContainerTask`` defined just above the call, and the call gets
    ``**pod_arguments(<TASK>_CONTAINER)`` in its place (``translators.containers_airflow``),
    which hands the operator exactly the arguments it had: the same pod. Templates naming a
    known context value (``{{ ds }}``, ``{{ ds_nodash }}``, ``{{ logical_date }}``,
    ``{{ ts }}``, ``{{ ts_nodash }}``, ``{{ data_interval_start }}``,
    ``{{ data_interval_end }}``, ``{{ params.x }}``; one of those datetimes through Airflow's
    ``ds`` / ``ds_nodash`` / ``ts`` / ``ts_nodash`` filter, as ``airflow3`` writes for the
    removed ``next_ds``: ``{{ data_interval_end | ds }}``; ``{{ macros.ds_add(ds, -7) }}``)
    become typed parameters
    (``${ds}`` with ``params={"ds": context_value("ds")}``): a test renders the task with a
    ``date`` (``TASK.render("t", ds=date(2024, 5, 17))``) and runs it with a
    ``SubprocessContainerRunner``, a docker runner or a fake; ``assetbridge run`` on the DAG
    file runs the pod operator through its ``container_runner`` resource. Legacy operator
    code is modernised first (``kpo-modernize`` runs before it).

    | shape | converted | reported (left as is) |
    |---|---|---|
    | operator | ``KubernetesPodOperator`` / ``GKEStartPodOperator`` by any alias or module path | subclasses defined in the file (``subclass``) |
    | ``task_id`` | a string literal | anything else, e.g. a factory's parameter (``task-id``) |
    | ``image`` | a string literal or a name | a template (``template``), absent from the call (``image``) |
    | ``cmds`` / ``arguments`` | lists or tuples of string literals | names, calls, starred items (``argument``) |
    | templates | ``{{ ds }}``, ``{{ ds_nodash }}``, ``{{ logical_date }}``, ``{{ ts }}``, ``{{ ts_nodash }}``, ``{{ data_interval_start }}``, ``{{ data_interval_end }}``, ``{{ params.x }}``, ``{{ data_interval_end \\| ds }}`` (also ``ds_nodash``, ``ts``, ``ts_nodash`` on a datetime), ``{{ macros.ds_add(ds, N) }}`` | other expressions, filters and macros, ``{% %}`` (``template``) |
    | ``env_vars`` | a dict of string literals, a list of ``k8s.V1EnvVar(name=, value=)`` | ``value_from``, names (``argument``) |
    | ``secrets`` | ``Secret(...)`` with literal arguments, inline or a module name bound once | ``items=``, other values (``argument``) |
    | ``container_resources`` | ``k8s.V1ResourceRequirements`` with literal ``requests`` / ``limits`` | anything else (``argument``) |
    | ``**dict`` | module-level dict literals without container keys | container keys in it, other values (``spread``) |
    | placement | a statement in a module, ``with`` block or function body | inside a lambda or comprehension (``placement``), positional arguments (``call``) |
    """

    NAME = "kpo-portable"
    DESCRIPTION = ("KubernetesPodOperator: container spec to a bridge ContainerTask with typed "
                   "parameters, run as a pod in Airflow and locally in tests")
    TRIGGERS = ("KubernetesPodOperator", "GKEStartPodOperator", "GKEPodOperator",
                "kubernetes_pod", "operators.pod")
    INCLUDES: ClassVar[tuple[type[BridgeCommand], ...]] = (ModernizeKpoCommand,)

    CHANGE = (
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="load", image="etl:1", cmds=["python", "-m", "etl.load"])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            LOAD_CONTAINER = ContainerTask(
                image="etl:1",
                command=("python", "-m", "etl.load"),
            )
            t = KubernetesPodOperator(task_id="load", **pod_arguments(LOAD_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(
                task_id="extract",
                name="extract",
                image="etl:1",
                arguments=["--day={{ ds }}", "--limit", "{{ params.limit }}"],
                params={"limit": 100},
            )
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            EXTRACT_CONTAINER = ContainerTask(
                image="etl:1",
                arguments=("--day=${ds}", "--limit", "${limit}"),
                params={"ds": context_value("ds"), "limit": context_value("params.limit")},
            )
            t = KubernetesPodOperator(
                task_id="extract",
                name="extract",
                **pod_arguments(EXTRACT_CONTAINER),
                params={"limit": 100},
            )
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="stamp", image="etl:1",
                                      arguments=["--at={{logical_date}}", "--tag={{ ts_nodash }}"])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            STAMP_CONTAINER = ContainerTask(
                image="etl:1",
                arguments=("--at=${logical_date}", "--tag=${ts_nodash}"),
                params={
                    "logical_date": context_value("logical_date"),
                    "ts_nodash": context_value("ts_nodash"),
                },
            )
            t = KubernetesPodOperator(task_id="stamp", **pod_arguments(STAMP_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(
                task_id="window",
                image="etl:1",
                arguments=["--until", "{{ data_interval_end | ds }}",
                           "--since", "{{ macros.ds_add(ds, -7) }}"],
            )
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            WINDOW_CONTAINER = ContainerTask(
                image="etl:1",
                arguments=("--until", "${data_interval_end_ds}", "--since", "${ds_minus_7}"),
                params={
                    "data_interval_end_ds": context_value("data_interval_end | ds"),
                    "ds_minus_7": context_value("macros.ds_add(ds, -7)"),
                },
            )
            t = KubernetesPodOperator(
                task_id="window",
                **pod_arguments(WINDOW_CONTAINER),
            )
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="env", image="etl:1",
                                      env_vars={"MODE": "prod", "RUN_DAY": "{{ ds_nodash }}"})
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            ENV_CONTAINER = ContainerTask(
                image="etl:1",
                env={"MODE": "prod", "RUN_DAY": "${ds_nodash}"},
                params={"ds_nodash": context_value("ds_nodash")},
            )
            t = KubernetesPodOperator(task_id="env", **pod_arguments(ENV_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from kubernetes.client import models as k8s
            t = KubernetesPodOperator(task_id="env", image="etl:1",
                                      env_vars=[k8s.V1EnvVar(name="MODE", value="prod")])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from kubernetes.client import models as k8s
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            ENV_CONTAINER = ContainerTask(
                image="etl:1",
                env={"MODE": "prod"},
            )
            t = KubernetesPodOperator(task_id="env", **pod_arguments(ENV_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from airflow.providers.cncf.kubernetes.secret import Secret
            t = KubernetesPodOperator(task_id="db", image="etl:1",
                                      secrets=[Secret("env", "DB_PASSWORD", "warehouse", "password")])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from airflow.providers.cncf.kubernetes.secret import Secret
            from bridge.containers import ContainerTask, SecretRef
            from translators.containers_airflow import pod_arguments

            DB_CONTAINER = ContainerTask(
                image="etl:1",
                secrets=(SecretRef("env", "DB_PASSWORD", "warehouse", "password"),),
            )
            t = KubernetesPodOperator(task_id="db", **pod_arguments(DB_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from airflow.providers.cncf.kubernetes.secret import Secret
            tls = Secret("volume", "/etc/tls", "warehouse-tls")
            t = KubernetesPodOperator(task_id="db", image="etl:1", secrets=[tls])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from airflow.providers.cncf.kubernetes.secret import Secret
            from bridge.containers import ContainerTask, SecretRef
            from translators.containers_airflow import pod_arguments

            tls = Secret("volume", "/etc/tls", "warehouse-tls")
            DB_CONTAINER = ContainerTask(
                image="etl:1",
                secrets=(SecretRef("volume", "/etc/tls", "warehouse-tls"),),
            )
            t = KubernetesPodOperator(task_id="db", **pod_arguments(DB_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from kubernetes.client import models as k8s
            t = KubernetesPodOperator(
                task_id="train",
                image="trainer:2",
                container_resources=k8s.V1ResourceRequirements(requests={"cpu": "2"}, limits={"nvidia.com/gpu": 1}),
            )
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from kubernetes.client import models as k8s
            from bridge.containers import ContainerResources, ContainerTask
            from translators.containers_airflow import pod_arguments

            TRAIN_CONTAINER = ContainerTask(
                image="trainer:2",
                resources=ContainerResources(requests={"cpu": "2"}, limits={"nvidia.com/gpu": 1}),
            )
            t = KubernetesPodOperator(
                task_id="train",
                **pod_arguments(TRAIN_CONTAINER),
            )
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators import pod
            t = pod.KubernetesPodOperator(task_id="t", image="etl:1", arguments=["{{ ds }}"])
            """, """
            from airflow.providers.cncf.kubernetes.operators import pod
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            T_CONTAINER = ContainerTask(
                image="etl:1",
                arguments=("${ds}",),
                params={"ds": context_value("ds")},
            )
            t = pod.KubernetesPodOperator(task_id="t", **pod_arguments(T_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator as KPO
            t = KPO(task_id="t", image="etl:1", arguments=["--since", "{{ ds }}", "--until", "{{ ds }}"])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator as KPO
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            T_CONTAINER = ContainerTask(
                image="etl:1",
                arguments=("--since", "${ds}", "--until", "${ds}"),
                params={"ds": context_value("ds")},
            )
            t = KPO(task_id="t", **pod_arguments(T_CONTAINER))
            """),
        Change("""
            from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", image="etl:1", resources={"limit_memory": "2Gi"},
                                      is_delete_operator_pod=True)
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from kubernetes.client import models as k8s
            from bridge.containers import ContainerResources, ContainerTask
            from translators.containers_airflow import pod_arguments

            T_CONTAINER = ContainerTask(
                image="etl:1",
                resources=ContainerResources(limits={"memory": "2Gi"}),
            )
            t = KubernetesPodOperator(task_id="t", **pod_arguments(T_CONTAINER),
                                      on_finish_action="delete_pod")
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            IMAGE = "registry.example.com/etl:1.4"
            t = KubernetesPodOperator(task_id="t", image=IMAGE, arguments=["--home=$HOME"])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            IMAGE = "registry.example.com/etl:1.4"
            T_CONTAINER = ContainerTask(
                image=IMAGE,
                arguments=("--home=$$HOME",),
            )
            t = KubernetesPodOperator(task_id="t", **pod_arguments(T_CONTAINER))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            COMMON = {"namespace": "jobs", "get_logs": True}
            t = KubernetesPodOperator(task_id="t", image="etl:1", **COMMON)
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            COMMON = {"namespace": "jobs", "get_logs": True}
            T_CONTAINER = ContainerTask(
                image="etl:1",
            )
            t = KubernetesPodOperator(task_id="t", **pod_arguments(T_CONTAINER), **COMMON)
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from airflow.sdk import DAG
            EXTRACT_CONTAINER = "taken"
            with DAG("d", schedule=None):
                # two steps
                a = KubernetesPodOperator(task_id="extract", image="etl:1")
                b = KubernetesPodOperator(task_id="extract-2", image="etl:1")
                a >> b
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from airflow.sdk import DAG
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            EXTRACT_CONTAINER = "taken"
            with DAG("d", schedule=None):
                # two steps
                EXTRACT_CONTAINER_2 = ContainerTask(
                    image="etl:1",
                )
                a = KubernetesPodOperator(task_id="extract", **pod_arguments(EXTRACT_CONTAINER_2))
                EXTRACT_2_CONTAINER = ContainerTask(
                    image="etl:1",
                )
                b = KubernetesPodOperator(task_id="extract-2", **pod_arguments(EXTRACT_2_CONTAINER))
                a >> b
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            def build(dag):
                return KubernetesPodOperator(task_id="report", image="etl:1", dag=dag)
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            def build(dag):
                report_container = ContainerTask(
                    image="etl:1",
                )
                return KubernetesPodOperator(task_id="report", **pod_arguments(report_container), dag=dag)
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            a = KubernetesPodOperator(task_id="a", image="etl:1", arguments=["{{ ds }}"])
            b = KubernetesPodOperator(task_id="b", image="etl:1", arguments=["{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m') }}"])
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask, context_value
            from translators.containers_airflow import pod_arguments

            A_CONTAINER = ContainerTask(
                image="etl:1",
                arguments=("${ds}",),
                params={"ds": context_value("ds")},
            )
            a = KubernetesPodOperator(task_id="a", **pod_arguments(A_CONTAINER))
            b = KubernetesPodOperator(task_id="b", image="etl:1", arguments=["{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m') }}"])
            """, reports=('kpo-portable/template',)),
        Change("""
            from airflow.providers.google.cloud.operators.kubernetes_engine import GKEStartPodOperator
            t = GKEStartPodOperator(task_id="t", project_id="p", location="l", cluster_name="c",
                                    image="etl:1", cmds=["run"])
            """, """
            from airflow.providers.google.cloud.operators.kubernetes_engine import GKEStartPodOperator
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            T_CONTAINER = ContainerTask(
                image="etl:1",
                command=("run",),
            )
            t = GKEStartPodOperator(task_id="t", project_id="p", location="l", cluster_name="c",
                                    **pod_arguments(T_CONTAINER))
            """),
    )
    NO_CHANGE = (
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            from bridge.containers import ContainerTask
            from translators.containers_airflow import pod_arguments

            LOAD_CONTAINER = ContainerTask(image="etl:1")
            t = KubernetesPodOperator(task_id="load", **pod_arguments(LOAD_CONTAINER))
            """),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", image="etl:1", arguments=["{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m') }}"])
            """, reports=('kpo-portable/template',)),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            class DbtPod(KubernetesPodOperator):
                pass
            t = DbtPod(task_id="t", image="dbt:1", arguments=["run"])
            """, reports=('kpo-portable/subclass',)),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            default_args = {"image": "etl:1"}
            t = KubernetesPodOperator(task_id="t", arguments=["--day", "{{ ds }}"])
            """, reports=('kpo-portable/image',)),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            ARGS = ["--day", "{{ ds }}"]
            t = KubernetesPodOperator(task_id="t", image="etl:1", arguments=ARGS)
            """, reports=('kpo-portable/argument',)),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            tasks = [KubernetesPodOperator(task_id="t", image="etl:1") for _ in range(2)]
            """, reports=('kpo-portable/placement',)),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            def make(task_id):
                return KubernetesPodOperator(task_id=task_id, image="etl:1")
            """, reports=('kpo-portable/task-id',)),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            COMMON = {"image": "etl:1", "namespace": "jobs"}
            t = KubernetesPodOperator(task_id="t", **COMMON, cmds=["run"])
            """, reports=('kpo-portable/spread',)),
        NoChange("""
            from mylib import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", image="etl:1")
            """),
        NoChange("""
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", image="etl:1", env_vars={"AT": "{% now %}"})
            """, reports=('kpo-portable/template',)),
    )
