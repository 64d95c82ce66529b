"""Parity with Airflow itself: the shipped example DAGs, run by ``dag.test()`` and in-process.

Every example DAG shipped in the installed ``airflow/example_dags`` and
``airflow/providers/standard/example_dags`` that runs without external systems is run for
the same logical date (2026-01-01, ``run_after`` = the logical date, so run ids agree):

- by Airflow's own ``dag.test()``, in a subprocess with a temporary ``AIRFLOW_HOME`` and a
  SQLite metadata DB made by ``python -m airflow db migrate``; the example files are copied
  into its dags folder, because ``dag.test()`` serializes the DAGs of that folder into the
  DB; final task states and XCom return values are read back from the DB
  (``fixtures/exec/parity/dag_test_driver.py``);
- by :func:`translators.execution.run_dags`, in this process, while the subprocess runs.

Both must end every task (every map index) in the same state and push the same
``return_value`` XComs. ``RUNNABLE`` lists the files and DAGs compared. ``RANDOM`` lists
DAGs whose outcome depends on ``random`` or the clock: for a branch picked by
``random.choice`` the number of tasks in each state is compared (every choice skips the
same number of tasks), for a random or clock-dependent return value (``tutorial`` returns
the output of ``date``) the states alone.

Excluded (``EXCLUDED``), and why:

- external systems: ``example_dag_decorator`` (HTTP request to a public service),
  ``example_retry_policy`` (an HTTP API, retried for minutes),
  ``tutorial_objectstorage`` (reads from a remote object store),
  ``example_kubernetes_executor`` / ``example_local_kubernetes_executor`` (need the
  Kubernetes provider and a cluster; they define no DAG without it);
- waiting on other DAG runs or on people: ``example_external_task_marker_child`` and
  ``example_external_task`` (an ExternalTaskSensor / a TriggerDagRunOperator that waits for
  a run no scheduler starts: ``dag.test()`` polls forever), ``example_hitl_operator`` (waits
  for a human's answer);
- waiting on wall-clock time: ``example_sensors`` (time-of-day and day-of-week sensors,
  a file sensor), ``example_time_delta_sensor_async``;
- reading history: ``read_asset_event`` and ``read_asset_event_from_classic`` read the
  asset events stored by earlier runs, so under ``dag.test()`` their outcome depends on
  which DAGs ran before in the same metadata DB; an in-process run has no history;
- needing run conf: ``example_params_ui_tutorial`` (a required param without a default:
  ``dag.test()`` refuses to start);
- needing the examples' plugins registered: ``example_custom_weight`` (a custom priority
  weight strategy) and ``example_workday_timetable`` (a plugin timetable):
  ``dag.test()`` cannot serialize them.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from translators.execution import DagRunResult, ExecutionSettings, run_dags

#: some examples call deprecated Airflow APIs (their code, not ours)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LOGICAL_DATE = "2026-01-01T00:00:00+00:00"
DRIVER = Path(__file__).resolve().parents[1] / "fixtures" / "exec" / "parity" / "dag_test_driver.py"

#: example file -> the DAG ids in it that are compared
RUNNABLE: dict[str, tuple[str, ...]] = {
    "example_asset_alias.py": (
        "asset_alias_example_alias_consumer",
        "asset_alias_example_alias_producer",
        "asset_s3_bucket_consumer",
        "asset_s3_bucket_producer",
    ),
    "example_asset_alias_with_no_taskflow.py": (
        "asset_alias_example_alias_consumer_with_no_taskflow",
        "asset_alias_example_alias_producer_with_no_taskflow",
        "asset_s3_bucket_consumer_with_no_taskflow",
        "asset_s3_bucket_producer_with_no_taskflow",
    ),
    "example_asset_allow_teams.py": ("team_analytics_producer", "team_ml_consumer"),
    "example_asset_decorator.py": (
        "asset1_producer",
        "asset2_producer",
        "consumes_asset_decorator",
    ),
    "example_asset_partition.py": (
        "aggregate_regional_sales",
        "clean_and_combine_player_stats",
        "compute_player_odds",
        "daily_inference",
        "daily_team_a_rollup",
        "ingest_region_stats",
        "ingest_regional_sales",
        "ingest_team_a_player_stats",
        "live_region_player_stats",
        "monthly_team_a_rollup",
        "multi_region_player_stats",
        "player_odds_quality_check_wont_ever_to_trigger",
        "regional_stats_breakdown",
        "scatter_live_region_to_segments",
        "segment_region_stats_early_rollup",
        "segment_region_stats_rollup",
        "summarize_live_region_stats",
        "team_b_player_stats",
        "team_c_player_stats",
        "trailing_week_inference",
        "train_weekly_model",
    ),
    "example_asset_state_store.py": (
        "example_asset_state_store_consumer",
        "example_asset_state_store_producer",
    ),
    "example_asset_with_watchers.py": ("example_asset_with_watchers",),
    "example_assets.py": (
        "asset_consumes_1",
        "asset_consumes_1_and_2",
        "asset_consumes_1_never_scheduled",
        "asset_consumes_unknown_never_scheduled",
        "asset_produces_1",
        "asset_produces_2",
        "conditional_asset_and_time_based_timetable",
        "consume_1_and_2_with_asset_expressions",
        "consume_1_or_2_with_asset_expressions",
        "consume_1_or_both_2_and_3_with_asset_expressions",
    ),
    "example_bash_decorator.py": ("example_bash_decorator",),
    "example_bash_operator.py": ("example_bash_operator",),
    "example_branch_datetime_operator.py": (
        "example_branch_datetime_operator",
        "example_branch_datetime_operator_2",
        "example_branch_datetime_operator_3",
    ),
    "example_branch_day_of_week_operator.py": ("example_weekday_branch_operator",),
    "example_branch_labels.py": ("example_branch_labels",),
    "example_branch_operator.py": ("example_branch_operator",),
    "example_branch_operator_decorator.py": ("example_branch_python_operator_decorator",),
    "example_branch_python_dop_operator_3.py": ("example_branch_dop_operator_v3",),
    "example_complex.py": ("example_complex",),
    "example_display_name.py": ("example_display_name",),
    "example_dynamic_task_mapping.py": (
        "example_dynamic_task_mapping",
        "example_task_group_mapping",
        "example_task_mapping_second_order",
    ),
    "example_dynamic_task_mapping_with_no_taskflow_operators.py": (
        "example_dynamic_task_mapping_with_no_taskflow_operators",
    ),
    "example_external_task_child_deferrable.py": ("child_dag",),
    "example_external_task_marker_dag.py": ("example_external_task_marker_parent",),
    "example_failed_dag.py": ("example_failed_dag",),
    "example_latest_only.py": ("latest_only",),
    "example_latest_only_with_trigger.py": ("latest_only_with_trigger",),
    "example_measurement_correction_decorator.py": ("example_measurement_correction_decorator",),
    "example_measurement_correction_operator.py": ("example_measurement_correction_operator",),
    "example_nested_branch_dag.py": ("example_nested_branch_dag",),
    "example_outlet_event_extra.py": (
        "asset_with_extra_by_context",
        "asset_with_extra_by_yield",
        "asset_with_extra_from_classic_operator",
    ),
    "example_params_trigger_ui.py": ("example_params_trigger_ui",),
    "example_passing_params_via_test_command.py": ("example_passing_params_via_test_command",),
    "example_python_decorator.py": ("example_python_decorator",),
    "example_python_operator.py": ("example_python_operator",),
    "example_sensor_decorator.py": ("example_sensor_decorator",),
    "example_setup_teardown.py": ("example_setup_teardown",),
    "example_setup_teardown_taskflow.py": ("example_setup_teardown_taskflow",),
    "example_short_circuit_decorator.py": ("example_short_circuit_decorator",),
    "example_short_circuit_operator.py": ("example_short_circuit_operator",),
    "example_simplest_dag.py": ("example_simplest_dag",),
    "example_skip_dag.py": ("example_skip_dag",),
    "example_task_group.py": ("example_task_group",),
    "example_task_group_decorator.py": ("example_task_group_decorator",),
    "example_task_state_store.py": ("example_task_state_store",),
    "example_task_state_store_async.py": ("example_task_state_store_async",),
    "example_task_state_store_mapped.py": ("example_task_state_store_mapped",),
    "example_trigger_controller_dag.py": ("example_trigger_controller_dag",),
    "example_trigger_target_dag.py": ("example_trigger_target_dag",),
    "example_xcom.py": ("example_xcom",),
    "example_xcomargs.py": ("example_xcom_args", "example_xcom_args_with_operators"),
    "tutorial.py": ("tutorial",),
    "tutorial_dag.py": ("tutorial_dag",),
    "tutorial_taskflow_api.py": ("tutorial_taskflow_api",),
    "tutorial_taskflow_api_virtualenv.py": ("tutorial_taskflow_api_virtualenv",),
    "tutorial_taskflow_templates.py": ("tutorial_taskflow_templates",),
}
#: dag_id -> why it is not compared
EXCLUDED: dict[str, str] = {
    "example_dag_decorator": "external system: an HTTP request to a public IP-echo service",
    "tutorial_objectstorage": "external system: reads from a remote object store over HTTP",
    "example_external_task_marker_child":
        "waits for another DAG's run (ExternalTaskSensor); dag.test() polls until timeout",
    "example_external_task":
        "waits for a triggered DAG run that no scheduler starts (dag.test() polls forever)",
    "example_retry_policy":
        "external system: an HTTP API, retried for minutes by its retry policy",
    "example_hitl_operator": "waits for a human's answer (human-in-the-loop operators)",
    "read_asset_event":
        "reads the asset-event history of the metadata DB (see the module docstring)",
    "read_asset_event_from_classic":
        "reads the asset-event history of the metadata DB (see the module docstring)",
    "example_params_ui_tutorial":
        "declares a required param without a default: dag.test() refuses to start without conf",
    "example_kubernetes_executor":
        "needs the Kubernetes provider and a cluster (pod overrides for the Kubernetes executor)",
    "example_local_kubernetes_executor":
        "needs the Kubernetes provider and a cluster (pod overrides for the Kubernetes executor)",
    "example_sensors": "waits on wall-clock time (time-of-day, day-of-week sensors) and on a file",
    "example_time_delta_sensor_async": "waits on wall-clock time (a deferred time-delta sensor)",
    "example_custom_weight":
        "needs the examples' plugin (priority weight strategy); dag.test() cannot serialize it",
    "example_workday_timetable":
        "needs the examples' plugin (a custom timetable); dag.test() cannot serialize it",
}
#: dag_id -> "state-counts" (a branch picked at random) or "states" (return values that
#: depend on random numbers or the wall clock)
RANDOM: dict[str, str] = {
    "example_branch_operator": "state-counts",
    "example_branch_python_operator_decorator": "state-counts",
    "example_asset_state_store_producer": "states",
    "example_task_state_store": "states",
    "example_task_state_store_mapped": "states",
    "tutorial": "states",
}


def _example_folders() -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec("airflow")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    return [root / "example_dags", root / "providers" / "standard" / "example_dags"]


def _labelled(result: DagRunResult, dag_id: str) -> tuple[dict[str, str], dict[str, Any]]:
    """States and return values keyed like the driver's: ``task`` or ``task[i]``."""
    states: dict[str, str] = {}
    xcoms: dict[str, Any] = {}
    for task_id, state in result.states(dag_id).items():
        indexes = result.map_states.get((dag_id, task_id))
        if not indexes:
            states[task_id] = state
            value = result.xcoms.get_one(dag_id, task_id)
            if value is not None:
                xcoms[task_id] = value
            continue
        for index, index_state in enumerate(indexes):
            states[f"{task_id}[{index}]"] = index_state
            value = result.xcoms.get_one(dag_id, task_id, map_index=index)
            if value is not None:
                xcoms[f"{task_id}[{index}]"] = value
    return states, _json(xcoms)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=repr, sort_keys=True))


