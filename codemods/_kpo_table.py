"""KubernetesPodOperator history: moved names, renamed arguments, old model classes.

Each converter takes *updated* nodes and returns the new node, or a string saying why the
value cannot be converted safely (the caller reports it and leaves the code as is).
"""

from __future__ import annotations

import re

import libcst as cst

from codemods._args import keyword_call, source_of, string_dict, string_value

__all__ = ["DEPRECATED_ARGS", "KPO", "MOVES", "OLD_MODELS", "convert_kwarg", "convert_model"]

_POD = "airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator"
_GKE = "airflow.providers.google.cloud.operators.kubernetes_engine.GKEStartPodOperator"

#: old qualified name -> new qualified name
MOVES: dict[str, str] = {
    "airflow.contrib.operators.kubernetes_pod_operator.KubernetesPodOperator": _POD,
    "airflow.providers.cncf.kubernetes.operators.kubernetes_pod.KubernetesPodOperator": _POD,
    "airflow.kubernetes.secret.Secret": "airflow.providers.cncf.kubernetes.secret.Secret",
    "airflow.contrib.kubernetes.secret.Secret": "airflow.providers.cncf.kubernetes.secret.Secret",
    "airflow.contrib.operators.gcp_container_operator.GKEPodOperator": _GKE,
    "airflow.providers.google.cloud.operators.kubernetes_engine.GKEPodOperator": _GKE,
}

#: the current pod operators (after MOVES)
KPO = frozenset({_POD, _GKE})


def _old(module: str, name: str) -> list[str]:
    """Where Airflow 1 and 2 and the provider's ``backcompat`` package (removed in 10.0;
    Airflow 2's ``airflow.kubernetes.*`` re-exported it) defined one model class."""
    return [f"{package}.{module}.{name}" for package in (
        "airflow.kubernetes", "airflow.contrib.kubernetes",
        "airflow.providers.cncf.kubernetes.backcompat")]


#: old model class qualified name -> kind
OLD_MODELS: dict[str, str] = {
    **dict.fromkeys(_old("volume", "Volume"), "volume"),
    **dict.fromkeys(_old("volume_mount", "VolumeMount"), "volume_mount"),
    **dict.fromkeys(_old("pod", "Port"), "port"),
    **dict.fromkeys(_old("pod", "Resources"), "resources"),
    **dict.fromkeys(_old("pod_runtime_info_env", "PodRuntimeInfoEnv"), "env"),
}

_POSITIONAL = {"volume": ("name", "configs"),
               "volume_mount": ("name", "mount_path", "sub_path", "read_only"),
               "port": ("name", "container_port"), "resources": (),
               "env": ("name", "field_path")}
_MODEL_CLASS = {"volume": "V1Volume", "volume_mount": "V1VolumeMount",
                "port": "V1ContainerPort", "resources": "V1ResourceRequirements",
                "env": "V1EnvVar"}
_VOLUME_SOURCES = {
    "persistentVolumeClaim": ("persistent_volume_claim", "V1PersistentVolumeClaimVolumeSource"),
    "configMap": ("config_map", "V1ConfigMapVolumeSource"),
    "secret": ("secret", "V1SecretVolumeSource"),
    "hostPath": ("host_path", "V1HostPathVolumeSource"),
    "emptyDir": ("empty_dir", "V1EmptyDirVolumeSource"),
}
_RESOURCE_KEYS = {
    "request_memory": ("requests", "memory"), "request_cpu": ("requests", "cpu"),
    "request_ephemeral_storage": ("requests", "ephemeral-storage"),
    "limit_memory": ("limits", "memory"), "limit_cpu": ("limits", "cpu"),
    "limit_gpu": ("limits", "nvidia.com/gpu"),
    "limit_ephemeral_storage": ("limits", "ephemeral-storage"),
}
_RENAMES = {"node_selectors": "node_selector", "xcom_push": "do_xcom_push"}
#: the arguments :func:`convert_kwarg` rewrites or reports
DEPRECATED_ARGS = frozenset({*_RENAMES, "is_delete_operator_pod", "resources"})


