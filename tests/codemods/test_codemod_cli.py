"""``assetbridge codemod`` through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# registers the subcommand whether or not bridge.cli imports it yet
_MAIN = "import bridge.cli._codemod_command; from bridge.cli import main; main()"
LEGACY = "from airflow.operators.dummy import DummyOperator\nDummyOperator(task_id='a')\n"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _MAIN, "codemod", *args],
                          capture_output=True, text=True, check=False)


def test_list() -> None:
    out = _cli("--list")
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == [
        "kpo-modernize", "airflow3", "kpo-portable", "dag-to-assets"]


def test_check_exits_1_when_a_file_would_change(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(LEGACY)
    out = _cli("kpo-modernize,airflow3", str(tmp_path), "--check")
    assert out.returncode == 1
    assert "1 would change, 0 unchanged, 0 skipped, 0 failed" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("error: 1 file(s) would change")
    assert (tmp_path / "a.py").read_text() == LEGACY


def test_diff_then_write_then_check_passes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(LEGACY)
    diff = _cli("airflow3", str(tmp_path))
    assert diff.returncode == 0 and "+EmptyOperator(task_id='a')" in diff.stdout
    assert _cli("airflow3", str(tmp_path), "--write", "-j", "2").returncode == 0
    assert _cli("airflow3", str(tmp_path), "--check").returncode == 0


def test_json_and_failures(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(LEGACY)
    (tmp_path / "b.py").write_text("def (:\n")
    out = _cli("airflow3", str(tmp_path), "--json")
    assert out.returncode == 1 and out.stderr.startswith("error: 1 file(s) failed")
    document = json.loads(out.stdout)
    assert [f["status"] for f in document["files"]] == ["changed", "failed"]


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    out = _cli("nope", str(tmp_path))
    assert out.returncode == 2 and "unknown codemod 'nope'" in out.stderr
