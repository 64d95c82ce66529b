"""Generated Airflow 2 DAG files with legacy KubernetesPodOperator code, for bench_codemods.py.

Each file mixes the shapes real DAG folders have: imports from ``airflow.contrib`` /
``airflow.kubernetes`` / the old provider module (plain, aliased or module-qualified),
``default_args`` and module-level dicts spread with ``**``, a subclass or a factory
function, old ``Volume`` / ``VolumeMount`` / ``Secret`` models, ``resources=`` dicts,
``node_selectors`` / ``xcom_push`` / ``is_delete_operator_pod``, Jinja with removed context
keys, ``schedule_interval``, ``days_ago`` and ``DummyOperator``. File ``i`` has 3 to 8 pod
tasks, so sizes vary (about 60 to 130 lines).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_corpus"]

#: (import line, base class of the team's pod operator)
_IMPORTS = (
    ("from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n",
     "KubernetesPodOperator"),
    ("from airflow.providers.cncf.kubernetes.operators.kubernetes_pod import (\n"
     "    KubernetesPodOperator as KPO,\n)\n", "KPO"),
    ("from airflow.contrib.operators import kubernetes_pod_operator\n",
     "kubernetes_pod_operator.KubernetesPodOperator"),
)
_HEADER = '''"""Generated legacy DAG {i}: {n} pod tasks for team {team}."""

from datetime import timedelta

from airflow import DAG
{kpo}from airflow.kubernetes.secret import Secret
from airflow.kubernetes.volume import Volume
from airflow.kubernetes.volume_mount import VolumeMount
from airflow.operators.dummy import DummyOperator
from airflow.operators.python import PythonOperator
from airflow.utils.dates import days_ago

default_args = {{
    "owner": "{team}",
    "retries": {retries},
    "retry_delay": timedelta(minutes=5),
    "is_delete_operator_pod": True,
}}

POD_DEFAULTS = {{
    "namespace": "{team}",
    "image": "registry.example.com/{team}/jobs:{i}",
    "node_selectors": {{"pool": "{team}"}},
}}

db_password = Secret("env", "DB_PASSWORD", "{team}-db", "password")
data = Volume(name="data", configs={{"persistentVolumeClaim": {{"claimName": "{team}-data"}}}})
data_mount = VolumeMount("data", mount_path="/data", sub_path=None, read_only=False)


class TeamPod({base}):
    """A pod with the team's settings."""

    def __init__(self, **kwargs):
        super().__init__(labels={{"team": "{team}"}}, xcom_push=False, **kwargs)


def report(**context):
    print("done", context["execution_date"], context["next_ds"])


with DAG(
    "legacy_{team}_{i}",
    default_args=default_args,
    start_date=days_ago({days}),
    schedule_interval="@daily",
    catchup=False,
) as dag:
    start = DummyOperator(task_id="start")
    done = PythonOperator(task_id="done", python_callable=report, provide_context=True)
'''
_TASK = '''    step_{k} = TeamPod(
        task_id="step_{k}",
        name="step-{k}",
        cmds=["python", "-m", "jobs.step_{k}"],
        arguments=["--day", "{{{{ ds }}}}", "--at", "{{{{ execution_date }}}}",
                   "--until", "{{{{ next_ds }}}}"],
        secrets=[db_password],
        volumes=[data],
        volume_mounts=[data_mount],
        resources={{"request_cpu": "{cpu}m", "request_memory": "{mem}Mi",
                   "limit_memory": "{mem2}Mi"}},
        **POD_DEFAULTS,
    )
'''
_TEAMS = ("etl", "ml", "reports", "billing", "search", "ads", "growth")


def render(i: int) -> str:
    """The source of generated file ``i``."""
    n = 3 + i % 6
    team = _TEAMS[i % len(_TEAMS)]
    kpo, base = _IMPORTS[i % len(_IMPORTS)]
    parts = [_HEADER.format(i=i, n=n, team=team, kpo=kpo, base=base, retries=i % 3,
                            days=1 + i % 5)]
    parts += [_TASK.format(k=k, cpu=250 * (1 + k % 4), mem=256 * (1 + k % 3),
                           mem2=512 * (1 + k % 3)) for k in range(n)]
    chain = " >> ".join(["start", *(f"step_{k}" for k in range(n)), "done"])
    parts.append(f"    {chain}\n")
    return "".join(parts)


def write_corpus(folder: Path, count: int) -> list[Path]:
    """Write ``count`` generated DAG files into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"legacy_dag_{i:04d}.py"
        path.write_text(render(i), encoding="utf-8")
        paths.append(path)
    return paths
