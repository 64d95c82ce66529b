"""A task instance of an in-process run and the template context Airflow would give it.

:class:`LocalTaskInstance` implements what operators use of Airflow 3's
``RuntimeTaskInstanceProtocol`` (``xcom_push``/``xcom_pull`` over the run's in-memory
:class:`~translators.execution._xcom.XComStore`, ``map_index``, ``try_number``, ``task``,
``get_template_context``, ``render_templates`` ...). :func:`template_context` builds the
context like ``RuntimeTaskInstance.get_template_context`` does, from Airflow's own
accessors (``macros``, ``var``, ``conn``, ``params`` validated by ``process_params``,
inlet/outlet events), with the dates of the run's ``DagRun``.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NoReturn

from translators.execution._xcom import ALL_INDEXES, RETURN_KEY, UNMAPPED, XComStore

__all__ = ["DagRunView", "LocalTaskInstance", "template_context"]

_NOTSET: Any = None  # Airflow's NOTSET sentinel, imported lazily
#: "not given" for ``map_indexes`` (Airflow uses its own NOTSET, also accepted)
_UNSET: Any = object()


def _notset() -> Any:
    global _NOTSET
    if _NOTSET is None:
        from airflow.sdk.definitions._internal.types import NOTSET

        _NOTSET = NOTSET
    return _NOTSET


@dataclass(frozen=True)
class DagRunView:
    """One DAG's run as its task instances see it."""

    #: the Task SDK ``DagRun`` model (``context["dag_run"]``)
    dag_run: Any
    xcoms: XComStore
    #: how many instances each task of the DAG has (mapped tasks: their map length)
    map_counts: dict[str, int]

    @property
    def run_id(self) -> str:
        """The Airflow run id (``manual__<run_after>``)."""
        return str(self.dag_run.run_id)


