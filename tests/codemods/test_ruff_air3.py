"""ruff's Airflow 3 rules find fewer problems in the fixtures after our ``airflow3`` command
than after ruff's own fixes (``ruff check --select AIR3 --preview --fix --unsafe-fixes``).

Both sides start from a copy of ``fixtures/kpo_dags/`` (Airflow 2 files with legacy
KubernetesPodOperator code); ``airflow3`` includes ``kpo-modernize``. The counts are
printed (run pytest with ``-s`` to see them) and repeated in the assertion message. What
ruff still flags after ``airflow3`` must be something the command reported for a human:
today that is AIR304 on ``start_date=days_ago(n)``, which ``airflow3`` rewrites to the
equally moving ``pendulum.today("UTC").add(days=-n)`` and reports as
``airflow3/dynamic-date`` (choosing a fixed start date changes scheduling; a person must).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from codemods import Mode, run_codemods

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kpo_dags"
#: ruff rule -> the report with which ``airflow3`` hands the same finding to a human
REPORTED_AS = {"AIR304": "airflow3/dynamic-date", "AIR301": "airflow3/removed-import",
               "AIR311": "airflow3/sla"}


def _ruff(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ruff", "check", "--select", "AIR3", "--preview",
               "--isolated", "--no-cache", *extra, str(folder)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _findings(folder: Path) -> list[dict[str, Any]]:
    proc = _ruff(folder, "--output-format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    found: list[dict[str, Any]] = json.loads(proc.stdout)
    return found


def _summary(findings: list[dict[str, Any]]) -> str:
    counts = Counter(f["code"] for f in findings)
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "none"


def test_airflow3_leaves_fewer_air3_findings_than_ruff_fix(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "ruff"
    shutil.copytree(FIXTURES, ours)
    shutil.copytree(FIXTURES, theirs)
    before = _findings(theirs)

    summary = run_codemods([ours], ["airflow3"], mode=Mode.WRITE)
    assert {r.status.value for r in summary.results} == {"changed"}, summary.results
    fixed = _ruff(theirs, "--fix", "--unsafe-fixes")
    # ruff exits 1 when findings remain and 2 when its fixes do not converge
    assert fixed.returncode in (0, 1, 2), fixed.stderr
    after_ours, after_ruff = _findings(ours), _findings(theirs)

    message = (f"ruff AIR3 findings on the fixtures: {len(before)} ({_summary(before)})\n"
               f"  after `assetbridge codemod airflow3`: {len(after_ours)} "
               f"({_summary(after_ours)})\n"
               f"  after `ruff check --select AIR3 --preview --fix --unsafe-fixes`: "
               f"{len(after_ruff)} ({_summary(after_ruff)})"
               + ("  [ruff's fixes did not converge]" if fixed.returncode == 2 else ""))
    print(f"\n{message}")
    assert len(after_ours) < len(after_ruff), message

    reported = {(Path(r.path).name, report.code) for r in summary.results
                for report in r.reports}
    for finding in after_ours:
        name = Path(finding["filename"]).name
        expected = REPORTED_AS.get(finding["code"])
        assert (name, expected) in reported, \
            f"ruff still flags {finding['code']} in {name} (line " \
            f"{finding['location']['row']}: {finding['message']}) and airflow3 did not " \
            f"report it\n{message}"
