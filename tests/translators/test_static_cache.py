"""The static reader's content cache gives exactly what a fresh read gives, and never
serves a stale or damaged entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from translators import read_static
from translators.static._cache import ReadCache, default_cache

FIXTURES = Path(__file__).parent / "fixtures"
DAG = """\
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
with DAG("etl", schedule=None):
    EmptyOperator(task_id="extract") >> EmptyOperator(task_id="{last}")
"""


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.rglob("*.json"))


def test_cached_read_equals_fresh_read_on_every_fixture(tmp_path: Path) -> None:
    files = sorted(FIXTURES.rglob("*.py"))
    assert len(files) >= 20
    fresh = read_static(files, cache=False)
    first = read_static(files)  # fills the cache
    entries = _entries(tmp_path / "assetbridge-cache")
    assert len(entries) == len(files)
    second = read_static(files)  # served from it
    assert first == fresh
    assert second == fresh
    assert second.model_dump_json() == fresh.model_dump_json()


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    dag = tmp_path / "dags" / "etl.py"
    dag.parent.mkdir()
    dag.write_text(DAG.format(last="load"))
    assert [t.task_id for t in read_static([dag]).dags[0].tasks] == ["extract", "load"]
    dag.write_text(DAG.format(last="publish"))
    assert [t.task_id for t in read_static([dag]).dags[0].tasks] == ["extract", "publish"]


def test_the_same_bytes_at_another_path_report_their_own_path(tmp_path: Path) -> None:
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    one.write_text(DAG.format(last="load"))
    two.write_text(DAG.format(last="load"))
    assert read_static([one]).dags[0].file == str(one)
    assert read_static([two]).dags[0].file == str(two)


def test_a_damaged_entry_is_ignored_and_replaced(tmp_path: Path) -> None:
    dag = tmp_path / "etl.py"
    dag.write_text(DAG.format(last="load"))
    expected = read_static([dag], cache=False)
    read_static([dag])
    (entry,) = _entries(tmp_path / "assetbridge-cache")
    entry.write_text('{"not": "a result"')
    assert read_static([dag]) == expected
    assert read_static([dag]) == expected


def test_syntax_errors_are_cached_as_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("with DAG(:\n")
    first = read_static([broken])
    again = read_static([broken])
    assert [d.code for d in again.diagnostics] == ["syntax-error"]
    assert again == first


def test_no_cache_env_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETBRIDGE_NO_CACHE", "1")
    assert default_cache() is None
    dag = tmp_path / "etl.py"
    dag.write_text(DAG.format(last="load"))
    read_static([dag])
    assert _entries(tmp_path / "assetbridge-cache") == []


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    cache = ReadCache(blocker)
    dag = tmp_path / "etl.py"
    dag.write_text(DAG.format(last="load"))
    data = dag.read_bytes()
    assert cache.get(str(dag), data) is None
    cache.put(str(dag), data, ([], []))  # cannot write: silently skipped
    assert cache.get(str(dag), data) is None


def test_cached_read_equals_fresh_read_on_the_shipped_examples() -> None:
    import importlib.util

    spec = importlib.util.find_spec("airflow")
    assert spec is not None and spec.submodule_search_locations, "apache-airflow is missing"
    root = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(p for folder in ("example_dags", "providers/standard/example_dags")
                   for p in (root / folder).glob("*.py") if p.name != "__init__.py")
    assert len(files) > 50
    fresh = read_static(files, cache=False)
    read_static(files)
    assert read_static(files) == fresh
