"""``kpo-modernize``: legacy KubernetesPodOperator code to the current cncf.kubernetes provider."""

# ruff: noqa: E501  (examples are data: rewritten lines may exceed the limit)
from __future__ import annotations

from codemods._kpo_rules import KpoRules
from codemods._types import Change, NoChange

__all__ = ["ModernizeKpoCommand"]

_KPO = "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator"
_OLD = "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator"


class ModernizeKpoCommand(KpoRules):
    """Move KubernetesPodOperator imports and arguments to the current provider.

    - every historical import path (``airflow.contrib.operators.kubernetes_pod_operator``,
      ``airflow.providers.cncf.kubernetes.operators.kubernetes_pod``, ``airflow.kubernetes.*``,
      ``airflow.contrib.kubernetes.*``, the provider's ``backcompat.*`` removed in 10.0) to
      ``airflow.providers.cncf.kubernetes`` and ``kubernetes.client`` models
      (``from kubernetes.client import models as k8s``);
    - ``Volume`` / ``VolumeMount`` / ``Port`` / ``Resources`` / ``PodRuntimeInfoEnv`` to
      ``k8s.V1Volume`` (``configs`` become typed volume sources) / ``k8s.V1VolumeMount`` /
      ``k8s.V1ContainerPort`` / ``k8s.V1ResourceRequirements`` / ``k8s.V1EnvVar`` (a
      ``field_ref``; ``pod_runtime_info_envs=`` itself is still accepted and stays);
    - ``is_delete_operator_pod`` -> ``on_finish_action``, ``resources=`` -> ``container_resources=``,
      ``node_selectors`` -> ``node_selector``, ``xcom_push`` -> ``do_xcom_push``;
    - ``GKEPodOperator`` -> ``GKEStartPodOperator``.

    Arguments are followed through aliases, module-qualified calls, names the operator is
    assigned to (``Pod = KubernetesPodOperator``), subclasses and factory functions defined in
    the file, ``functools.partial`` and ``Operator.partial(...).expand(...)``, ``default_args``,
    module-level dicts spread with ``**`` and literal dicts spread inline
    (``**{"xcom_push": True}``). What cannot be converted safely (non-literal values, dicts
    also used elsewhere, ``resources`` in ``default_args``, a name assigned both an operator
    and something else, an old model class assigned to a name) is reported, not changed.
    """

    NAME = "kpo-modernize"
    DESCRIPTION = ("KubernetesPodOperator: legacy import paths, deprecated arguments and "
                   "airflow.kubernetes model classes to the current cncf.kubernetes provider")
    #: every rewrite and report needs an old module path or a deprecated argument name
    TRIGGERS = ("airflow.contrib", "airflow.kubernetes", "kubernetes_pod", "GKEPodOperator",
                "is_delete_operator_pod", "resources", "node_selectors", "xcom_push",
                "backcompat")

    CHANGE = (
        Change(f"""
            {_OLD}
            t = KubernetesPodOperator(task_id="t", image="busybox")
            """, f"""
            {_KPO}
            t = KubernetesPodOperator(task_id="t", image="busybox")
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators.kubernetes_pod import (
                KubernetesPodOperator as KPO,
            )
            t = KPO(task_id="t", image="busybox", is_delete_operator_pod=True)
            """, """
            from airflow.providers.cncf.kubernetes.operators.pod import (
                KubernetesPodOperator as KPO,
            )
            t = KPO(task_id="t", image="busybox", on_finish_action="delete_pod")
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.operators import kubernetes_pod
            t = kubernetes_pod.KubernetesPodOperator(task_id="t", is_delete_operator_pod=False)
            """, f"""
            {_KPO}

            t = KubernetesPodOperator(task_id="t", on_finish_action="keep_pod")
            """),
        Change(f"""
            {_OLD}
            t = KubernetesPodOperator(
                task_id="t",
                resources={{"request_memory": "1Gi", "limit_cpu": "2", "limit_gpu": 1}},
            )
            """, f"""
            {_KPO}
            from kubernetes.client import models as k8s

            t = KubernetesPodOperator(
                task_id="t",
                container_resources=k8s.V1ResourceRequirements(requests={{"memory": "1Gi"}}, limits={{"cpu": "2", "nvidia.com/gpu": 1}}),
            )
            """),
        Change(f"""
            {_KPO}
            t = KubernetesPodOperator(task_id="t", node_selectors={{"pool": "big"}}, xcom_push=True)
            """, f"""
            {_KPO}
            t = KubernetesPodOperator(task_id="t", node_selector={{"pool": "big"}}, do_xcom_push=True)
            """),
        Change("""
            from airflow.kubernetes.secret import Secret
            from airflow.contrib.kubernetes.secret import Secret as OldSecret
            s = Secret("env", "PASSWORD", "db", "password")
            """, """
            from airflow.providers.cncf.kubernetes.secret import Secret
            from airflow.providers.cncf.kubernetes.secret import Secret as OldSecret
            s = Secret("env", "PASSWORD", "db", "password")
            """),
        Change("""
            from airflow.kubernetes.volume_mount import VolumeMount
            m = VolumeMount("data", mount_path="/data", sub_path=None, read_only=True)
            """, """
            from kubernetes.client import models as k8s

            m = k8s.V1VolumeMount(name="data", mount_path="/data", sub_path=None, read_only=True)
            """),
        Change("""
            from airflow.kubernetes.volume import Volume
            v = Volume(name="data", configs={"persistentVolumeClaim": {"claimName": "pvc"}})
            """, """
            from kubernetes.client import models as k8s

            v = k8s.V1Volume(name="data", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="pvc"))
            """),
        Change("""
            from airflow.contrib.kubernetes.volume import Volume
            v = Volume("cfg", {"configMap": {"name": "settings", "defaultMode": 420}})
            """, """
            from kubernetes.client import models as k8s

            v = k8s.V1Volume(name="cfg", config_map=k8s.V1ConfigMapVolumeSource(name="settings", default_mode=420))
            """),
        Change("""
            from airflow.kubernetes.pod import Port, Resources
            p = Port("http", 8080)
            r = Resources(request_cpu="500m", limit_memory="2Gi")
            """, """
            from kubernetes.client import models as k8s

            p = k8s.V1ContainerPort(name="http", container_port=8080)
            r = k8s.V1ResourceRequirements(requests={"cpu": "500m"}, limits={"memory": "2Gi"})
            """),
        Change("""
            from airflow.contrib.operators.gcp_container_operator import GKEPodOperator
            t = GKEPodOperator(task_id="t", project_id="p", location="l", cluster_name="c",
                               is_delete_operator_pod=True)
            """, """
            from airflow.providers.google.cloud.operators.kubernetes_engine import GKEStartPodOperator
            t = GKEStartPodOperator(task_id="t", project_id="p", location="l", cluster_name="c",
                               on_finish_action="delete_pod")
            """),
        Change(f"""
            {_OLD}
            class MyPod(KubernetesPodOperator):
                def __init__(self, **kwargs):
                    super().__init__(image="app", is_delete_operator_pod=True, **kwargs)
            t = MyPod(task_id="t", node_selectors={{"a": "b"}})
            """, f"""
            {_KPO}
            class MyPod(KubernetesPodOperator):
                def __init__(self, **kwargs):
                    super().__init__(image="app", on_finish_action="delete_pod", **kwargs)
            t = MyPod(task_id="t", node_selector={{"a": "b"}})
            """),
        Change(f"""
            {_OLD}
            def make_pod(task_id, **kwargs):
                return KubernetesPodOperator(task_id=task_id, image="app", **kwargs)
            t = make_pod("t", xcom_push=True, is_delete_operator_pod=False)
            """, f"""
            {_KPO}
            def make_pod(task_id, **kwargs):
                return KubernetesPodOperator(task_id=task_id, image="app", **kwargs)
            t = make_pod("t", do_xcom_push=True, on_finish_action="keep_pod")
            """),
        Change(f"""
            {_OLD}
            COMMON = {{"namespace": "jobs", "is_delete_operator_pod": True, "node_selectors": {{}}}}
            t = KubernetesPodOperator(task_id="t", **COMMON)
            """, f"""
            {_KPO}
            COMMON = {{"namespace": "jobs", "on_finish_action": "delete_pod", "node_selector": {{}}}}
            t = KubernetesPodOperator(task_id="t", **COMMON)
            """),
        Change(f"""
            from airflow import DAG
            {_OLD}
            default_args = {{"owner": "data", "is_delete_operator_pod": True, "xcom_push": False}}
            with DAG("d", default_args=default_args) as dag:
                KubernetesPodOperator(task_id="t")
            """, f"""
            from airflow import DAG
            {_KPO}
            default_args = {{"owner": "data", "on_finish_action": "delete_pod", "do_xcom_push": False}}
            with DAG("d", default_args=default_args) as dag:
                KubernetesPodOperator(task_id="t")
            """),
        Change(f"""
            {_OLD}
            from airflow.kubernetes.volume_mount import VolumeMount
            t = KubernetesPodOperator(
                task_id="t",  # keep this comment
                volume_mounts=[VolumeMount("data", "/data", None, False)],
                is_delete_operator_pod=DELETE,
            )
            """, f"""
            {_KPO}
            from kubernetes.client import models as k8s

            t = KubernetesPodOperator(
                task_id="t",  # keep this comment
                volume_mounts=[k8s.V1VolumeMount(name="data", mount_path="/data", sub_path=None, read_only=False)],
                is_delete_operator_pod=DELETE,
            )
            """, reports=("kpo-modernize/argument",)),
        Change('''
            """A DAG file's docstring."""

            from airflow.providers.cncf.kubernetes.operators import kubernetes_pod
            # one pod
            t = kubernetes_pod.KubernetesPodOperator(task_id="t", xcom_push=False)
            ''', f'''
            """A DAG file's docstring."""

            {_KPO}

            # one pod
            t = KubernetesPodOperator(task_id="t", do_xcom_push=False)
            '''),
        Change("""
            def volumes():
                from airflow.kubernetes.volume import Volume
                return [Volume("scratch", {"emptyDir": {}})]
            """, """
            from kubernetes.client import models as k8s

            def volumes():
                return [k8s.V1Volume(name="scratch", empty_dir=k8s.V1EmptyDirVolumeSource())]
            """),
        Change(f"""
            {_OLD}
            Pod = KubernetesPodOperator
            t = Pod(task_id="t", node_selectors={{"pool": "big"}})
            def build():
                Local = Pod
                return Local(task_id="u", is_delete_operator_pod=False)
            """, f"""
            {_KPO}
            Pod = KubernetesPodOperator
            t = Pod(task_id="t", node_selector={{"pool": "big"}})
            def build():
                Local = Pod
                return Local(task_id="u", on_finish_action="keep_pod")
            """),
        Change(f"""
            import functools
            from functools import partial
            {_KPO}
            run = functools.partial(KubernetesPodOperator, image="app", xcom_push=True)
            keep = partial(KubernetesPodOperator, is_delete_operator_pod=False)
            t = run(task_id="t", node_selectors={{"pool": "big"}})
            """, f"""
            import functools
            from functools import partial
            {_KPO}
            run = functools.partial(KubernetesPodOperator, image="app", do_xcom_push=True)
            keep = partial(KubernetesPodOperator, on_finish_action="keep_pod")
            t = run(task_id="t", node_selector={{"pool": "big"}})
            """),
        Change(f"""
            {_KPO}
            t = KubernetesPodOperator.partial(task_id="t", node_selectors={{}}).expand(arguments=[["a"], ["b"]])
            """, f"""
            {_KPO}
            t = KubernetesPodOperator.partial(task_id="t", node_selector={{}}).expand(arguments=[["a"], ["b"]])
            """),
        Change(f"""
            {_KPO}
            t = KubernetesPodOperator(task_id="t", **{{"is_delete_operator_pod": True, 'xcom_push': False}})
            u = KubernetesPodOperator(task_id="u", **dict(node_selectors={{}}))
            """, f"""
            {_KPO}
            t = KubernetesPodOperator(task_id="t", **{{"on_finish_action": "delete_pod", 'do_xcom_push': False}})
            u = KubernetesPodOperator(task_id="u", **dict(node_selector={{}}))
            """),
        Change("""
            from airflow.providers.cncf.kubernetes.backcompat.volume import Volume
            from airflow.providers.cncf.kubernetes.backcompat.volume_mount import VolumeMount
            from airflow.providers.cncf.kubernetes.backcompat.pod import Port, Resources
            v = Volume("cfg", {"configMap": {"name": "settings"}})
            m = VolumeMount("cfg", "/cfg", None, True)
            p = Port("http", 8080)
            r = Resources(limit_cpu="1")
            """, """
            from kubernetes.client import models as k8s

            v = k8s.V1Volume(name="cfg", config_map=k8s.V1ConfigMapVolumeSource(name="settings"))
            m = k8s.V1VolumeMount(name="cfg", mount_path="/cfg", sub_path=None, read_only=True)
            p = k8s.V1ContainerPort(name="http", container_port=8080)
            r = k8s.V1ResourceRequirements(limits={"cpu": "1"})
            """),
        Change(f"""
            {_KPO}
            from airflow.kubernetes.pod_runtime_info_env import PodRuntimeInfoEnv
            t = KubernetesPodOperator(task_id="t", pod_runtime_info_envs=[PodRuntimeInfoEnv("POD_IP", "status.podIP")])
            """, f"""
            {_KPO}
            from kubernetes.client import models as k8s

            t = KubernetesPodOperator(task_id="t", pod_runtime_info_envs=[k8s.V1EnvVar(name="POD_IP", value_from=k8s.V1EnvVarSource(field_ref=k8s.V1ObjectFieldSelector(field_path="status.podIP")))])
            """),
    )
    NO_CHANGE = (
        NoChange(f"""
            from kubernetes.client import models as k8s
            {_KPO}
            t = KubernetesPodOperator(task_id="t", on_finish_action="delete_pod",
                                      container_resources=k8s.V1ResourceRequirements())
            """),
        NoChange("""
            from mylib import KubernetesPodOperator
            t = KubernetesPodOperator(task_id="t", is_delete_operator_pod=True)
            """),
        NoChange(f"""
            {_KPO}
            SETTINGS = {{"is_delete_operator_pod": True}}
            print(SETTINGS)
            t = KubernetesPodOperator(task_id="t", **SETTINGS)
            """, reports=("kpo-modernize/shared-dict",)),
        NoChange(f"""
            {_KPO}
            default_args = {{"resources": {{"request_cpu": "1"}}}}
            """, reports=("kpo-modernize/default-args",)),
        NoChange("""
            from airflow.kubernetes.volume import Volume
            v = Volume(name="x", configs=CONFIGS)
            """, reports=("kpo-modernize/model",)),
        NoChange(f"""
            {_KPO}
            from kubernetes.client import models as k8s
            t = KubernetesPodOperator(task_id="t", container_resources=k8s.V1ResourceRequirements(),
                                      pod_runtime_info_envs=[k8s.V1EnvVar(name="A", value="b")])
            """),
        NoChange(f"""
            {_KPO}
            t = KubernetesPodOperator(task_id="t", **{{"is_delete_operator_pod": DELETE}})
            """, reports=("kpo-modernize/argument",)),
        NoChange(f"""
            {_KPO}
            Pod = KubernetesPodOperator
            if LOCAL:
                Pod = LocalPodOperator
            t = Pod(task_id="t", xcom_push=True)
            """, reports=("kpo-modernize/ambiguous-name",)),
        NoChange("""
            from functools import partial
            from mylib import KubernetesPodOperator
            run = partial(KubernetesPodOperator, xcom_push=True)
            """),
        NoChange("""
            from airflow.providers.cncf.kubernetes.backcompat.volume import Volume
            V = Volume
            """, reports=("kpo-modernize/model",)),
    )
