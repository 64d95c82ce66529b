"""Property tests: for any input file the runner does not raise, output parses, rerun no-op."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemods import FileStatus, Mode
from codemods.commands import COMMANDS
from codemods.runner import process_file

# lines drawn from what the commands rewrite, plus noise that may break the syntax
_SNIPPETS = sorted({line for command in COMMANDS for example in command.CHANGE
                    for line in example.before.splitlines() if line and not line[0].isspace()})
_NOISE = ["x = (", "def f(**kwargs):\n    return kwargs['execution_date']", "'''",
          "print('{{ next_ds }}')", "import airflow", "if True:", "    pass", "# comment",
          "\t", "KubernetesPodOperator(**{})", "@dag(schedule_interval=None)\ndef p(): pass"]
_NAMES = ["all", "kpo-modernize", "airflow3"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.sampled_from(_SNIPPETS + _NOISE) | st.text(max_size=20),
                      max_size=12),
       name=st.sampled_from(_NAMES))
def test_runner_never_raises_output_parses_and_rerun_is_a_noop(lines: list[str],
                                                               name: str) -> None:
    names = [c.NAME for c in COMMANDS] if name == "all" else [name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dag.py"
        try:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        except UnicodeEncodeError:  # lone surrogates cannot be a source file
            return
        first = process_file(path, names, Mode.WRITE)
        assert first.status in set(FileStatus)
        if first.status is FileStatus.CHANGED:
            compile(path.read_text(encoding="utf-8"), str(path), "exec")
        second = process_file(path, names, Mode.WRITE)
        if first.status is not FileStatus.FAILED:
            assert second.status in (FileStatus.UNCHANGED, FileStatus.SKIPPED), second
