"""Generated code is safe: user text (keys, group names, descriptions, tags, owners,
metadata, code versions, partition keys, config defaults) becomes inert literals, and Airflow
renders none of it as Jinja. The injection fixture also runs in real Airflow 3 and 2
(``test_airflow_runs.py``); here: the generated source itself, random text, and the DAG
objects' fields after Airflow renders templates."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge import StaticPartitions, asset
from bridge._loading import load_target
from tests.translators.export.fixtures import injection_assets as nasty
from translators.export import ExportOptions, plan_export, render_files

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
#: the only calls a generated file makes (names and attribute chains)
ALLOWED_CALLS = {"DAG", "Asset", "Dataset", "Param", "TaskGroup", "CronDataIntervalTimetable",
                 "AssetOperator", "AssetTask", "AssetOperator.partial", "AssetTask.partial",
                 "datetime.datetime", "datetime.timedelta", "os.path.normpath", "os.path.join",
                 "os.path.dirname", "os.path.abspath", "os.environ.get", "float"}


def _sources(assets: list[Any], target: str, **options: Any) -> dict[str, str]:
    plan = plan_export(assets, ExportOptions(target=target, **options))  # type: ignore[arg-type]
    return render_files(plan, repr("assets.py"))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):  # AssetOperator.partial(...).expand(...)
        return f"{_dotted(node.func)}()"
    return type(node).__name__


def _dag_module(source: str) -> ast.Module:
    """The part of a file after the Airflow 2 operator class (which is fixed text)."""
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if not isinstance(node, ast.ClassDef)]
    return tree


def _constants(tree: ast.AST) -> set[str]:
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def _calls(tree: ast.AST) -> set[str]:
    return {_dotted(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}


@pytest.mark.parametrize("target", ["airflow3", "airflow2"])
def test_the_fixture_renders_to_inert_literals(target: str) -> None:
    assets = load_target(str(HERE / "fixtures" / "injection_assets.py")).assets
    (source,) = _sources(assets, target, env=nasty.NASTY, store=nasty.NASTY,
                         command=nasty.NASTY, python=nasty.NASTY).values()
    tree = _dag_module(source)
    calls = _calls(tree) - {"AssetOperator.partial().expand", "AssetTask.partial().expand"}
    assert calls <= ALLOWED_CALLS
    constants = _constants(tree)
    for text in (nasty.NASTY, nasty.KEY_RAW, nasty.KEY_CLEAN, *nasty.PARTITIONS,
                 "o'wner {{ x }}", "v\"1'''{{x}}", "{{ ds }}:{% raw %}", "t'ag:v\"al"):
        assert text in constants, text
    # nothing but the banner is a comment, and no user text sits in a docstring
    comments = [line for line in source.splitlines() if line.lstrip().startswith("#")]
    assert all("{{" not in line and "'" not in line.split("#", 1)[1][:1] for line in comments)
    assert ast.get_docstring(ast.parse(source)) is None


_PIECES = [*"a\"'\\{}%#\n\r\t ()_:;=`$\u00e4\u20ac\u2028", "{{", "}}", "{%", "%}", '"""', "'''"]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join)


@settings(max_examples=40, deadline=None)
@given(description=_TEXT, group=_TEXT, tag=_TEXT, owner=_TEXT, version=_TEXT, part=_TEXT,
       partition=_TEXT)
def test_random_text_stays_data(description: str, group: str, tag: str, owner: str,
                                version: str, part: str, partition: str) -> None:
    key = "k" + part.replace("/", "_") + "k"

    @asset(name=key, group=group, description=description, tags={tag: tag}, owners=[owner],
           code_version=version, metadata={"m": description},
           partitions=StaticPartitions([partition]))
    def made() -> None:
        return None

    for target in ("airflow3", "airflow2"):
        (source,) = _sources([made], target, command=description).values()
        tree = _dag_module(source)  # it parses
        assert _calls(tree) - {"AssetOperator.partial().expand",
                               "AssetTask.partial().expand"} <= ALLOWED_CALLS
        constants = _constants(tree)
        assert {description, key, owner, version, partition} <= constants


@pytest.mark.airflow
def test_airflow_renders_nothing_of_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTEST_"))}
    env.update({"HOME": str(tmp_path), "PYTHONPATH": str(REPO)})
    fixture = HERE / "fixtures" / "injection_assets.py"
    done = subprocess.run([sys.executable, str(HERE / "_live_harness.py")], cwd=tmp_path,
                          env=env, input=json.dumps([{"render_check": str(fixture)}]),
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = json.loads(done.stdout)
    tasks = {name: item for name, item in found.items() if "before" in item}
    assert len(tasks) == 2
    for item in tasks.values():
        assert item["template_fields"] == []
        assert item["after"] == item["before"]
    raw = next(item for item in tasks.values() if item["before"]["asset_keys"] == [nasty.KEY_RAW])
    assert raw["before"]["doc_md"] == nasty.NASTY
    assert raw["before"]["owner"] == "o'wner {{ x }}"
    assert raw["outlets"][0][0] == nasty.KEY_RAW
    assert raw["outlets"][0][1]["metadata"] == {"note": nasty.NASTY}
    (dag,) = (item for item in found.values() if "tags" in item)
    assert "{{ ds }}:{% raw %}" in dag["tags"]
    assert dag["params"][nasty.KEY_CLEAN]["title"] == nasty.NASTY
