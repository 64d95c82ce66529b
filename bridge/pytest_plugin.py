"""pytest fixtures for testing assets in two lines (registered as the ``assetbridge`` plugin).

Examples of use in a project's tests::

    def test_revenue(run_assets):
        result = run_assets("assets.py", resources={"warehouse": FakeWarehouse()})
        assert result.output_for("daily_revenue") == {"2026-11-01": 200.0}

Fixtures:
    ``assetbridge_store``: a SqlStore on a fresh SQLite file in the test's tmp_path.
    ``run_assets``: materialize a target (file, module) or a list of assets with an
    in-memory I/O manager and ``assetbridge_store``; fails the test with the asset's error
    and logs when the run does not succeed (pass ``check=False`` to get the failed result).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bridge import Asset, RunResult, SqlStore


@pytest.fixture
def assetbridge_store(tmp_path: Path) -> Iterator[SqlStore]:
    """A SQL store on a fresh SQLite file, closed after the test."""
    from bridge import SqlStore

    store = SqlStore(f"sqlite:///{tmp_path / 'assetbridge-runs.db'}")
    yield store
    store.close()


@pytest.fixture
def run_assets(assetbridge_store: SqlStore) -> Callable[..., RunResult]:
    """Materialize a target or assets; fail the test (with logs) unless it succeeds."""
    from bridge import materialize
    from bridge._loading import load_target

    def run(
        target: str | Path | Iterable[Asset],
        *,
        select: str | None = None,
        resources: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        partition: str | None = None,
        check: bool = True,
    ) -> RunResult:
        assets = (load_target(str(target)).assets if isinstance(target, (str, Path))
                  else list(target))
        result = materialize(assets, selection=select, resources=resources, config=config,
                             partition=partition, store=assetbridge_store)
        if check and not result.success:
            details = "\n".join(f"{f.key}: {f.error}\n{f.logs or ''}" for f in result.failures)
            pytest.fail(f"run {result.run_id} did not succeed:\n{details}", pytrace=False)
        return result

    return run