def convert_kwarg(key: str, value: cst.BaseExpression,
                  ) -> tuple[str, cst.BaseExpression] | str | None:
    """The current ``(name, value)`` for a deprecated KPO argument, a problem, or None."""
    if key in _RENAMES:
        return _RENAMES[key], value
    if key == "is_delete_operator_pod":
        if isinstance(value, cst.Name) and value.value in ("True", "False"):
            action = "delete_pod" if value.value == "True" else "keep_pod"
            return "on_finish_action", cst.SimpleString(f'"{action}"')
        return ("is_delete_operator_pod is not a literal True/False; set "
                "on_finish_action='delete_pod' or 'keep_pod' by hand")
    if key == "resources":
        if isinstance(value, cst.Call) and source_of(value.func) == "k8s.V1ResourceRequirements":
            return "container_resources", value
        pairs = _string_pairs(value)
        if pairs is None:
            return ("resources= is not a literal dict; pass "
                    "container_resources=k8s.V1ResourceRequirements(...) by hand")
        converted = _resources(pairs)
        return converted if isinstance(converted, str) else ("container_resources", converted)
    return None


def convert_model(kind: str, call: cst.Call) -> cst.BaseExpression | str:
    """``k8s.V1...`` for an old model class call, or why it cannot be converted."""
    pairs: list[tuple[str, cst.BaseExpression]] = []
    for index, arg in enumerate(call.args):
        if arg.star:
            return f"*{arg.star} arguments cannot be mapped to k8s.{_MODEL_CLASS[kind]}"
        if arg.keyword is not None:
            pairs.append((arg.keyword.value, arg.value))
        elif index < len(_POSITIONAL[kind]):
            pairs.append((_POSITIONAL[kind][index], arg.value))
        else:
            return "too many positional arguments"
    if kind == "resources":
        return _resources(pairs)
    if kind == "env":
        return _runtime_env(pairs)
    if kind == "volume":
        converted = _volume_configs(pairs)
        if isinstance(converted, str):
            return converted
        pairs = converted
    return _k8s(_MODEL_CLASS[kind], pairs)


def _resources(pairs: list[tuple[str, cst.BaseExpression]]) -> cst.BaseExpression | str:
    groups: dict[str, list[tuple[str, cst.BaseExpression]]] = {}
    for key, value in pairs:
        if key not in _RESOURCE_KEYS:
            return f"unknown resources key {key!r}; convert to k8s.V1ResourceRequirements by hand"
        if isinstance(value, cst.Name) and value.value == "None":
            continue
        group, name = _RESOURCE_KEYS[key]
        groups.setdefault(group, []).append((name, value))
    args: list[tuple[str, cst.BaseExpression]] = [
        (group, string_dict(groups[group])) for group in ("requests", "limits") if group in groups]
    return _k8s("V1ResourceRequirements", args)


def _runtime_env(pairs: list[tuple[str, cst.BaseExpression]]) -> cst.BaseExpression | str:
    """``PodRuntimeInfoEnv(name, field_path)`` as the ``V1EnvVar`` its
    ``to_k8s_client_obj`` built."""
    given = dict(pairs)
    if len(given) != len(pairs) or set(given) != {"name", "field_path"}:
        return "PodRuntimeInfoEnv takes name and field_path; build k8s.V1EnvVar by hand"
    field_ref = _k8s("V1ObjectFieldSelector", [("field_path", given["field_path"])])
    source = _k8s("V1EnvVarSource", [("field_ref", field_ref)])
    return _k8s("V1EnvVar", [("name", given["name"]), ("value_from", source)])


def _volume_configs(pairs: list[tuple[str, cst.BaseExpression]],
                    ) -> list[tuple[str, cst.BaseExpression]] | str:
    out = []
    for key, value in pairs:
        if key != "configs":
            out.append((key, value))
            continue
        sources = _string_pairs(value)
        if sources is None:
            return "Volume configs= is not a literal dict; build k8s.V1Volume by hand"
        for kind, spec in sources:
            fields = _string_pairs(spec)
            if kind not in _VOLUME_SOURCES or fields is None:
                return f"Volume source {kind!r} is not convertible; build k8s.V1Volume by hand"
            arg_name, class_name = _VOLUME_SOURCES[kind]
            out.append((arg_name, _k8s(class_name, [(_snake(k), v) for k, v in fields])))
    return out


def _k8s(class_name: str, pairs: list[tuple[str, cst.BaseExpression]]) -> cst.BaseExpression:
    return keyword_call(f"k8s.{class_name}", pairs)


def _string_pairs(node: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]] | None:
    """``[(key, value)]`` of a literal ``{"k": v}`` or ``dict(k=v)``; None otherwise."""
    if isinstance(node, cst.Dict):
        pairs = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or \
                    not isinstance(element.key, cst.SimpleString):
                return None
            key = string_value(element.key)
            if not isinstance(key, str):
                return None
            pairs.append((key, element.value))
        return pairs
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and \
            node.func.value == "dict" and all(a.keyword is not None for a in node.args):
        return [(a.keyword.value, a.value) for a in node.args if a.keyword is not None]
    return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
