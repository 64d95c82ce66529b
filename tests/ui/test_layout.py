"""The server-side graph layout and the generated config forms (pure functions)."""

from __future__ import annotations

import enum
from typing import Literal

import networkx as nx
import pytest
from pydantic import BaseModel

from bridge.errors import ConfigError
from bridge.ui._config_form import config_fields, config_from_form
from bridge.ui._layout import NODE_H, NODE_W, layout_graph


def _random_dag(nodes: int, seed: int) -> nx.DiGraph:
    graph = nx.gnp_random_graph(nodes, 3 / nodes, seed=seed, directed=True)
    return nx.DiGraph((f"n{a}", f"n{b}") for a, b in graph.edges if a < b)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_layout_places_every_node_once_edges_point_right_and_groups_hold_their_nodes(
    seed: int,
) -> None:
    graph = _random_dag(400, seed)
    groups = {node: f"g{int(node[1:]) % 7}" for node in graph.nodes}
    layout = layout_graph(graph, groups)
    assert set(layout.positions) == set(graph.nodes)
    for a, b in graph.edges:
        assert layout.positions[a][0] + NODE_W < layout.positions[b][0]
    corners = set(layout.positions.values())
    assert len(corners) == len(layout.positions)  # no two nodes on the same spot
    bands = {band.name: band for band in layout.bands}
    assert set(bands) == set(groups.values())
    for node, (x, y) in layout.positions.items():
        band = bands[groups[node]]
        assert band.x <= x and x + NODE_W <= band.x + band.width
        assert band.y <= y and y + NODE_H <= band.y + band.height
        assert 0 <= x <= layout.width and 0 <= y <= layout.height
    assert layout.edges.count("M") == graph.number_of_edges()


def test_layout_of_an_empty_graph_is_empty() -> None:
    layout = layout_graph(nx.DiGraph(), {})
    assert layout.positions == {} and layout.bands == [] and layout.edges == ""


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Settings(BaseModel):
    name: str
    limit: int = 10
    ratio: float | None = None
    dry_run: bool = False
    colour: Colour = Colour.BLUE
    mode: Literal["fast", "safe"] = "safe"
    tables: list[str] = ["a"]


def test_config_fields_follow_the_model() -> None:
    fields = {f.label: f for f in config_fields("etl/load", Settings)}
    assert {k: (f.kind, f.value, f.required) for k, f in fields.items()} == {
        "name": ("text", "", True), "limit": ("number", "10", False),
        "ratio": ("number", "", False), "dry_run": ("bool", "false", False),
        "colour": ("choice", "blue", False), "mode": ("choice", "safe", False),
        "tables": ("json", '["a"]', False),
    }
    assert fields["colour"].choices == ("red", "blue")
    assert fields["name"].name == "cfg|etl/load|name"


def test_config_from_form_keeps_wanted_assets_and_lets_defaults_apply() -> None:
    posted = [("cfg|etl/load|name", "orders"), ("cfg|etl/load|limit", "5"),
              ("cfg|etl/load|ratio", ""), ("cfg|etl/load|dry_run", "true"),
              ("cfg|etl/load|tables", '["x", "y"]'), ("cfg|etl/load|unknown", "1"),
              ("cfg|other|name", "skip me"), ("key", "etl/load")]
    config = config_from_form(posted, {"etl/load": Settings, "other": Settings}, {"etl/load"})
    assert config == {"etl/load": {"name": "orders", "limit": "5", "dry_run": True,
                                   "tables": ["x", "y"]}}
    model = Settings.model_validate(config["etl/load"])
    assert (model.limit, model.ratio, model.tables) == (5, None, ["x", "y"])
    with pytest.raises(ConfigError, match="'tables' is not valid JSON"):
        config_from_form([("cfg|etl/load|tables", "[x")], {"etl/load": Settings}, {"etl/load"})