class LocalTaskInstance:
    """One try of one task (one map index) in an in-process run."""

    def __init__(self, task: Any, run: DagRunView, *, map_index: int = UNMAPPED,
                 try_number: int = 1) -> None:
        # the same id on every try, so the task state store survives retries
        self.id = uuid.uuid5(uuid.NAMESPACE_URL, f"{run.run_id}/{task.dag_id}/{task.task_id}/"
                                                 f"{map_index}")
        self.dag_version_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{task.dag_id}/version")
        self.task = task
        self.task_id: str = task.task_id
        self.dag_id: str = task.dag_id
        self.run_id = run.run_id
        self.map_index = map_index
        self.try_number = try_number
        self.max_tries = int(task.retries or 0)
        self.hostname: str | None = socket.gethostname()
        self.start_date = datetime.now(timezone.utc)
        self.end_date: datetime | None = None
        self.state: str | None = None
        self.is_mapped: bool | None = map_index >= 0
        self.rendered_map_index: str | None = None
        self.run = run
        self._cached_template_context: dict[str, Any] | None = None
        #: the questions about other DAGs this try asked (see :meth:`_ask_once`)
        self._asked: set[tuple[str, str, str]] = set()

    def __repr__(self) -> str:
        index = f"[{self.map_index}]" if self.map_index >= 0 else ""
        return f"<LocalTaskInstance: {self.dag_id}.{self.task_id}{index} {self.run_id}>"

    # --- XComs ---------------------------------------------------------------------------

    def xcom_push(self, key: str, value: Any) -> None:
        """Make ``value`` available to downstream tasks of this run (in memory)."""
        self.run.xcoms.push(self.dag_id, self.task_id, key, value, self.map_index)

    def xcom_pull(self, task_ids: str | Iterable[str] | None = None, dag_id: str | None = None,
                  key: str = RETURN_KEY, include_prior_dates: bool = False, *,
                  map_indexes: Any = _UNSET, default: Any = None,
                  run_id: str | None = None) -> Any:
        """Airflow's ``xcom_pull``: unset ``map_indexes`` pulls every map index."""
        unset = map_indexes is _UNSET or map_indexes is _notset()
        ids = self.task_id if task_ids is None else task_ids
        return self.run.xcoms.pull(dag_id or self.dag_id, ids, key,
                                   map_indexes=ALL_INDEXES if unset else map_indexes,
                                   default=default)

    def get_relevant_upstream_map_indexes(self, upstream: Any, ti_count: int | None,
                                          session: Any) -> int | range | None:
        """Which map indexes of ``upstream`` this instance reads (mapped task groups)."""
        from airflow.sdk.execution_time.task_mapping import get_relevant_map_indexes

        if self.map_index < 0:
            return None
        count = ti_count if ti_count is not None else self.run.map_counts.get(self.task_id, 1)
        return get_relevant_map_indexes(task=self.task, run_id=self.run_id,
                                        map_index=self.map_index, ti_count=count,
                                        relative=upstream, dag_id=self.dag_id)

    # --- what else operators ask of a task instance -----------------------------------------

    def get_template_context(self) -> dict[str, Any]:
        """The template context (built once per instance)."""
        if self._cached_template_context is None:
            self._cached_template_context = template_context(self)
        return self._cached_template_context

    def render_templates(self, context: Any = None, jinja_env: Any = None) -> Any:
        """Render the task's template fields; a mapped task is replaced by its unmapped
        operator (as Airflow does). Returns the task before replacement."""
        context = context or self.get_template_context()
        original = self.task
        self.task.render_template_fields(context, jinja_env)
        self.task = context["task"]
        return original

    # --- other DAGs' tasks and runs (ExternalTaskSensor), answered by the run's memory ------

    def get_ti_count(self, dag_id: str, **query: Any) -> int:
        """How many task instances of this in-process run match (Airflow's query)."""
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        self._ask_once("get_ti_count", dag_id, query)
        count = RuntimeTaskInstance.get_ti_count(dag_id, **query)
        if query.get("states") is not None:
            every = RuntimeTaskInstance.get_ti_count(dag_id, **{**query, "states": None})
            self._settled(dag_id, query["states"], reached=count >= every)
        return count

    def get_task_states(self, dag_id: str, **query: Any) -> dict[str, Any]:
        """The states of task instances of this in-process run (Airflow's query)."""
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        self._ask_once("get_task_states", dag_id, query)
        return RuntimeTaskInstance.get_task_states(dag_id, **query)

    def get_dr_count(self, dag_id: str, **query: Any) -> int:
        """How many runs of ``dag_id`` in this in-process run match (0 or 1)."""
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        self._ask_once("get_dr_count", dag_id, query)
        count = RuntimeTaskInstance.get_dr_count(dag_id, **query)
        if query.get("states") is not None:
            self._settled(dag_id, query["states"], reached=count >= 1)
        return count

    @staticmethod
    def get_dagrun_state(dag_id: str, run_id: str) -> str:
        """The state of ``dag_id``'s run in this in-process run."""
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        return RuntimeTaskInstance.get_dagrun_state(dag_id, run_id)

    def _settled(self, dag_id: str, states: Any, *, reached: bool) -> None:
        """Fail at the first poke when what the sensor waits for ended short of its allowed
        states (what it waits for ran before it in this run: the answer will not change)."""
        allowed = getattr(self.task, "allowed_states", None)
        if not reached and allowed is not None and set(states) == set(allowed):
            self._fail_waiting(dag_id, allowed)

    def _fail_waiting(self, dag_id: str, allowed: Any) -> NoReturn:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(
            f"what {self.task_id!r} waits for in DAG {dag_id!r} already ended in this "
            f"in-process run without reaching its allowed states {list(allowed)!r}; Airflow "
            "would poke until the sensor's timeout")

    def _ask_once(self, what: str, dag_id: str, query: dict[str, Any]) -> None:
        """Fail a sensor that asks the same question twice: what it waits for ran before it
        in this run (or the question fails), so the answer will not change; Airflow would
        poke until the sensor's timeout."""
        question = (what, dag_id, repr(sorted(query.items())))
        if question in self._asked:
            self._fail_waiting(dag_id, getattr(self.task, "allowed_states", None) or ())
        self._asked.add(question)

    def get_first_reschedule_date(self, context: Any) -> datetime | None:
        """No earlier tries in an in-process run."""
        return None

    def get_previous_dagrun(self, state: str | None = None) -> None:
        """An in-process run has no history."""
        return None

    def get_previous_ti(self, state: Any = None, logical_date: Any = None,
                        map_index: int = -1) -> None:
        """An in-process run has no history."""
        return None

    @property
    def log_url(self) -> str:
        """There is no web server; the run's logs are in the bridge run record."""
        return ""

    @property
    def mark_success_url(self) -> str:
        """There is no web server."""
        return ""

    @property
    def stats_tags(self) -> dict[str, str]:
        """Metric tags (unused: nothing is emitted)."""
        return {"dag_id": self.dag_id, "task_id": self.task_id}



