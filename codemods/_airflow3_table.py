"""Airflow 2 -> 3 tables: moved names and removed context keys (qualified names as keys).

Sources: Airflow 3 upgrade guide ("Removed context variables", "airflow.sdk"), the
``apache-airflow-providers-standard`` package layout and ruff's AIR301/AIR311/AIR312 rules.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["APPLY_DEFAULTS", "ASSET_OR_TIME", "CONTEXT_KEYS", "DAG_ARGS_REMOVED", "DAG_ARG_RENAMES",
           "DAG_CALLABLES", "MOVED_MODULES", "MOVES", "REMOVED", "TEMPLATE_ATTRS", "TRIGGERS",
           "ContextKey"]

_SDK = "airflow.sdk"
_STD = "airflow.providers.standard"


def _moves() -> dict[str, str]:
    moves: dict[str, str] = {}

    def add(old_modules: tuple[str, ...], names: tuple[str, ...], new_module: str,
            renamed: dict[str, str] | None = None) -> None:
        for module in old_modules:
            for name in names:
                new = (renamed or {}).get(name, name)
                moves[f"{module}.{name}"] = f"{new_module}.{new}"

    add(("airflow", "airflow.models", "airflow.models.dag"), ("DAG",), _SDK)
    add(("airflow.decorators",), ("dag", "task", "task_group", "setup", "teardown"), _SDK)
    add(("airflow.utils.task_group",), ("TaskGroup",), _SDK)
    add(("airflow.models", "airflow.models.variable"), ("Variable",), _SDK)
    add(("airflow.models", "airflow.models.baseoperator"), ("BaseOperator",), _SDK)
    add(("airflow.models.baseoperator", "airflow.utils.helpers"),
        ("chain", "cross_downstream"), _SDK)
    add(("airflow.models.baseoperator",), ("chain_linear",), _SDK)
    add(("airflow.models", "airflow.models.baseoperator", "airflow.models.baseoperatorlink"),
        ("BaseOperatorLink",), _SDK)
    add(("airflow.utils.dag_parsing_context",), ("get_parsing_context",), _SDK)
    add(("airflow.utils.file",), ("TemporaryDirectory",), "tempfile")
    add(("airflow.models", "airflow.models.param"), ("Param",), _SDK)
    add(("airflow.models", "airflow.models.connection"), ("Connection",), _SDK)
    add(("airflow.sensors.base",), ("BaseSensorOperator", "PokeReturnValue"), _SDK)
    add(("airflow.sensors.base_sensor_operator",), ("BaseSensorOperator",), _SDK)
    add(("airflow.hooks.base", "airflow.hooks.base_hook"), ("BaseHook",), _SDK)
    add(("airflow.utils.edgemodifier",), ("Label",), _SDK)
    add(("airflow.models.xcom_arg",), ("XComArg",), _SDK)
    add(("airflow.utils.trigger_rule",), ("TriggerRule",), _SDK)
    add(("airflow.io.path",), ("ObjectStoragePath",), _SDK)
    add(("airflow.operators.python", "airflow.operators.python_operator"),
        ("get_current_context",), _SDK)
    datasets = {"Dataset": "Asset", "DatasetAlias": "AssetAlias", "DatasetAll": "AssetAll",
                "DatasetAny": "AssetAny"}
    add(("airflow.datasets", "airflow"), ("Dataset",), _SDK, datasets)
    add(("airflow.datasets",), ("DatasetAlias", "DatasetAll", "DatasetAny"), _SDK, datasets)
    add(("airflow.datasets.metadata",), ("Metadata",), _SDK)
    add(("airflow.timetables.datasets",), ("DatasetOrTimeSchedule",), "airflow.timetables.assets",
        {"DatasetOrTimeSchedule": "AssetOrTimeSchedule"})
    python = ("PythonOperator", "BranchPythonOperator", "ShortCircuitOperator",
              "PythonVirtualenvOperator", "ExternalPythonOperator")
    add(("airflow.operators.python", "airflow.operators.python_operator"), python,
        f"{_STD}.operators.python")
    add(("airflow.operators.bash", "airflow.operators.bash_operator"), ("BashOperator",),
        f"{_STD}.operators.bash")
    add(("airflow.operators.empty",), ("EmptyOperator",), f"{_STD}.operators.empty")
    add(("airflow.operators.dummy", "airflow.operators.dummy_operator"), ("DummyOperator",),
        f"{_STD}.operators.empty", {"DummyOperator": "EmptyOperator"})
    add(("airflow.operators.trigger_dagrun", "airflow.operators.dagrun_operator"),
        ("TriggerDagRunOperator",), f"{_STD}.operators.trigger_dagrun")
    add(("airflow.sensors.external_task", "airflow.sensors.external_task_sensor"),
        ("ExternalTaskSensor", "ExternalTaskMarker"), f"{_STD}.sensors.external_task")
    add(("airflow.operators.latest_only", "airflow.operators.latest_only_operator"),
        ("LatestOnlyOperator",), f"{_STD}.operators.latest_only")
    add(("airflow.operators.branch", "airflow.operators.branch_operator"),
        ("BaseBranchOperator",), f"{_STD}.operators.branch")
    add(("airflow.operators.datetime",), ("BranchDateTimeOperator",),
        f"{_STD}.operators.datetime")
    add(("airflow.operators.weekday",), ("BranchDayOfWeekOperator",), f"{_STD}.operators.weekday")
    add(("airflow.sensors.time_delta", "airflow.sensors.time_delta_sensor"), ("TimeDeltaSensor",),
        f"{_STD}.sensors.time_delta")
    add(("airflow.sensors.time_sensor",), ("TimeSensor",), f"{_STD}.sensors.time")
    add(("airflow.sensors.filesystem",), ("FileSensor",), f"{_STD}.sensors.filesystem")
    add(("airflow.sensors.date_time",), ("DateTimeSensor",), f"{_STD}.sensors.date_time")
    add(("airflow.sensors.python",), ("PythonSensor",), f"{_STD}.sensors.python")
    add(("airflow.sensors.bash",), ("BashSensor",), f"{_STD}.sensors.bash")
    add(("airflow.sensors.weekday",), ("DayOfWeekSensor",), f"{_STD}.sensors.weekday")
    add(("airflow.operators.email", "airflow.operators.email_operator"), ("EmailOperator",),
        "airflow.providers.smtp.operators.smtp")
    add(("airflow.utils.timezone",), ("datetime", "utcnow", "parse", "convert_to_utc",
                                      "coerce_datetime", "make_naive", "utc"), f"{_SDK}.timezone")
    return moves


#: old qualified name -> new qualified name
MOVES: dict[str, str] = _moves()

#: callables that build a DAG (old and new homes)
DAG_CALLABLES = frozenset({"airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG",
                           "airflow.sdk.DAG", "airflow.decorators.dag", "airflow.sdk.dag"})

#: modules some of whose names moved (``from airflow.operators import bash`` is not "gone")
MOVED_MODULES = frozenset(old.rsplit(".", 1)[0] for old in MOVES)

#: DAG keyword renames (``schedule_interval=`` / ``timetable=`` become ``schedule=``)
DAG_ARG_RENAMES = {"schedule_interval": "schedule", "timetable": "schedule",
                   "concurrency": "max_active_tasks", "fail_stop": "fail_fast"}

#: DAG keywords Airflow 3 removed that only affected the old UI (dropped)
DAG_ARGS_REMOVED = frozenset({"default_view", "orientation"})

#: a no-op decorator since Airflow 2.0, removed in 3 (the decorator and its import go)
APPLY_DEFAULTS = "airflow.utils.decorators.apply_defaults"

#: the timetable whose ``datasets=`` keyword became ``assets=``
ASSET_OR_TIME = "airflow.timetables.assets.AssetOrTimeSchedule"

#: names Airflow 3 removed with no automatic replacement -> what to do instead
REMOVED: dict[str, str] = {
    "airflow.utils.dates.date_range": "build the dates with pendulum, e.g. "
                                      "list(pendulum.interval(start, end).range('days')), or "
                                      "let the DAG's timetable produce them",
    "airflow.secrets.local_filesystem.get_connection":
        "use LocalFilesystemBackend(connections_file_path=path).get_connection(conn_id) or "
        "load_connections_dict(path)[conn_id]",
    "airflow.secrets.local_filesystem.load_connections":
        "use load_connections_dict(path), which maps each conn_id to one Connection "
        "instead of a list",
}

#: attribute spellings of removed keys in Jinja -> the template-context replacement
#: (Airflow 3's task instance has no ``logical_date``: the run's date is the context key)
TEMPLATE_ATTRS: dict[str, str] = {"ti.execution_date": "logical_date",
                                  "task_instance.execution_date": "logical_date"}


class ContextKey(NamedTuple):
    """How a removed template-context key is replaced (None: no automatic replacement)."""

    #: Python replacement; ``{ctx}`` is the context expression, ``{q}`` a quote character
    python: str | None
    #: Jinja replacement (an expression; ``{q}`` is a quote character)
    jinja: str | None
    #: what to do by hand when there is no replacement
    hint: str = ""


_PREV = ("depends on the schedule; use prev_data_interval_start_success or "
         "data_interval_start as fits")
_NODASH = "{q}%Y%m%d{q}"

#: removed context key -> replacement
CONTEXT_KEYS: dict[str, ContextKey] = {
    "execution_date": ContextKey('{ctx}["logical_date"]', "logical_date"),
    "next_execution_date": ContextKey('{ctx}["data_interval_end"]', "data_interval_end"),
    "next_ds": ContextKey('{ctx}["data_interval_end"].strftime("%Y-%m-%d")',
                          "data_interval_end | ds"),
    "next_ds_nodash": ContextKey('{ctx}["data_interval_end"].strftime("%Y%m%d")',
                                 "data_interval_end | ds_nodash"),
    "prev_execution_date_success": ContextKey('{ctx}["prev_data_interval_start_success"]',
                                              "prev_data_interval_start_success"),
    "tomorrow_ds": ContextKey('{ctx}["macros"].ds_add({ctx}["ds"], 1)', "macros.ds_add(ds, 1)"),
    "yesterday_ds": ContextKey('{ctx}["macros"].ds_add({ctx}["ds"], -1)',
                               "macros.ds_add(ds, -1)"),
    "tomorrow_ds_nodash": ContextKey(
        '({ctx}["logical_date"] + {ctx}["macros"].timedelta(days=1)).strftime("%Y%m%d")',
        "(logical_date + macros.timedelta(days=1)).strftime(" + _NODASH + ")"),
    "yesterday_ds_nodash": ContextKey(
        '({ctx}["logical_date"] - {ctx}["macros"].timedelta(days=1)).strftime("%Y%m%d")',
        "(logical_date - macros.timedelta(days=1)).strftime(" + _NODASH + ")"),
    "triggering_dataset_events": ContextKey('{ctx}["triggering_asset_events"]',
                                            "triggering_asset_events"),
    "prev_ds": ContextKey(None, None, _PREV),
    "prev_ds_nodash": ContextKey(None, None, _PREV),
    "prev_execution_date": ContextKey(None, None, _PREV),
    "conf": ContextKey(None, None, "use `from airflow.configuration import conf` in Python"),
}


def _minimal(words: set[str]) -> tuple[str, ...]:
    """``words`` without those containing another one (``a.b.c`` goes when ``a.b`` is there)."""
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


#: a file containing none of these has nothing for ``airflow3`` (it is then not parsed):
#: old module paths, ``airflow.X`` spellings, renamed or removed arguments and names,
#: context keys
TRIGGERS: tuple[str, ...] = _minimal({
    *(module for module in MOVED_MODULES if module != "airflow"), "from airflow import",
    "import airflow", "airflow.contrib", "airflow.operators", "airflow.sensors",
    "airflow.hooks", "airflow.kubernetes", "days_ago", "provide_context", "task_concurrency",
    "sla", *DAG_ARG_RENAMES, *DAG_ARGS_REMOVED, *CONTEXT_KEYS,
    *(name.rsplit(".", 1)[0] for name in REMOVED), "from airflow.utils import",
    "apply_defaults",
})
