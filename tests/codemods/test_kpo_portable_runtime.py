"""What ``kpo-portable`` writes runs without Airflow: ``bridge.containers.ContainerTask``
with typed parameters, run by a subprocess runner or by the runners of
``translators.execution`` (fake, docker) through ``container_spec``."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone

import pytest

from bridge.containers import (
    ContainerTask,
    SubprocessContainerRunner,
    context_value,
    context_values,
)
from bridge.errors import DefinitionError
from translators.containers_airflow import container_spec, pod_arguments
from translators.execution import ContainerResult, FakeContainerRunner

ECHO = ContainerTask(
    image="python:3.11",
    command=(sys.executable, "-c",
             "import json, os, sys; print(json.dumps([sys.argv[1:], os.environ['RUN']]))"),
    arguments=("--day=${ds}", "--limit", "${limit}", "--cost=$$5"),
    env={"RUN": "${ts_nodash}"},
    params={"ds": context_value("ds"), "limit": context_value("params.limit"),
            "ts_nodash": context_value("ts_nodash")},
)
AT = datetime(2024, 5, 17, 6, 30, tzinfo=timezone.utc)


def test_subprocess_runner_runs_the_command_with_typed_values() -> None:
    outcome = ECHO.run(SubprocessContainerRunner(), "echo", ds=date(2024, 5, 17), limit=7,
                       ts_nodash=AT)
    assert outcome.exit_code == 0, outcome.logs
    assert json.loads(outcome.logs) == [["--day=2024-05-17", "--limit", "7", "--cost=$5"],
                                        "20240517T063000"]


def test_render_for_a_run_matches_airflow_formats() -> None:
    call = ECHO.render_for("echo", AT, {"limit": 3})
    assert call.arguments == ("--day=2024-05-17", "--limit", "3", "--cost=$5")
    assert call.env == {"RUN": "20240517T063000"}
    stamp = ContainerTask(image="x", arguments=("${at}", "${ts}"),
                          params={"at": context_value("logical_date"),
                                  "ts": context_value("ts")})
    assert stamp.render_for("s", AT).arguments == ("2024-05-17 06:30:00+00:00",
                                                    "2024-05-17T06:30:00+00:00")
    assert "data_interval_end" in context_values(AT, data_interval=(AT, AT))


def test_templates_give_airflow_its_jinja_back() -> None:
    assert pod_arguments(ECHO)["arguments"] == ["--day={{ ds }}", "--limit",
                                                "{{ params.limit }}", "--cost=$5"]
    assert pod_arguments(ECHO)["env_vars"] == {"RUN": "{{ ts_nodash }}"}
    assert "secrets" not in pod_arguments(ECHO) and "container_resources" not in \
        pod_arguments(ECHO)


def test_the_runners_of_translators_execution_take_a_container_task() -> None:
    fake = FakeContainerRunner({"echo": ContainerResult(xcom={"rows": 3})})
    call = ECHO.render("echo", ds=date(2024, 5, 17), limit=1, ts_nodash=AT)
    assert fake.run(container_spec(call)).xcom == {"rows": 3}
    assert fake.specs[0].arguments == call.arguments
    assert fake.specs[0].operator == "KubernetesPodOperator"


def test_mistakes_are_definition_errors() -> None:
    with pytest.raises(DefinitionError, match="needs values for limit"):
        ECHO.render("echo", ds=date(2024, 5, 17), ts_nodash=AT)
    with pytest.raises(DefinitionError, match="declares no parameter 'day'"):
        ContainerTask(image="x", arguments=("${day}",))
    with pytest.raises(DefinitionError, match="takes a date"):
        ECHO.render("echo", ds=17, limit=1, ts_nodash=AT)
    with pytest.raises(DefinitionError, match="unknown context value 'next_ds'"):
        context_value("next_ds")