def template_context(ti: LocalTaskInstance) -> dict[str, Any]:
    """Airflow's template context for ``ti`` (see the module docstring)."""
    from airflow.sdk.definitions.param import process_params
    from airflow.sdk.execution_time.context import (
        ConnectionAccessor,
        InletEventsAccessors,
        MacrosAccessor,
        OutletEventAccessors,
        TriggeringAssetEventsAccessor,
        VariableAccessor,
    )

    task, dag_run = ti.task, ti.run.dag_run
    context: dict[str, Any] = {
        "dag": task.dag,
        "dag_run": dag_run,
        "inlets": task.inlets,
        "outlets": task.outlets,
        "inlet_events": InletEventsAccessors(task.inlets),
        "outlet_events": OutletEventAccessors(),
        "map_index_template": task.map_index_template,
        "macros": MacrosAccessor(),
        "params": process_params(task.dag, task, dag_run.conf, suppress_exception=False),
        "run_id": ti.run_id,
        "task": task,
        "task_instance": ti,
        "ti": ti,
        "try_number": ti.try_number,
        "var": {"json": VariableAccessor(deserialize_json=True),
                "value": VariableAccessor(deserialize_json=False)},
        "conn": ConnectionAccessor(),
        "partition_key": dag_run.partition_key,
        "partition_date": dag_run.partition_date,
        "triggering_asset_events": TriggeringAssetEventsAccessor.build([]),
        "task_instance_key_str": f"{task.dag_id}__{task.task_id}__{dag_run.run_id}",
        "task_reschedule_count": 0,
        "prev_start_date_success": None,
        "prev_end_date_success": None,
    }
    context.update(_state_stores(ti))
    if ti.map_index >= 0:
        context["expanded_ti_count"] = ti.run.map_counts.get(ti.task_id)
    if dag_run.logical_date is not None:
        context.update(_date_keys(task, dag_run))
    return context


def _state_stores(ti: LocalTaskInstance) -> dict[str, Any]:
    """``task_state_store`` (kept across tries) and ``asset_state_store`` (for tasks with
    asset inlets or outlets), both held in the run's memory."""
    from airflow.sdk import Asset, AssetAlias
    from airflow.sdk._shared.state import TaskScope
    from airflow.sdk.definitions.asset import AssetNameRef, AssetUriRef
    from airflow.sdk.execution_time.context import (
        AssetStateStoreAccessors,
        TaskStateStoreAccessor,
    )

    task = ti.task
    scope = TaskScope(dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id,
                      map_index=ti.map_index)
    stores: dict[str, Any] = {"task_state_store": TaskStateStoreAccessor(ti_id=ti.id,
                                                                         scope=scope)}
    kinds = (Asset, AssetNameRef, AssetUriRef, AssetAlias)
    if any(isinstance(item, kinds) for item in (*task.inlets, *task.outlets)):
        stores["asset_state_store"] = AssetStateStoreAccessors(task.inlets, task.outlets)
    return stores


def _date_keys(task: Any, dag_run: Any) -> dict[str, Any]:
    from airflow.sdk.timezone import coerce_datetime

    logical_date = coerce_datetime(dag_run.logical_date)
    ds = logical_date.strftime("%Y-%m-%d")
    ts = logical_date.isoformat()
    return {
        "logical_date": logical_date,
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "task_instance_key_str": f"{task.dag_id}__{task.task_id}__{ds.replace('-', '')}",
        "ts": ts,
        "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "data_interval_start": coerce_datetime(dag_run.data_interval_start),
        "data_interval_end": coerce_datetime(dag_run.data_interval_end),
        "prev_data_interval_start_success": None,
        "prev_data_interval_end_success": None,
    }
