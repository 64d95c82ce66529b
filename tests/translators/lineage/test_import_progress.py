"""``on_batch`` reports an import's progress after each committed batch, on the SQL path
and the generic path alike; the CLI shows it on a terminal only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.storage import SqlStore
from tests.translators.lineage._airflow_dbs import AirflowDb
from translators.lineage import ImportResult, import_airflow_db

pytestmark = pytest.mark.airflow


class _PythonPath(SqlStore):
    """A real SQL store that takes the generic path (it wraps ``put_catalog``)."""

    def put_catalog(self, *args: Any, **kwargs: Any) -> int:
        return super().put_catalog(*args, **kwargs)


@pytest.mark.parametrize("store_class", [SqlStore, _PythonPath])
def test_on_batch_follows_every_committed_batch(airflow3_sqlite: AirflowDb, tmp_path: Path,
                                                store_class: type[SqlStore]) -> None:
    seen: list[tuple[int, int, int, int | None]] = []

    def on_batch(result: ImportResult) -> None:
        seen.append((result.batches, result.records_read, result.events_added,
                     result.records_total))

    store = store_class(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        result = import_airflow_db(airflow3_sqlite.target, store, batch_size=3,
                                   on_batch=on_batch)
    finally:
        store.close()
    assert result.batches > 2 and len(seen) == result.batches
    assert [batch for batch, *_ in seen] == list(range(1, result.batches + 1))
    reads = [read for _, read, _, _ in seen]
    assert reads == sorted(reads) and reads[-1] == result.records_read > 0
    assert seen[-1][2] == result.events_added > 0
    # the SQL path knows how many records it will read once it has read them
    totals = {total for *_, total in seen}
    assert totals == ({result.records_read} if store_class is SqlStore else {None})
