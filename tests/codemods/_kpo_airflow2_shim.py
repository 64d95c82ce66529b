"""The Airflow 2 API that legacy KubernetesPodOperator DAG files use, rebuilt on Airflow 3.

Airflow 3 removed ``airflow.contrib``, ``airflow.kubernetes``, the provider's
``kubernetes_pod`` module, ``days_ago``, ``DummyOperator`` and several DAG arguments, so an
Airflow 2 DAG file cannot be imported as it is. :func:`install` puts those names back in
``sys.modules`` with their Airflow 2 *behaviour*, so that the original fixture files load
and build pods through the current operator's own ``build_pod_request_obj``:

- ``Volume`` / ``VolumeMount`` / ``Port`` / ``Resources``: the classes of the provider's
  ``backcompat`` package (Airflow 2's ``airflow.kubernetes.*`` re-exported them), which the
  operator converts with their ``to_k8s_client_obj()``; ``Volume`` sets each ``configs``
  entry, as given, on a ``V1Volume`` (camelCase key to snake_case attribute);
- the legacy operator: the current one plus the arguments Airflow 1.10 / 2 accepted:
  ``resources`` (a dict becomes ``Resources(**dict)``, as ``convert_resources`` did),
  ``node_selectors`` (wins over ``node_selector``) and ``xcom_push`` (Airflow 1.10's name of
  ``do_xcom_push``);
- ``Secret``: the provider's class, unchanged since it left Airflow core;
- ``days_ago(n)``: midnight UTC today minus ``n`` days; ``DummyOperator``: ``EmptyOperator``
  (its alias since Airflow 2.3); ``Dataset``: ``Asset``; ``PythonOperator`` ignoring
  ``provide_context``; DAGs accepting ``schedule_interval``, ``concurrency``,
  ``default_view`` and ``orientation``.

Nothing here rewrites source code: the comparison in ``test_kpo_airflow3_load.py`` holds
the codemod's text rewrite against this runtime emulation. Only ``install()`` touches
``sys.modules``; importing this module does not.
"""

from __future__ import annotations

import datetime
import sys
import types
from typing import Any


class Volume:
    """Airflow 2's ``Volume(name, configs)``."""

    def __init__(self, name: str, configs: dict[str, Any]) -> None:
        self.name = name
        self.configs = configs

    def to_k8s_client_obj(self) -> Any:
        from kubernetes.client import models as k8s

        volume = k8s.V1Volume(name=self.name)
        for key, value in self.configs.items():
            attribute = "".join(f"_{c.lower()}" if c.isupper() else c for c in key).lstrip("_")
            if not hasattr(volume, attribute):
                raise AttributeError(f"V1Volume does not have attribute {key}")
            setattr(volume, attribute, value)
        return volume


class VolumeMount:
    """Airflow 2's ``VolumeMount(name, mount_path, sub_path, read_only)``."""

    def __init__(self, name: str, mount_path: str, sub_path: str | None,
                 read_only: bool) -> None:
        self.name, self.mount_path = name, mount_path
        self.sub_path, self.read_only = sub_path, read_only

    def to_k8s_client_obj(self) -> Any:
        from kubernetes.client import models as k8s

        return k8s.V1VolumeMount(name=self.name, mount_path=self.mount_path,
                                 sub_path=self.sub_path, read_only=self.read_only)


class Port:
    """Airflow 2's ``Port(name=None, container_port=None)``."""

    def __init__(self, name: str | None = None, container_port: int | None = None) -> None:
        self.name, self.container_port = name, container_port

    def to_k8s_client_obj(self) -> Any:
        from kubernetes.client import models as k8s

        return k8s.V1ContainerPort(name=self.name, container_port=self.container_port)


class Resources:
    """Airflow 2's ``Resources``: falsy values are left out of requests and limits."""

    def __init__(self, request_memory: Any = None, request_cpu: Any = None,
                 request_ephemeral_storage: Any = None, limit_memory: Any = None,
                 limit_cpu: Any = None, limit_gpu: Any = None,
                 limit_ephemeral_storage: Any = None) -> None:
        self.requests = {"cpu": request_cpu, "memory": request_memory,
                         "ephemeral-storage": request_ephemeral_storage}
        self.limits = {"cpu": limit_cpu, "memory": limit_memory, "nvidia.com/gpu": limit_gpu,
                       "ephemeral-storage": limit_ephemeral_storage}

    def to_k8s_client_obj(self) -> Any:
        from kubernetes.client import models as k8s

        return k8s.V1ResourceRequirements(
            limits={k: v for k, v in self.limits.items() if v},
            requests={k: v for k, v in self.requests.items() if v})


