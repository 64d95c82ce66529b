"""``kpo-modernize`` edge cases of the shapes it follows: names the operator is assigned to,
partials, inline ``**`` dicts and the provider's removed ``backcompat`` modules."""

from __future__ import annotations

import textwrap

from codemods import transform_source
from codemods.commands.kpo_modernize import ModernizeKpoCommand

KPO = "from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator\n"


def _run(source: str) -> tuple[str, list[str]]:
    out = transform_source(textwrap.dedent(source), [ModernizeKpoCommand])
    return out.code, [f"{r.line}:{r.code}" for r in out.reports]


def test_alias_of_a_subclass_and_of_an_alias() -> None:
    code, reports = _run(KPO + """
class MyPod(KubernetesPodOperator):
    pass
Mine = MyPod
Pod = KubernetesPodOperator
Again = Pod
a = Mine(task_id="a", xcom_push=True)
b = Again(task_id="b", node_selectors={})
""")
    assert 'Mine(task_id="a", do_xcom_push=True)' in code
    assert 'Again(task_id="b", node_selector={})' in code
    assert reports == []


def test_a_parameter_hides_the_alias() -> None:
    code, reports = _run(KPO + """
Pod = KubernetesPodOperator
def build(Pod):
    return Pod(task_id="t", xcom_push=True)
""")
    assert "xcom_push=True" in code and "do_xcom_push" not in code
    assert reports == ["5:kpo-modernize/ambiguous-name"]


def test_tuple_assignment_is_not_followed_and_unrelated_names_stay_quiet() -> None:
    source = KPO + "Pod, n = KubernetesPodOperator, 1\nt = Other(task_id='t', xcom_push=True)\n"
    code, reports = _run(source)
    assert code == source and reports == []


def test_inline_dict_key_clashing_with_a_keyword_is_reported() -> None:
    source = KPO + "t = KubernetesPodOperator(node_selector={}, **{'node_selectors': {}})\n"
    code, reports = _run(source)
    assert code == source
    assert reports == ["2:kpo-modernize/argument"]


def test_partial_of_a_module_qualified_legacy_operator() -> None:
    code, reports = _run("""
import functools
from airflow.providers.cncf.kubernetes.operators import kubernetes_pod
run = functools.partial(kubernetes_pod.KubernetesPodOperator, is_delete_operator_pod=True)
""")
    assert 'functools.partial(KubernetesPodOperator, on_finish_action="delete_pod")' in code
    assert KPO in code and reports == []


def test_backcompat_module_imports_are_dropped() -> None:
    code, reports = _run("""
import airflow.providers.cncf.kubernetes.backcompat.volume as vol
from airflow.providers.cncf.kubernetes.backcompat import pod
from airflow.providers.cncf.kubernetes.backcompat.pod_runtime_info_env import PodRuntimeInfoEnv
v = vol.Volume("scratch", {"emptyDir": {}})
p = pod.Port(name="http", container_port=80)
e = PodRuntimeInfoEnv(name="NS", field_path="metadata.namespace")
""")
    assert "backcompat" not in code and reports == []
    assert "k8s.V1ObjectFieldSelector(field_path=\"metadata.namespace\")" in code


def test_runtime_env_with_unknown_arguments_is_reported() -> None:
    source = ("from airflow.kubernetes.pod_runtime_info_env import PodRuntimeInfoEnv\n"
              "e = PodRuntimeInfoEnv('NS')\n")
    code, reports = _run(source)
    assert code == source and reports == ["2:kpo-modernize/model"]
