"""An in-memory stand-in for the Airflow worker's supervisor channel.

Inside a real Airflow worker, Task SDK code that needs the metadata database (XComs of
mapped tasks, Variables and Connections not found in the environment, task-instance
counts) sends a request over ``airflow.sdk.execution_time.task_runner.SUPERVISOR_COMMS``.
An in-process run has no supervisor and no database, so :class:`LocalComms` answers those
requests from the run's own memory: the :class:`~translators.execution._xcom.XComStore`,
the run's Variables and Connections, and what it knows about its task instances.

Requests that only report progress (rendered fields, map-index labels) are acknowledged
and dropped; a request that needs systems an in-process run does not have gets an
``ErrorResponse``, which Airflow turns into the error the task would see.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, Protocol

from translators.execution._xcom import UNMAPPED, XComStore

__all__ = ["LocalComms", "RunFacts", "installed"]

_install_lock = threading.Lock()
_MISSING = object()


class RunFacts(Protocol):
    """What :class:`LocalComms` needs to know about the run besides its XComs."""

    def variable(self, key: str) -> str | None:
        """A Variable's raw (string) value, or None."""

    def connection(self, conn_id: str) -> dict[str, Any] | None:
        """A Connection's fields (conn_type, host, ...), or None."""

    def asset(self, name: str | None, uri: str | None) -> Any:
        """An Airflow Asset of the loaded DAGs, by name or URI, or None."""

    def map_count(self, dag_id: str, task_id: str) -> int:
        """How many task instances ``task_id`` has in this run (1 unless mapped)."""

    def task_state(self, dag_id: str, task_id: str) -> str | None:
        """The Airflow state of a task that finished in this run, or None."""

    def task_instance_states(self, dag_id: str, task_id: str) -> list[str] | None:
        """The states of a task's instances (one per map index) if it ran in this run."""

    def dag_task_ids(self, dag_id: str) -> list[str] | None:
        """The task ids of a loaded DAG, or None when the run did not load it."""

    def dag_leaf_ids(self, dag_id: str) -> list[str]:
        """The ids of a loaded DAG's tasks that have no downstream tasks."""


