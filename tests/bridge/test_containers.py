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


@pytest.mark.parametrize("source", ["macros.ds_add(ds, 5)", "macros.ds_add( ds , -40 )",
                                    "macros.ds_add((data_interval_end | ds), 1)",
                                    "macros.ds_add(data_interval_start|ds, 0)"])
def test_ds_add_writes_what_airflow_renders(source: str) -> None:
    import types

    import jinja2
    from airflow.sdk.definitions._internal.templater import FILTERS
    from airflow.sdk.execution_time.macros import ds_add

    value = context_value(source)
    environment = jinja2.Environment()
    environment.filters.update(FILTERS)
    end = AT + timedelta(days=1)
    context = {"ds": AT.strftime("%Y-%m-%d"), "data_interval_start": AT,
               "data_interval_end": end, "macros": types.SimpleNamespace(ds_add=ds_add)}
    rendered = environment.from_string(value.template()).render(context)
    known = {"ds": AT, "data_interval_start": AT, "data_interval_end": end}
    assert value.kind == "date" and value.write(value.of(known)) == rendered


def test_render_for_takes_a_filtered_value_from_the_data_interval() -> None:
    task = ContainerTask(image="etl:1",
                         arguments=("--from=${start}", "--until=${until}", "--back=${back}"),
                         params={"start": context_value("data_interval_start | ds"),
                                 "until": context_value("data_interval_end | ds_nodash"),
                                 "back": context_value("macros.ds_add(ds, -7)")})
    call = task.render_for("t", AT, data_interval=(AT, AT + timedelta(days=1)))
    assert call.arguments == ("--from=2024-05-17", "--until=20240518", "--back=2024-05-10")
    assert task.templates()["arguments"] == ["--from={{ data_interval_start | ds }}",
                                            "--until={{ data_interval_end | ds_nodash }}",
                                            "--back={{ macros.ds_add(ds, -7) }}"]


@pytest.mark.parametrize("source", ["ds | ds", "data_interval_end | upper",
                                    "data_interval_end | ds | ds", "params.x | ds",
                                    "macros.ds_add(ts, 1)", "macros.ds_add(ds, n)",
                                    "macros.ds_add(data_interval_end, 1)"])
def test_other_filters_are_refused_with_the_known_forms(source: str) -> None:
    with pytest.raises(DefinitionError, match=r"known: .*<logical_date\|.*> \| <ds\|"):
        context_value(source)
