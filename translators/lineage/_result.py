"""What an import did: counts a user (and ``--json``) can check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bridge.storage import AssetEvent, CatalogAsset

__all__ = ["ImportResult", "catalog_changes"]


@dataclass
class ImportResult:
    """Counts of one ``assetbridge lineage import``."""

    #: what was read: ``airflow-db``, ``openlineage`` or ``airflow-api``
    kind: str
    #: the database, folder or server read (passwords hidden)
    source: str
    #: e.g. ``Airflow 3.3.0 (revision d2f4e1b3c5a7)``; None where there is no schema
    schema: str | None = None
    #: catalog entries that did not exist before, and ones whose definition changed
    assets_added: int = 0
    assets_updated: int = 0
    assets_total: int = 0
    #: events written, per kind (``materialization``, ``failure``)
    events: Counter[str] = field(default_factory=Counter)
    #: source records read (task instances, asset events, OpenLineage run events ...)
    records_read: int = 0
    #: transactions committed
    batches: int = 0
    seconds: float = 0.0
    #: source records this import will read, once known (the SQL path knows it after its
    #: read; other paths do not count ahead)
    records_total: int | None = None
    #: called with this result after each committed batch (a progress display)
    on_batch: Callable[[ImportResult], None] | None = field(default=None, repr=False,
                                                             compare=False)

    def batch_committed(self) -> None:
        """Count a committed transaction and tell :attr:`on_batch`."""
        self.batches += 1
        if self.on_batch is not None:
            self.on_batch(self)

    def count(self, written: Iterable[AssetEvent]) -> None:
        """Add written events to the per-kind counts."""
        self.events.update(Counter(event.kind.value for event in written))

    @property
    def events_added(self) -> int:
        """Every event written."""
        return sum(self.events.values())

    def to_json(self) -> dict[str, Any]:
        """The ``lineage import --json`` document."""
        return {
            "kind": self.kind, "source": self.source, "schema": self.schema,
            "assets": {"added": self.assets_added, "updated": self.assets_updated,
                       "total": self.assets_total},
            "events": {"added": self.events_added, **dict(sorted(self.events.items()))},
            "records_read": self.records_read, "batches": self.batches,
            "seconds": round(self.seconds, 3),
        }


def catalog_changes(before: Sequence[CatalogAsset],
                    entries: Sequence[CatalogAsset]) -> tuple[list[CatalogAsset], int, int]:
    """The entries that differ from the store's, with the added and updated counts."""
    old = {asset.key: asset for asset in before}
    changed = [entry for entry in entries if old.get(entry.key) != entry]
    added = sum(1 for entry in changed if entry.key not in old)
    return changed, added, len(changed) - added