class LocalComms:
    """Answers Task SDK requests from the run's memory (see the module docstring)."""

    def __init__(self, xcoms: XComStore, facts: RunFacts) -> None:
        self.xcoms = xcoms
        self.facts = facts
        self._handlers: dict[str, Callable[[Any], Any]] = {
            "GetXCom": self._get_xcom,
            "GetXComCount": self._count,
            "GetXComSequenceItem": self._item,
            "GetXComSequenceSlice": self._slice,
            "SetXCom": self._set_xcom,
            "DeleteXCom": self._delete_xcom,
            "GetVariable": self._variable,
            "GetConnection": self._connection,
            "GetTICount": self._ti_count,
            "GetTaskStates": self._task_states,
            "GetDRCount": self._dr_count,
            "GetDagRunState": self._dag_run_state,
            "SetRenderedFields": self._ok,
            "SetRenderedMapIndex": self._ok,
            "ValidateInletsAndOutlets": self._no_inactive_assets,
            "GetPrevSuccessfulDagRun": self._no_previous_run,
            "GetAssetByName": self._asset,
            "GetAssetByUri": self._asset,
            "GetAssetsByAlias": self._no_alias_assets,
            "GetAssetEventByAsset": self._no_events,
            "GetAssetEventByAssetAlias": self._no_events,
        }
        for kind in ("Task", "Asset"):
            for verb, handler in (("Get", self._state_get), ("Set", self._state_set),
                                  ("Delete", self._state_delete), ("Clear", self._state_clear)):
                for suffix in (("",) if kind == "Task" else ("ByName", "ByUri")):
                    self._handlers[f"{verb}{kind}StateStore{suffix}"] = handler
        #: (scope, key) -> value of the task and asset state stores (this run only)
        self._state: dict[tuple[str, str], Any] = {}

    def send(self, msg: Any) -> Any:
        """Answer one request (the synchronous Task SDK API)."""
        handler = self._handlers.get(type(msg).__name__)
        if handler is None:
            return _error(f"an in-process run cannot answer {type(msg).__name__}")
        return handler(msg)

    async def asend(self, msg: Any) -> Any:
        """Answer one request (the asynchronous Task SDK API)."""
        return self.send(msg)

    # --- XComs ---------------------------------------------------------------------------

    def _get_xcom(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import XComResult

        index = UNMAPPED if msg.map_index is None else msg.map_index
        value = self.xcoms.get_one(msg.dag_id, msg.task_id, msg.key, index)
        return XComResult.model_construct(key=msg.key, value=value, type="XComResult")

    def _count(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import XComCountResponse

        return XComCountResponse(len=len(self.xcoms.get_all(msg.dag_id, msg.task_id, msg.key)))

    def _item(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import XComSequenceIndexResult

        values = self.xcoms.get_all(msg.dag_id, msg.task_id, msg.key)
        try:
            value = values[msg.offset]
        except IndexError:
            return _error(f"no XCom at offset {msg.offset}")
        return XComSequenceIndexResult.model_construct(root=value,
                                                       type="XComSequenceIndexResult")

    def _slice(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import XComSequenceSliceResult

        values = self.xcoms.get_all(msg.dag_id, msg.task_id, msg.key)
        return XComSequenceSliceResult.model_construct(
            root=values[slice(msg.start, msg.stop, msg.step)], type="XComSequenceSliceResult")

    def _set_xcom(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.xcom import XCom

        value = XCom.deserialize_value(msg)  # stored as the object, like our own pushes
        self.xcoms.push(msg.dag_id, msg.task_id, msg.key, value, msg.map_index)
        return None

    def _delete_xcom(self, msg: Any) -> Any:
        self.xcoms.clear(msg.dag_id, msg.task_id, msg.map_index)
        return None

    # --- Variables and Connections ---------------------------------------------------------

    def _variable(self, msg: Any) -> Any:
        from airflow.sdk.exceptions import ErrorType
        from airflow.sdk.execution_time.comms import VariableResult

        value = self.facts.variable(msg.key)
        if value is None:
            return _error(f"Variable {msg.key} not found", ErrorType.VARIABLE_NOT_FOUND)
        return VariableResult(key=msg.key, value=value)

    def _connection(self, msg: Any) -> Any:
        from airflow.sdk.exceptions import ErrorType
        from airflow.sdk.execution_time.comms import ConnectionResult

        fields = self.facts.connection(msg.conn_id)
        if fields is None:
            return _error(f"Connection {msg.conn_id} not found", ErrorType.CONNECTION_NOT_FOUND)
        return ConnectionResult(conn_id=msg.conn_id, **fields)

    # --- task instances ------------------------------------------------------------------

    def _ti_count(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import TICount

        if msg.states is None and msg.task_group_id is None:  # map lengths (mapped tasks)
            ids = msg.task_ids or []
            return TICount(count=sum(self.facts.map_count(msg.dag_id, task) for task in ids))
        # what a sensor on other tasks asks: how many of them ended in these states
        ran = self._ran(msg.dag_id, self._requested_tasks(msg))
        wanted = set(msg.states or ())
        return TICount(count=sum(1 for states in ran.values() for state in states
                                 if not wanted or state in wanted))

    def _task_states(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import TaskStatesResult

        run_id = (msg.run_ids or ["?"])[0]
        if msg.task_group_id is None:  # the tasks of this run (trigger rules, branches)
            states = {task: self.facts.task_state(msg.dag_id, task)
                      for task in msg.task_ids or []}
            return TaskStatesResult(task_states={run_id: states})
        ran = self._ran(msg.dag_id, self._requested_tasks(msg))
        flat = {f"{task}[{index}]" if len(states) > 1 else task: state
                for task, states in ran.items() for index, state in enumerate(states)}
        return TaskStatesResult(task_states={run_id: flat})

    def _dr_count(self, msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import DRCount

        state = self._dag_state(msg.dag_id)
        return DRCount(count=int(not msg.states or state in msg.states))

    def _dag_run_state(self, msg: Any) -> Any:
        from airflow.sdk.api.datamodels._generated import DagRunState
        from airflow.sdk.execution_time.comms import DagRunStateResult

        return DagRunStateResult(state=DagRunState(self._dag_state(msg.dag_id)))

    def _requested_tasks(self, msg: Any) -> list[str]:
        tasks = self.facts.dag_task_ids(msg.dag_id) or []
        if msg.task_group_id is not None:
            prefix = f"{msg.task_group_id}."
            return [task for task in tasks if task.startswith(prefix)]
        return list(msg.task_ids or tasks)

    def _ran(self, dag_id: str, task_ids: list[str]) -> dict[str, list[str]]:
        """task id -> its instances' states; fails the asking task (no retry) naming what
        did not run here, where a sensor would poke until its timeout for nothing."""
        loaded = self.facts.dag_task_ids(dag_id)
        if loaded is None:
            _fail(f"DAG {dag_id!r} is not part of this in-process run; run its DAG file "
                  "together with this one, or select without this sensor")
        found: dict[str, list[str]] = {}
        for task in task_ids:
            states = self.facts.task_instance_states(dag_id, task)
            if states is None:
                _fail(f"task {task!r} of DAG {dag_id!r} did not run in this in-process run; "
                      "select it too (the tasks a sensor waits for run before it)")
            found[task] = states
        if not found:
            _fail(f"DAG {dag_id!r} has no tasks {task_ids!r} to wait for")
        return found

    def _dag_state(self, dag_id: str) -> str:
        """The state Airflow would give ``dag_id``'s run once all its tasks ran here:
        failed when a task without downstream tasks failed, else success."""
        ran = self._ran(dag_id, self.facts.dag_task_ids(dag_id) or [])
        leaves = self.facts.dag_leaf_ids(dag_id)
        bad = {"failed", "upstream_failed"}
        failed = any(state in bad for task in leaves for state in ran.get(task, ()))
        return "failed" if failed else "success"

    # --- assets and state stores -------------------------------------------------------------

    def _asset(self, msg: Any) -> Any:
        from airflow.sdk.exceptions import ErrorType
        from airflow.sdk.execution_time.comms import AssetResult

        name, uri = getattr(msg, "name", None), getattr(msg, "uri", None)
        found = self.facts.asset(name, uri)
        if found is None:  # an asset of a DAG not loaded: known by the reference alone
            text = name or uri
            if text is None:
                return _error("an asset needs a name or a URI", ErrorType.ASSET_NOT_FOUND)
            return AssetResult(name=text, uri=uri or text, group="asset")
        return AssetResult(name=found.name, uri=found.uri, group=found.group,
                           extra=found.extra or None)

    @staticmethod
    def _no_alias_assets(_msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import AssetsByAliasResult

        return AssetsByAliasResult(assets=[])

    @staticmethod
    def _no_events(_msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import AssetEventsResult

        return AssetEventsResult(asset_events=[])

    @staticmethod
    def _scope(msg: Any) -> str:
        for field in ("ti_id", "name", "uri"):
            if (value := getattr(msg, field, None)) is not None:
                return f"{field}:{value}"
        return "?"

    def _state_get(self, msg: Any) -> Any:
        from airflow.sdk.exceptions import ErrorType
        from airflow.sdk.execution_time.comms import AssetStateStoreResult, TaskStateStoreResult

        found = self._state.get((self._scope(msg), msg.key), _MISSING)
        if found is _MISSING:
            kind = "TASK" if "Task" in type(msg).__name__ else "ASSET"
            return _error("no such key", getattr(ErrorType, f"{kind}_STORE_NOT_FOUND", None))
        result = TaskStateStoreResult if "Task" in type(msg).__name__ else AssetStateStoreResult
        return result(value=found)

    def _state_set(self, msg: Any) -> Any:
        self._state[(self._scope(msg), msg.key)] = msg.value
        return self._ok(msg)

    def _state_delete(self, msg: Any) -> Any:
        self._state.pop((self._scope(msg), msg.key), None)
        return self._ok(msg)

    def _state_clear(self, msg: Any) -> Any:
        scope = self._scope(msg)
        for key in [k for k in self._state if k[0] == scope]:
            del self._state[key]
        return self._ok(msg)

    @staticmethod
    def _ok(_msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import OKResponse

        return OKResponse(ok=True)

    @staticmethod
    def _no_inactive_assets(_msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import InactiveAssetsResult

        return InactiveAssetsResult(inactive_assets=[])

    @staticmethod
    def _no_previous_run(_msg: Any) -> Any:
        from airflow.sdk.execution_time.comms import PrevSuccessfulDagRunResult

        return PrevSuccessfulDagRunResult()


def _fail(message: str) -> NoReturn:
    from airflow.sdk.exceptions import AirflowFailException

    raise AirflowFailException(message)


def _error(message: str, kind: Any = None) -> Any:
    from airflow.sdk.exceptions import ErrorType
    from airflow.sdk.execution_time.comms import ErrorResponse

    return ErrorResponse(error=kind or ErrorType.GENERIC_ERROR, detail={"message": message})


@contextlib.contextmanager
def installed(comms: LocalComms) -> Iterator[None]:
    """Make ``comms`` the process's supervisor channel for the block, then restore it.

    One in-process run at a time per process: a second concurrent run waits.
    """
    import importlib

    task_runner: Any = importlib.import_module("airflow.sdk.execution_time.task_runner")
    with _install_lock:
        previous = getattr(task_runner, "SUPERVISOR_COMMS", None)
        task_runner.SUPERVISOR_COMMS = comms
        try:
            yield
        finally:
            task_runner.SUPERVISOR_COMMS = previous