def days_ago(n: int, hour: int = 0, minute: int = 0, second: int = 0,
             microsecond: int = 0) -> datetime.datetime:
    """Airflow 2's ``airflow.utils.dates.days_ago``."""
    today = datetime.datetime.now(datetime.timezone.utc).replace(
        hour=hour, minute=minute, second=second, microsecond=microsecond)
    return today - datetime.timedelta(days=n)


def install() -> None:
    """Register the Airflow 2 names (call before loading an Airflow 2 DAG file)."""
    import airflow.utils.dates
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from airflow.providers.cncf.kubernetes.secret import Secret
    from airflow.providers.standard.operators import python as standard_python
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import Asset, AssetAlias
    from airflow.sdk.definitions.dag import DAG

    class LegacyKubernetesPodOperator(KubernetesPodOperator):
        def __init__(self, *, resources: Any = None, node_selectors: dict[str, str] | None = None,
                     xcom_push: bool | None = None, **kwargs: Any) -> None:
            if resources is not None:
                legacy = Resources(**resources) if isinstance(resources, dict) else resources
                kwargs["container_resources"] = getattr(legacy, "to_k8s_client_obj",
                                                        lambda: legacy)()
            if node_selectors:
                kwargs["node_selector"] = node_selectors
            if xcom_push is not None:
                kwargs["do_xcom_push"] = xcom_push
            super().__init__(**kwargs)

    LegacyKubernetesPodOperator.__name__ = "KubernetesPodOperator"

    class LegacyPythonOperator(standard_python.PythonOperator):
        def __init__(self, *, provide_context: bool | None = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)

    LegacyPythonOperator.__name__ = "PythonOperator"

    models = {"Volume": Volume, "VolumeMount": VolumeMount, "Port": Port,
              "Resources": Resources, "Secret": Secret}
    operator = {"KubernetesPodOperator": LegacyKubernetesPodOperator}
    for root in ("airflow.kubernetes", "airflow.contrib.kubernetes"):
        _module(root, {})
        for name, members in (("secret", ("Secret",)), ("volume", ("Volume",)),
                              ("volume_mount", ("VolumeMount",)),
                              ("pod", ("Port", "Resources"))):
            _module(f"{root}.{name}", {m: models[m] for m in members})
    _module("airflow.contrib", {})
    _module("airflow.contrib.operators", {})
    _module("airflow.contrib.operators.kubernetes_pod_operator", operator)
    _module("airflow.providers.cncf.kubernetes.operators.kubernetes_pod", operator)
    for name in ("dummy", "dummy_operator"):
        _module(f"airflow.operators.{name}", {"DummyOperator": EmptyOperator})
    _module("airflow.operators.python", {**vars(standard_python),
                                         "PythonOperator": LegacyPythonOperator})
    _module("airflow.datasets", {"Dataset": Asset, "DatasetAlias": AssetAlias})
    airflow.utils.dates.days_ago = days_ago  # type: ignore[attr-defined]
    _accept_airflow2_dag_arguments(DAG)


def _module(name: str, members: dict[str, Any]) -> None:
    module = types.ModuleType(name)
    module.__dict__.update({k: v for k, v in members.items() if not k.startswith("__")})
    module.__path__ = []  # a package, so that submodules can be imported
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)


def _accept_airflow2_dag_arguments(dag_class: Any) -> None:
    original = dag_class.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "schedule_interval" in kwargs:
            kwargs["schedule"] = kwargs.pop("schedule_interval")
        if "concurrency" in kwargs:
            kwargs["max_active_tasks"] = kwargs.pop("concurrency")
        kwargs.pop("default_view", None)
        kwargs.pop("orientation", None)
        original(self, *args, **kwargs)

    dag_class.__init__ = __init__
