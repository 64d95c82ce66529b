"""``assetbridge assets lineage`` draws any graph as a terminal tree: a chain thousands of
assets long (no recursion), and shared upstreams (each branch once, so the tree grows with
the graph, not with its paths)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bridge.cli import cli
from bridge.cli._assets_commands import TREE_LEVELS


def _lineage(tmp_path: Path, module: Path, key: str, *args: str) -> str:
    done = CliRunner().invoke(cli, ["assets", "lineage", key, str(module), "--store",
                                    f"sqlite:///{tmp_path / 'runs.db'}", *args],
                              catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


def _module(tmp_path: Path, functions: list[tuple[str, list[str]]]) -> Path:
    lines = ["from bridge import asset", ""]
    for name, upstream in functions:
        params = ", ".join(f"{u}: int" for u in upstream)
        lines += ["@asset", f"def {name}({params}) -> int:",
                  f"    return {' + '.join(upstream) or '1'}", ""]
    path = tmp_path / "graph.py"
    path.write_text("\n".join(lines))
    return path


def test_a_chain_longer_than_the_recursion_limit(tmp_path: Path) -> None:
    names = [f"a{n:04d}" for n in range(1_200)]
    module = _module(tmp_path, [(name, names[n - 1:n]) for n, name in enumerate(names)])
    tree = _lineage(tmp_path, module, "a0600")
    assert "<- a0599" in tree and "-> a0601" in tree
    # TREE_LEVELS levels each way, then a note pointing at the other formats
    assert f"<- a{600 - TREE_LEVELS:04d}" in tree and f"<- a{599 - TREE_LEVELS:04d}" not in tree
    assert f"-> a{600 + TREE_LEVELS:04d}" in tree and f"-> a{601 + TREE_LEVELS:04d}" not in tree
    assert tree.count("levels: see") == 2 and "--format dot|mermaid|json" in tree
    whole = json.loads(_lineage(tmp_path, module, "a0600", "--format", "json"))
    assert len(whole["assets"]) == 1_200  # the other formats keep every level


def test_shared_upstreams_are_drawn_once(tmp_path: Path) -> None:
    """A ladder of diamonds: 2**20 paths from the top to the bottom, 41 assets."""
    functions = [("l00", [])]
    for n in range(1, 21):
        functions += [(f"x{n:02d}", [f"l{n - 1:02d}"]), (f"y{n:02d}", [f"l{n - 1:02d}"]),
                      (f"l{n:02d}", [f"x{n:02d}", f"y{n:02d}"])]
    module = _module(tmp_path, functions)
    tree = _lineage(tmp_path, module, "l20", "--upstream", "12")
    drawn = [line for line in tree.splitlines() if "<- " in line]
    # 12 levels = 6 rungs of 4 lines: x, y, the rung below x, and the same below y, which
    # says it is drawn above (the whole ladder would be 2**12 lines)
    assert len(drawn) == 24 and sum("(see above)" in line for line in drawn) == 6
    assert tree.count("<- l14 ") == 2 and "<- l13" not in tree
