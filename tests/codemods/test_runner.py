"""The runner: modes, per-file results as values, atomic writes, processes, JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codemods import FileStatus, Mode, run_codemods
from codemods import runner as runner_module

LEGACY = "from airflow.operators.dummy import DummyOperator\nDummyOperator(task_id='a')\n"
MODERN = "from airflow.sdk import DAG\n"


@pytest.fixture
def dags(tmp_path: Path) -> Path:
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "legacy.py").write_text(LEGACY)
    (folder / "modern.py").write_text(MODERN)
    (folder / "broken.py").write_text("def broken(:\n    pass\n")  # a syntax error
    return folder


def _by_name(summary):
    return {Path(r.path).name: r for r in summary.results}


def test_diff_mode_writes_nothing(dags: Path) -> None:
    results = _by_name(run_codemods([dags], ["airflow3"], mode=Mode.DIFF))
    assert results["legacy.py"].status is FileStatus.CHANGED
    assert "+from airflow.providers.standard.operators.empty import EmptyOperator" \
        in results["legacy.py"].diff
    assert results["modern.py"].status is FileStatus.UNCHANGED
    assert (dags / "legacy.py").read_text() == LEGACY


def test_syntax_error_is_reported_not_raised(dags: Path) -> None:
    result = _by_name(run_codemods([dags], ["airflow3"]))["broken.py"]
    assert result.status is FileStatus.FAILED
    assert "does not parse" in result.reason


def test_missing_path_is_a_failed_result(tmp_path: Path) -> None:
    (result,) = run_codemods([tmp_path / "nope.py"], ["airflow3"]).results
    assert result.status is FileStatus.FAILED and "FileNotFoundError" in result.reason


def test_check_mode_writes_nothing(dags: Path) -> None:
    summary = run_codemods([dags], ["airflow3"], mode=Mode.CHECK)
    assert summary.count(FileStatus.CHANGED) == 1
    assert _by_name(summary)["legacy.py"].diff == ""
    assert (dags / "legacy.py").read_text() == LEGACY


def test_write_mode_is_idempotent_and_keeps_permissions(dags: Path) -> None:
    os.chmod(dags / "legacy.py", 0o640)
    first = run_codemods([dags], ["kpo-modernize", "airflow3"], mode=Mode.WRITE)
    assert first.count(FileStatus.CHANGED) == 1
    assert "EmptyOperator(task_id='a')" in (dags / "legacy.py").read_text()
    assert (dags / "legacy.py").stat().st_mode & 0o777 == 0o640
    second = run_codemods([dags], ["kpo-modernize", "airflow3"], mode=Mode.WRITE)
    assert second.count(FileStatus.CHANGED) == 0
    assert not [p for p in dags.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_file_fails_and_stays(dags: Path) -> None:
    target = dags / "legacy.py"
    os.chmod(target, 0o444)
    try:
        result = _by_name(run_codemods([dags], ["airflow3"], mode=Mode.WRITE))["legacy.py"]
        if os.geteuid() == 0:  # root may write anything: the write must then succeed
            assert result.status is FileStatus.CHANGED
        else:
            assert result.status is FileStatus.FAILED and "not writable" in result.reason
            assert target.read_text() == LEGACY
    finally:
        os.chmod(target, 0o644)


def test_failed_replace_leaves_file_untouched(dags: Path, monkeypatch) -> None:
    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(runner_module.os, "replace", failing_replace)
    result = _by_name(run_codemods([dags], ["airflow3"], mode=Mode.WRITE))["legacy.py"]
    assert result.status is FileStatus.FAILED and "disk full" in result.reason
    assert (dags / "legacy.py").read_text() == LEGACY
    assert sorted(p.name for p in dags.iterdir()) == ["broken.py", "legacy.py", "modern.py"]


def test_conflicting_renames_are_reported_not_duplicated(tmp_path: Path) -> None:
    # schedule_interval= and timetable= both map to schedule=: a repeated keyword would not
    # compile, so the second stays and is reported
    source = "from airflow import DAG\nDAG('d', schedule_interval='@daily', timetable=None)\n"
    path = tmp_path / "dup.py"
    path.write_text(source)
    (result,) = run_codemods([path], ["airflow3"], mode=Mode.WRITE).results
    assert result.status is FileStatus.CHANGED
    assert [r.code for r in result.reports] == ["airflow3/duplicate-arg"]
    compile(path.read_text(), str(path), "exec")


def test_result_that_does_not_compile_is_not_written(tmp_path: Path) -> None:
    # LibCST parses a module-level return, CPython's compile() refuses it: the rewritten
    # file would not import, so the runner must leave the original as it is
    source = "from airflow.operators.dummy import DummyOperator\nreturn DummyOperator\n"
    path = tmp_path / "odd.py"
    path.write_text(source)
    (result,) = run_codemods([path], ["airflow3"], mode=Mode.WRITE).results
    assert result.status is FileStatus.FAILED
    assert result.reason.startswith("result would not compile, file left as is: ")
    assert path.read_text() == source
    (checked,) = run_codemods([path], ["airflow3"], mode=Mode.CHECK).results
    assert checked.status is FileStatus.FAILED


def test_two_processes_give_the_same_results(dags: Path) -> None:
    for index in range(6):
        (dags / f"copy{index}.py").write_text(LEGACY)
    one = run_codemods([dags], ["kpo-modernize", "airflow3"], mode=Mode.DIFF, jobs=1)
    two = run_codemods([dags], ["kpo-modernize", "airflow3"], mode=Mode.DIFF, jobs=2)
    assert one == two


def test_json_document(dags: Path) -> None:
    document = json.loads(json.dumps(run_codemods([dags], ["airflow3"]).to_json()))
    assert document["summary"] == {"changed": 1, "unchanged": 1, "skipped": 0, "failed": 1}
    assert [Path(f["path"]).name for f in document["files"]] == \
        ["broken.py", "legacy.py", "modern.py"]


def test_unknown_command_is_refused_before_reading() -> None:
    with pytest.raises(KeyError, match="unknown codemod 'nope'"):
        run_codemods(["."], ["nope"])


def test_reports_carry_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "sub.py"
    path.write_text("import os\nfrom airflow.operators.subdag import SubDagOperator\n")
    (result,) = run_codemods([path], ["airflow3"]).results
    assert [(r.file, r.line, r.code) for r in result.reports] == \
        [(str(path), 2, "airflow3/subdag")]


def test_reports_after_an_earlier_command_name_the_line_in_the_file(tmp_path: Path) -> None:
    """kpo-modernize adds an import line above; airflow3's report still names the line of
    the file as it was read (not of kpo-modernize's output)."""
    path = tmp_path / "pods.py"
    path.write_text(
        "from airflow import DAG\n"
        "from airflow.contrib.kubernetes.volume import Volume\n"
        "from airflow.utils.dates import days_ago\n"
        "data = Volume(name='data', configs={'persistentVolumeClaim': {'claimName': 'c'}})\n"
        "with DAG('d', start_date=days_ago(1)):\n"
        "    pass\n")
    (result,) = run_codemods([path], ["kpo-modernize", "airflow3"], mode=Mode.DIFF).results
    assert result.status is FileStatus.CHANGED and "+from kubernetes.client" in result.diff
    assert [(r.line, r.code) for r in result.reports] == [(5, "airflow3/dynamic-date")]


def test_a_replaced_expression_keeps_its_parentheses(tmp_path: Path) -> None:
    """``not(days_ago(1))``: without the call's parentheses the result would not parse (the
    file used to fail); a parenthesized name keeps its parentheses too."""
    path = tmp_path / "parens.py"
    path.write_text("from airflow.utils.dates import days_ago\n"
                    "from airflow.operators.dummy import DummyOperator\n"
                    "x = not(days_ago(1))\n"
                    "t = (DummyOperator)(task_id='t')\n")
    (result,) = run_codemods([path], ["airflow3"], mode=Mode.WRITE).results
    assert result.status is FileStatus.CHANGED, result.reason
    text = path.read_text()
    assert "x = not(pendulum.today(\"UTC\").add(days=-1))\n" in text
    assert "t = (EmptyOperator)(task_id='t')\n" in text


def test_report_lines_found_in_the_text_equal_those_of_the_walk(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A report's line is looked up in the file's text first (a one-line node whose code
    occurs once); on every fixture and Airflow example DAG and every command chain that
    gives the walk's line."""
    import airflow.example_dags

    from codemods import base, transform_source
    from codemods.commands import COMMANDS

    files = sorted([*(Path(__file__).parent / "fixtures").rglob("*.py"),
                    *Path(airflow.example_dags.__file__).parent.glob("*.py")])
    chains = [[c] for c in COMMANDS] + [[c for c in COMMANDS if c.NAME != "dag-to-assets"]]

    def reports() -> list[tuple[str, int, str]]:
        return [(Path(r.file).name, r.line, r.code) for path in files for chain in chains
                for r in transform_source(path.read_bytes(), chain,
                                          filename=str(path)).reports]

    shortcut = base.find_unique_lines
    by_text: list[int] = []

    def counted(source: str, nodes: list[object]) -> dict[int, int]:
        lines = shortcut(source, nodes)  # type: ignore[arg-type]
        by_text.append(len(lines))
        return lines

    monkeypatch.setattr(base, "find_unique_lines", counted)
    found = reports()
    monkeypatch.setattr(base, "find_unique_lines", lambda source, nodes: {})
    walked = reports()
    assert len(found) > 40 and sum(by_text) > 10
    assert found == walked
