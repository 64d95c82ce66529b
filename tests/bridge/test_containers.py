"""Typed container parameters write their values exactly as Airflow renders the same
template: plain context values and datetimes through Airflow's own date filters."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bridge.containers import ContainerTask, context_value
from bridge.errors import DefinitionError

pytestmark = pytest.mark.airflow

AT = datetime(2024, 5, 17, 6, 30, 15, 120, tzinfo=timezone.utc)


@pytest.mark.parametrize("base", ["logical_date", "data_interval_start", "data_interval_end"])
@pytest.mark.parametrize("name", ["ds", "ds_nodash", "ts", "ts_nodash"])
def test_filtered_values_write_what_airflow_renders(base: str, name: str) -> None:
    import jinja2
    from airflow.sdk.definitions._internal.templater import FILTERS

    value = context_value(f"{base}|{name}")
    environment = jinja2.Environment()
    environment.filters.update(FILTERS)
    rendered = environment.from_string(value.template()).render({base: AT})
    assert value.template() == f"{{{{ {base} | {name} }}}}" and value.base == base
    assert value.write(AT) == rendered


def test_render_for_takes_a_filtered_value_from_the_data_interval() -> None:
    task = ContainerTask(image="etl:1", arguments=("--from=${start}", "--until=${until}"),
                         params={"start": context_value("data_interval_start | ds"),
                                 "until": context_value("data_interval_end | ds_nodash")})
    call = task.render_for("t", AT, data_interval=(AT, AT + timedelta(days=1)))
    assert call.arguments == ("--from=2024-05-17", "--until=20240518")
    assert task.templates()["arguments"] == ["--from={{ data_interval_start | ds }}",
                                            "--until={{ data_interval_end | ds_nodash }}"]


@pytest.mark.parametrize("source", ["ds | ds", "data_interval_end | upper",
                                    "data_interval_end | ds | ds", "params.x | ds"])
def test_other_filters_are_refused_with_the_known_forms(source: str) -> None:
    with pytest.raises(DefinitionError, match=r"known: .*<logical_date\|.*> \| <ds\|"):
        context_value(source)
