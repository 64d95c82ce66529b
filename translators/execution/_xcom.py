"""The XComs of one in-process run: Python objects kept in memory, never serialized.

Airflow stores XComs in its metadata database (as JSON); here a run keeps them in a dict,
so any value a task returns reaches its downstream tasks as the same object, whatever its
size. Pull semantics follow Airflow's ``TaskInstance.xcom_pull`` (see :meth:`XComStore.pull`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["ALL_INDEXES", "RETURN_KEY", "UNMAPPED", "XComStore"]

#: the key a task's return value is pushed under
RETURN_KEY = "return_value"
#: the map index of a task that is not mapped
UNMAPPED = -1

#: ``map_indexes`` not given: pull every map index (Airflow's default)
ALL_INDEXES: Any = type("AllIndexes", (), {"__repr__": lambda self: "ALL_INDEXES"})()

_Slot = tuple[str, str, str]  # (dag_id, task_id, key)


class XComStore:
    """XCom values of one run, by DAG, task, key and map index. Thread-safe.

    Examples:
        >>> store = XComStore()
        >>> store.push("etl", "extract", RETURN_KEY, [1, 2])
        >>> store.pull("etl", "extract")
        [1, 2]
        >>> for index, value in enumerate("ab"):
        ...     store.push("etl", "fan_out", RETURN_KEY, value, map_index=index)
        >>> store.pull("etl", "fan_out"), store.pull("etl", "fan_out", map_indexes=1)
        (['a', 'b'], 'b')
        >>> store.pull("etl", ["extract", "missing"], default=0, map_indexes=-1)
        [[1, 2], 0]
    """

    def __init__(self) -> None:
        self._values: dict[_Slot, dict[int, Any]] = {}
        self._lock = threading.Lock()

    def push(self, dag_id: str, task_id: str, key: str, value: Any,
             map_index: int | None = UNMAPPED) -> None:
        """Store ``value`` (replacing an earlier push of the same key and map index)."""
        index = UNMAPPED if map_index is None else map_index
        with self._lock:
            self._values.setdefault((dag_id, task_id, key), {})[index] = value

    def get_one(self, dag_id: str, task_id: str, key: str = RETURN_KEY,
                map_index: int | None = UNMAPPED) -> Any:
        """One value, or None (Airflow's ``XCom.get_one``)."""
        index = UNMAPPED if map_index is None else map_index
        with self._lock:
            return self._values.get((dag_id, task_id, key), {}).get(index)

    def get_all(self, dag_id: str, task_id: str, key: str = RETURN_KEY) -> list[Any]:
        """Every map index's value, in map-index order (Airflow's ``XCom.get_all``)."""
        with self._lock:
            found = self._values.get((dag_id, task_id, key), {})
            return [found[index] for index in sorted(found)]

    def has(self, dag_id: str, task_id: str, key: str = RETURN_KEY) -> bool:
        """Whether anything was pushed under this key."""
        with self._lock:
            return bool(self._values.get((dag_id, task_id, key)))

    def clear(self, dag_id: str, task_id: str, map_index: int | None = None) -> None:
        """Forget a task's XComs (one map index, or all), before it runs again."""
        with self._lock:
            for (dag, task, _), values in self._values.items():
                if (dag, task) != (dag_id, task_id):
                    continue
                if map_index is None:
                    values.clear()
                else:
                    values.pop(map_index, None)

    def keys(self, dag_id: str, task_id: str) -> list[str]:
        """The keys a task pushed, sorted."""
        with self._lock:
            return sorted(key for (dag, task, key), values in self._values.items()
                          if (dag, task) == (dag_id, task_id) and values)

    def pull(
        self,
        dag_id: str,
        task_ids: str | Iterable[str],
        key: str = RETURN_KEY,
        *,
        map_indexes: Any = ALL_INDEXES,
        default: Any = None,
    ) -> Any:
        """Airflow's ``xcom_pull`` over this store.

        Args:
            dag_id: the DAG of the tasks pulled from.
            task_ids: one task id (a single result) or several (a list).
            key: the XCom key.
            map_indexes: one index (a single result per task; None is the unmapped
                instance), several (a list), or :data:`ALL_INDEXES` (Airflow's behaviour
                when none is given): an unmapped task's value alone, a mapped task's
                values as a list.
            default: returned for a missing value when explicit map indexes are given.

        Returns:
            The value, or a list of values, as Airflow would return them.
        """
        single_task = isinstance(task_ids, str)
        ids = [task_ids] if isinstance(task_ids, str) else list(task_ids)
        if map_indexes is ALL_INDEXES:
            found: list[Any] = []
            for task_id in ids:
                values = self.get_all(dag_id, task_id, key)
                found.extend(values if values else [None])
            return found[0] if single_task and len(found) == 1 else found
        single_index = map_indexes is None or isinstance(map_indexes, int)
        if map_indexes is None or isinstance(map_indexes, int):
            indexes: list[int | None] = [map_indexes]
        else:
            indexes = list(map_indexes)
        result = []
        for task_id in ids:
            for index in indexes:
                value = self.get_one(dag_id, task_id, key, index)
                result.append(default if value is None else value)
        return result[0] if single_task and single_index else result