#: rough seconds of one run of the slow examples (sleeps, virtualenvs), to balance workers
_COST = {"example_assets.py": 50, "example_python_operator.py": 25,
         "example_python_decorator.py": 25, "tutorial_taskflow_api_virtualenv.py": 10,
         "tutorial.py": 10, "example_bash_decorator.py": 8, "example_bash_operator.py": 5,
         "example_external_task_child_deferrable.py": 6, "example_task_state_store.py": 3}
#: dag.test() subprocesses, each with its own AIRFLOW_HOME and metadata DB
_WORKERS = 2


#: files whose DAGs refer to each other's (a trigger and its target): same worker, same DB
_TOGETHER = {"example_trigger_target_dag.py": "example_trigger_controller_dag.py"}


def _split(files: list[str]) -> list[list[str]]:
    """Files spread over the workers, heaviest first onto the least loaded."""
    loads = [[0.0, []] for _ in range(_WORKERS)]  # type: list[list[Any]]
    for name in sorted(set(files) - set(_TOGETHER), key=lambda f: (-_COST.get(f, 1), f)):
        group = [name, *(other for other, host in _TOGETHER.items() if host == name)]
        lightest = min(loads, key=lambda load: load[0])
        lightest[0] += sum(_COST.get(item, 1) for item in group)
        lightest[1].extend(group)
    return [sorted(names) for _, names in loads]


