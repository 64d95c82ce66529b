"""For every shipped Airflow example DAG and every fixture DAG, each command keeps the task
graph (task ids and edges, read by ``translators.read_static``) exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods import transform_source
from codemods.commands import COMMANDS
from translators import read_static

FIXTURES = Path(__file__).parent / "fixtures" / "dags"
KPO_FIXTURES = Path(__file__).parent / "fixtures" / "kpo_dags"


def _example_dag_files() -> list[Path]:
    import airflow.example_dags
    import airflow.providers.standard.example_dags

    folders = [Path(airflow.example_dags.__file__).parent,
               Path(airflow.providers.standard.example_dags.__file__).parent, FIXTURES,
               KPO_FIXTURES]
    return sorted(p for folder in folders for p in folder.glob("*.py")
                  if p.name != "__init__.py")


def _graph(path: Path) -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    result = read_static([path])
    return {dag.dag_id: {(t.task_id, tuple(t.upstream)) for t in dag.tasks}
            for dag in result.dags}


FILES = _example_dag_files()
# dag-to-assets moves the tasks into an asset module (its own tests check the DAGs exported)
KEEPING = [c for c in COMMANDS if not getattr(c, "SPLITS_FILE", False)]
CHAINS = [[c] for c in KEEPING] + [KEEPING]


@pytest.mark.airflow
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_task_graph_is_preserved(path: Path, tmp_path: Path) -> None:
    before = _graph(path)
    for chain in CHAINS:
        out = transform_source(path.read_bytes(), chain, filename=str(path))
        rewritten = tmp_path / path.name
        rewritten.write_text(out.code, encoding="utf-8")
        assert _graph(rewritten) == before, [c.NAME for c in chain]


def test_fixtures_are_found() -> None:
    assert len(FILES) > 50
    assert any(p.parent == FIXTURES for p in FILES)
    assert any(p.parent == KPO_FIXTURES for p in FILES)
