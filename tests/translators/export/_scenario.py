"""One Airflow deployment of the exported examples: export, ``dag.test()`` every DAG, and the
same assets materialized locally for comparison."""

from __future__ import annotations

import hashlib
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from bridge import AssetGraph, InMemoryIOManager, InMemoryStore, materialize
from bridge._keys import AssetKey
from bridge._loading import load_target
from bridge._project import find_project, open_resources
from bridge.io import FilesystemIOManager, InputContext
from tests.translators.export._airflow import AirflowHome
from translators.export import ExportOptions, ExportPlan, export_dags, plan_export

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


@dataclass(frozen=True)
class Example:
    """An asset module exported into the DAGs folder, and where its tasks store values."""

    name: str
    path: Path
    env: str | None
    #: folder under ASSETBRIDGE_HOME of its I/O manager in that environment
    storage: str


EXAMPLES = [
    Example("quickstart", REPO / "examples" / "quickstart" / "assets.py", None, "storage"),
    Example("deploy", REPO / "examples" / "deploy" / "shop_assets.py", "prod", "warehouse"),
    Example("injection", HERE / "fixtures" / "injection_assets.py", None, "storage"),
]


@dataclass
class Deployment:
    """What one Airflow (3 or 2) did with the exported examples."""

    airflow: AirflowHome
    assetbridge_home: Path
    plans: dict[str, ExportPlan] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    #: added to PYTHONPATH of the Airflow processes (where the loader imports assets from)
    extra_path: str | None = None

    def dag_ids(self) -> list[str]:
        return [dag.dag_id for plan in self.plans.values() for dag in plan.dags]


def run_order(plans: list[ExportPlan]) -> list[str]:
    """DAG ids, upstream DAGs first (producers of a DAG's schedule assets and inlets)."""
    graph = nx.DiGraph()
    producer = {key: dag.dag_id for plan in plans for dag in plan.dags
                for task in dag.tasks for key in task.keys}
    for plan in plans:
        for dag in plan.dags:
            graph.add_node(dag.dag_id)
            for task in dag.tasks:
                graph.add_edges_from((producer[key], dag.dag_id) for key in task.inlets
                                     if key in producer and producer[key] != dag.dag_id)
    return list(nx.lexicographical_topological_sort(graph))


def prepare_exports(root: Path, target: str, template_db: Path | None, *,
                    with_loader: bool = False) -> Deployment:
    """Export every example into a fresh Airflow home (no Airflow runs yet).

    ``with_loader`` also puts the deploy example's three-line ``dags/assets.py`` (live
    ``airflow_dags``) into the DAGs folder; the exported deploy DAGs then get the prefix
    ``exported_`` so both sets of DAG ids coexist in one metadata DB (and one process pays
    Airflow 3's one-time ``dag.test()`` start-up once).
    """
    deployment = Deployment(AirflowHome(root / "airflow", target), root / "assetbridge")
    deployment.airflow.dags.mkdir(parents=True)
    if template_db is not None:
        shutil.copy(template_db, deployment.airflow.db)
    for example in EXAMPLES:
        prefix = "exported_" if with_loader and example.name == "deploy" else ""
        options = ExportOptions(target=target, env=example.env,  # type: ignore[arg-type]
                                dag_id_prefix=prefix)
        deployment.plans[example.name] = export_dags(str(example.path),
                                                     deployment.airflow.dags, options).plan
    if with_loader:
        deploy = EXAMPLES[1]
        shutil.copy(REPO / "examples" / "deploy" / "dags" / "assets.py",
                    deployment.airflow.dags / "assets.py")
        deployment.plans["loader"] = plan_export(load_target(str(deploy.path)).assets,
                                                 ExportOptions(env=deploy.env))
        deployment.extra_path = str(deploy.path.parent)
    return deployment


def run_deployment(deployment: Deployment) -> None:
    """Migrate the metadata DB if needed, then ``dag.test()`` every DAG, upstream first.
    Only subprocesses: safe to call from several threads at once."""
    if not deployment.airflow.db.exists():
        deployment.airflow.migrate(deployment.assetbridge_home)
    order = run_order(list(deployment.plans.values()))
    deployment.result = deployment.airflow.test(order, deployment.assetbridge_home,
                                                extra_path=deployment.extra_path)


def data_versions(deployment: Deployment, plan_name: str) -> dict[tuple[str, str | None], str]:
    """(key, partition) -> data version, from the XCom records of one plan's DAGs."""
    dag_ids = {dag.dag_id for dag in deployment.plans[plan_name].dags}
    return {(item["key"], record["partition"]): item["data_version"]
            for dag_id, _, _, record in deployment.airflow.all_xcoms() if dag_id in dag_ids
            for item in record["assets"]}


def file_versions(deployment: Deployment, example: Example) -> dict[tuple[str, str | None], str]:
    """(key, partition) -> the data version of the file the Airflow tasks wrote."""
    return {place: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            for place, path in _files(deployment, example).items()}


def airflow_values(deployment: Deployment, example: Example
                   ) -> dict[tuple[str, str | None], Any]:
    """Every value the Airflow tasks stored, read back from the I/O manager's files."""
    return {place: pickle.loads(path.read_bytes())
            for place, path in _files(deployment, example).items()}


def _files(deployment: Deployment, example: Example) -> dict[tuple[str, str | None], Path]:
    manager = FilesystemIOManager(deployment.assetbridge_home / example.storage)
    return {(key, partition): manager.path_for(AssetKey.parse(key), partition)
            for dag in deployment.plans[example.name].dags for task in dag.tasks
            for key in task.keys for partition in _partitions(deployment, dag.dag_id, task)}


def _partitions(deployment: Deployment, dag_id: str, task: Any) -> list[str | None]:
    if task.static_partitions is not None:
        return list(task.static_partitions)
    if task.time_partitioned:
        found = deployment.airflow.xcoms()[(dag_id, task.task_id)]
        return [found["partition"]]
    return [None]


def local_values(deployment: Deployment, example: Example, plan_name: str | None = None
                 ) -> dict[tuple[str, str | None], Any]:
    """The same runs, in the same order, by ``bridge.materialize`` in this process."""
    assets = load_target(str(example.path)).assets
    graph = AssetGraph.from_assets(assets)
    io, store = InMemoryIOManager(), InMemoryStore()
    plan = deployment.plans[plan_name or example.name]
    order = run_order([plan])
    values = {}
    with open_resources(find_project(example.path.parent), example.env) as resources:
        resources["io_manager"] = io
        for dag in sorted(plan.dags, key=lambda d: order.index(d.dag_id)):
            for task in dag.tasks:
                for partition in _partitions(deployment, dag.dag_id, task):
                    materialize(assets, selection=list(task.keys), partition=partition,
                                resources=resources, store=store).raise_on_failure()
                    for key in task.keys:
                        context = InputContext(AssetKey.parse(key), graph.spec(key), partition)
                        values[(key, partition)] = io.load_input(context)
    return values
