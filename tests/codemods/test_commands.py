"""Every command's CHANGE/NO_CHANGE examples, run by one parametrized test (Fixit style)."""

from __future__ import annotations

import pytest

from codemods import Change, NoChange, transform_source
from codemods.commands import COMMANDS

CASES = [
    pytest.param(command, example, id=f"{command.NAME}-{kind}-{index}")
    for command in COMMANDS
    for kind, examples in (("change", command.CHANGE), ("no_change", command.NO_CHANGE))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize(("command", "example"), CASES)
def test_example(command, example) -> None:
    before = example.before if isinstance(example, Change) else example.code
    expected = example.after if isinstance(example, Change) else example.code
    out = transform_source(before, [command])
    assert out.code == expected
    assert sorted(r.code for r in out.reports) == sorted(example.reports)
    assert all(r.line >= 1 for r in out.reports)
    again = transform_source(out.code, [command])
    assert again.code == out.code, "not idempotent: a second run changed the output"
    compile(out.code, "<example>", "exec")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.NAME)
def test_command_declares_enough_examples(command) -> None:
    assert command.NAME and command.DESCRIPTION and command.__doc__
    assert len(command.CHANGE) >= 15
    assert len(command.NO_CHANGE) >= 3
    assert all(isinstance(e, NoChange) for e in command.NO_CHANGE)
    assert command.__name__.endswith("Command")


def test_commands_compose_in_order() -> None:
    source = (
        "from airflow.contrib.operators.kubernetes_pod_operator import KubernetesPodOperator\n"
        "from airflow.operators.dummy import DummyOperator\n"
        "t = KubernetesPodOperator(task_id='t', arguments=['{{ execution_date }}'],\n"
        "                          is_delete_operator_pod=True)\n"
    )
    out = transform_source(source, list(COMMANDS))
    assert "airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator" \
        in out.code
    assert "on_finish_action=\"delete_pod\"" in out.code
    assert "{{ logical_date }}" in out.code
    assert "EmptyOperator" in out.code and "DummyOperator" not in out.code