def _prepare_home(home: Path, files: list[str], sources: dict[str, Path]) -> dict[str, str]:
    """``home/dags/<stem>/<file>``, one DAG bundle per file: ``dag.test()`` re-parses the
    bundle of the DAG it runs, so a bundle per file keeps that to one file."""
    bundles = []
    for name in files:
        folder = home / "dags" / Path(name).stem
        folder.mkdir(parents=True)
        shutil.copy(sources[name], folder / name)
        bundles.append({"name": folder.name, "kwargs": {"path": str(folder)},
                        "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle"})
    return {**os.environ, "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR"}


def _dag_test(env: dict[str, str], dag_ids: list[str], out: Path, errors: list[str]) -> None:
    for command in ([sys.executable, "-m", "airflow", "db", "migrate"],
                    [sys.executable, str(DRIVER), str(out), LOGICAL_DATE, *dag_ids]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                              timeout=600)
        if done.returncode != 0:
            errors.append(f"{command[1:3]} failed: {done.stderr[-3000:]}")
            return


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both sides' outcomes: {"airflow": {dag_id: ...}, "assetbridge": {dag_id: ...}}.

    The ``dag.test()`` workers run in subprocesses while this process runs the same files
    in-process, each with ``AIRFLOW_HOME`` set to its worker's home (example bash
    commands print it and count the files of its dags folder).
    """
    from translators._airflow_env import airflow_environment

    with airflow_environment():  # Airflow configured for this process before AIRFLOW_HOME moves
        pass
    sources = {path.name: path for folder in _example_folders() for path in folder.glob("*.py")}
    workers, errors, reference = [], [], {}  # type: ignore[var-annotated]
    for index, files in enumerate(_split(list(RUNNABLE))):
        home = tmp_path_factory.mktemp(f"airflow-home-{index}")
        env = _prepare_home(home, files, sources)
        dag_ids = sorted(dag_id for name in files for dag_id in RUNNABLE[name])
        thread = threading.Thread(target=_dag_test,
                                  args=(env, dag_ids, home / "dag_test.json", errors))
        thread.start()
        workers.append((home, files, thread))
    mine: dict[str, Any] = {}
    for home, files, _ in workers:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AIRFLOW_HOME", str(home))
            for name in files:
                result = run_dags(home / "dags" / Path(name).stem / name,
                                  logical_date=LOGICAL_DATE,
                                  settings=ExecutionSettings(max_workers=4))
                mine.update({dag_id: _labelled(result, dag_id) for dag_id in RUNNABLE[name]})
    for home, _, thread in workers:
        thread.join()
        if not errors:
            reference.update(json.loads((home / "dag_test.json").read_text()))
    assert not errors, errors[0]
    return {"airflow": reference, "assetbridge": mine}


def test_every_shipped_example_is_compared_or_excluded_with_a_reason() -> None:
    from translators._airflow_env import airflow_environment
    from translators.execution._loading import load_dags

    with airflow_environment():
        found, _ = load_dags(_example_folders())
    compared = {dag_id for ids in RUNNABLE.values() for dag_id in ids}
    assert compared.isdisjoint(EXCLUDED)
    assert sorted({dag.dag_id for dag in found} - compared - set(EXCLUDED)) == []


@pytest.mark.parametrize("dag_id", sorted(d for ids in RUNNABLE.values() for d in ids))
def test_same_states_and_return_values_as_dag_test(runs: dict[str, Any], dag_id: str) -> None:
    reference = runs["airflow"][dag_id]
    assert "error" not in reference, reference
    states, xcoms = runs["assetbridge"][dag_id]
    mode = RANDOM.get(dag_id, "exact")
    if mode == "state-counts":
        assert collections.Counter(states.values()) == collections.Counter(
            reference["states"].values())
        assert sorted(states) == sorted(reference["states"])
        return
    assert states == reference["states"]
    if mode == "exact":
        assert xcoms == _json(reference["xcoms"])
