"""Round trips with the translator: exported DAGs read back give the same asset graph, and a
translated TaskFlow/PythonOperator DAG exported again gives the same task graph.

The static reader (no Airflow) reads the generated files in-process; the live reader and
``airflow_dags`` run in one harness subprocess (Airflow never runs in pytest's process).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge._loading import load_target
from tests.translators.export._graphs import Node, build, graph_of
from translators import dags_to_assets, read_dags
from translators.export import ExportOptions, plan_export, render_files

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
EXAMPLES = {"quickstart": REPO / "examples" / "quickstart" / "assets.py",
            "deploy": REPO / "examples" / "deploy" / "shop_assets.py",
            "injection": HERE / "fixtures" / "injection_assets.py"}
GROUPINGS = [ExportOptions(), ExportOptions(group_by="one"),
             ExportOptions(jobs=(("first", "*"),)), ExportOptions(target="airflow2")]


def _write(assets: list[Any], options: ExportOptions, folder: Path) -> None:
    plan = plan_export(assets, options)
    for name, text in render_files(plan, repr("assets.py")).items():
        (folder / name).write_text(text, encoding="utf-8")


def _read_back(folder: Path) -> dict[str, list[str]]:
    result = read_dags([str(folder)], mode="static")
    translation = dags_to_assets(result)
    problems = [d for d in (*result.diagnostics, *translation.diagnostics) if d.level != "info"]
    assert problems == []
    return {record.key: sorted(record.deps) for record in translation.records}


@pytest.mark.parametrize("options", GROUPINGS, ids=["by-group", "one-dag", "job", "airflow2"])
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_read_back_statically_as_the_same_asset_graph(
        name: str, options: ExportOptions, tmp_path: Path) -> None:
    assets = load_target(str(EXAMPLES[name])).assets
    _write(assets, options, tmp_path)
    assert _read_back(tmp_path) == graph_of(assets)


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[list[Node], int, ExportOptions]:
    sources = draw(st.integers(0, 2))
    nodes: list[Node] = []
    for index in range(draw(st.integers(1, 10))):
        multi = draw(st.integers(0, 5)) == 0
        prefix = draw(st.sampled_from(["", "g1/", "raw/"]))
        keys = (f"{prefix}a{index}",) + ((f"{prefix}b{index}",) if multi else ())
        choices = list(range(index)) + [-1 - s for s in range(sources)]
        deps = draw(st.lists(st.sampled_from(choices), unique=True, max_size=3)) if choices else []
        nodes.append(Node(keys, draw(st.sampled_from(["g1", "g2", "g3"])),
                          draw(st.sampled_from(["none", "none", "daily", "static"])),
                          tuple(deps)))
    group_by = draw(st.sampled_from(["group", "one"]))
    return nodes, sources, ExportOptions(group_by=group_by)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_random_graphs_read_back_as_the_same_asset_graph(
        case: tuple[list[Node], int, ExportOptions]) -> None:
    nodes, sources, options = case
    assets = build(nodes, sources)
    with tempfile.TemporaryDirectory() as folder:
        _write(assets, options, Path(folder))
        assert _read_back(Path(folder)) == graph_of(assets)


def _harness(requests: list[dict[str, str]], home: Path) -> list[Any]:
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST_"))}
    env.update({"HOME": str(home), "PYTHONPATH": str(REPO)})
    done = subprocess.run([sys.executable, str(HERE / "_live_harness.py")], cwd=home, env=env,
                          input=json.dumps(requests), capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    answers: list[Any] = json.loads(done.stdout)
    return answers


@pytest.mark.airflow
def test_airflow_reads_exports_back_as_the_same_graph_and_translated_dags_export_back(
        tmp_path: Path) -> None:
    """One harness process: the live reader over the examples' and seeded random graphs'
    exported files, and TaskFlow / PythonOperator DAGs translated and exported again."""
    rng = random.Random(20261124)
    cases: list[tuple[Path, dict[str, list[str]]]] = []
    for name, path in sorted(EXAMPLES.items()):
        folder = tmp_path / name
        folder.mkdir()
        assets = load_target(str(path)).assets
        _write(assets, ExportOptions(), folder)
        cases.append((folder, graph_of(assets)))
    for number in range(4):
        nodes = [Node((f"n{i}",), rng.choice(["g1", "g2"]),
                      rng.choice(["none", "none", "daily", "static"]),
                      tuple(sorted(rng.sample(range(i), k=min(i, rng.randint(0, 2))))))
                 for i in range(rng.randint(3, 9))]
        folder = tmp_path / f"random{number}"
        folder.mkdir()
        assets = build(nodes, 0)
        _write(assets, ExportOptions(), folder)
        cases.append((folder, graph_of(assets)))
    fixture = HERE / "fixtures" / "taskflow" / "etl.py"
    answers = _harness([{"read": str(folder)} for folder, _ in cases]
                       + [{"roundtrip": str(fixture)}], tmp_path / "home")
    for (folder, expected), answer in zip(cases, answers, strict=False):
        assert answer["diagnostics"] == [], folder.name
        assert answer["graph"] == expected, folder.name
    roundtrip = answers[-1]
    assert sorted(roundtrip["original"]) == ["classic_etl", "taskflow_etl"]
    assert roundtrip["exported"] == roundtrip["original"]


def test_no_split_adds_only_the_waits_of_first_tasks(tmp_path: Path) -> None:
    assets = load_target(str(EXAMPLES["quickstart"])).assets
    _write(assets, ExportOptions(split=False), tmp_path)
    expected = graph_of(assets)
    got = _read_back(tmp_path)
    extra = {(dep, key) for key, deps in got.items() for dep in deps} - {
        (dep, key) for key, deps in expected.items() for dep in deps}
    # one DAG per group: paid_orders, the sales DAG's first task, also waits for raw_customers
    assert extra == {("raw_customers", "paid_orders")}
    assert all(set(expected[key]) <= set(got[key]) for key in expected)
