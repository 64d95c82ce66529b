"""status / refresh plan / provenance / impact on real SQLite stores."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel

from bridge import (
    AssetGraph,
    AssetStatus,
    FilesystemIOManager,
    SqlStore,
    StaticPartitions,
    asset,
    asset_statuses,
    changed_assets_since,
    impacted_assets,
    materialize,
    provenance,
    refresh_plan,
)
from bridge._loading import load_target


class Cfg(BaseModel):
    factor: int = 1


def make_assets(code_version: str = "1", fail: bool = False) -> list:
    @asset
    def source_rows() -> list[int]:
        return [1, 2]

    @asset(code_version=code_version)
    def scaled(source_rows: list[int], config: Cfg) -> list[int]:
        if fail:
            raise RuntimeError("scaled broke")
        return [r * config.factor for r in source_rows]

    @asset
    def summary(scaled: list[int]) -> int:
        return sum(scaled)

    return [source_rows, scaled, summary]


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")


@pytest.fixture
def io(tmp_path: Path) -> dict:
    return {"io_manager": FilesystemIOManager(tmp_path / "values")}


def statuses(assets: list, store: SqlStore, **kwargs) -> dict[str, tuple[str, list[str]]]:
    graph = AssetGraph.from_assets(assets)
    return {str(k): (r.status.value, r.reasons)
            for k, r in asset_statuses(graph, store, **kwargs).items()}


def test_never_then_fresh(store: SqlStore, io: dict) -> None:
    assets = make_assets()
    assert statuses(assets, store)["summary"] == ("never", ["never materialized"])
    materialize(assets, store=store, resources=io)
    assert {s for s, _ in statuses(assets, store).values()} == {"fresh"}


def test_upstream_materialized_since_makes_downstream_stale(store: SqlStore, io: dict) -> None:
    assets = make_assets()
    materialize(assets, store=store, resources=io)
    second = materialize(assets, selection="source_rows", store=store, resources=io)
    found = statuses(assets, store)
    assert found["source_rows"] == ("fresh", [])
    assert found["scaled"] == ("stale", [f"upstream 'source_rows' was materialized since "
                                         f"(run {second.run_id})"])
    assert found["summary"] == ("stale", ["upstream 'scaled' is stale"])


def test_code_version_change_is_a_reason(store: SqlStore, io: dict) -> None:
    materialize(make_assets("1"), store=store, resources=io)
    found = statuses(make_assets("2"), store)
    assert found["scaled"] == ("stale", ["code version changed: '1' -> '2'"])


def test_config_change_is_a_reason(store: SqlStore, io: dict) -> None:
    assets = make_assets()
    materialize(assets, store=store, resources=io, config={"scaled": {"factor": 3}})
    assert statuses(assets, store, config={"scaled": {"factor": 3}})["scaled"][0] == "fresh"
    found = statuses(assets, store, config={"scaled": {"factor": 4}})
    assert found["scaled"] == ("stale", ["config changed since the last materialization"])
    # without config for the asset we cannot know what the user intends: no reason
    assert statuses(assets, store)["scaled"] == ("fresh", [])


def test_failed_run_is_reported_with_its_error(store: SqlStore, io: dict) -> None:
    materialize(make_assets(), store=store, resources=io)
    bad = materialize(make_assets(fail=True), store=store, resources=io)
    status, reasons = statuses(make_assets(), store)["scaled"]
    assert status == "failed"
    assert reasons == [f"latest run {bad.run_id} failed: asset 'scaled' failed: "
                       "RuntimeError: scaled broke"]


def test_partitions_report_per_partition_state(store: SqlStore, io: dict) -> None:
    @asset(partitions=StaticPartitions(["a", "b", "c"]))
    def regional() -> int:
        return 1

    materialize([regional], partition="a", store=store, resources=io)
    graph = AssetGraph.from_assets([regional])
    report = asset_statuses(graph, store)[regional.key]
    assert report.to_json()["partitions"] == {"a": "materialized", "b": "missing",
                                              "c": "missing"}
    assert report.status is AssetStatus.STALE
    assert report.reasons == ["2 of 3 partitions not materialized"]


def test_refresh_plan_lists_what_to_run_in_order(store: SqlStore, io: dict) -> None:
    assets = make_assets()
    materialize(assets, store=store, resources=io)
    materialize(assets, selection="source_rows", store=store, resources=io)
    graph = AssetGraph.from_assets(assets)
    plan = refresh_plan(graph, store, [graph.find("summary")])
    assert [str(k) for k in plan] == ["scaled", "summary"]
    assert refresh_plan(graph, store, [graph.find("source_rows")]) == []


def test_provenance_names_run_code_and_upstream_versions(store: SqlStore, io: dict) -> None:
    assets = make_assets()
    first = materialize(assets, store=store, resources=io)
    graph = AssetGraph.from_assets(assets)
    found = provenance(graph, store, graph.find("scaled"))
    assert found is not None
    assert found["run_id"] == first.run_id and found["code_version"] == "1"
    [upstream] = found["upstream"]
    assert upstream["key"] == "source_rows" and upstream["run_id"] == first.run_id
    assert upstream["changed_since"] is False and upstream["data_version"]
    materialize(assets, selection="source_rows", store=store, resources=io)
    assert provenance(graph, store, graph.find("scaled"))["upstream"][0]["changed_since"]
    assert provenance(AssetGraph.from_assets(make_assets()), SqlStore("sqlite://"),
                      graph.find("scaled")) is None


def test_impacted_assets_are_changed_plus_downstream() -> None:
    graph = AssetGraph.from_assets(make_assets())
    assert [str(k) for k in impacted_assets(graph, [graph.find("scaled")])] == [
        "scaled", "summary"]


def test_changed_assets_since_maps_git_diff_lines_to_functions(tmp_path: Path) -> None:
    module = tmp_path / "pipeline.py"
    module.write_text(textwrap.dedent("""\
        from bridge import asset


        @asset
        def first() -> int:
            return 1


        @asset
        def second(first: int) -> int:
            return first + 1


        @asset
        def third(second: int) -> int:
            return second + 1
        """))

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@e", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@e", "-c", "user.name=t", "commit", "-qm", "init")
    module.write_text(module.read_text().replace("return first + 1", "return first + 2"))
    graph = AssetGraph.from_assets(load_target(str(module)).assets)
    changed = changed_assets_since(graph, "HEAD", cwd=str(tmp_path))
    assert [str(k) for k in changed] == ["second"]
    assert [str(k) for k in impacted_assets(graph, changed)] == ["second", "third"]
