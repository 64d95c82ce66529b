"""Run storage: an abstract Store, an in-memory store and a SQL store."""

from __future__ import annotations

from bridge.storage._base import Store
from bridge.storage._memory import InMemoryStore
from bridge.storage._records import AssetEvent, BackfillRecord, CatalogAsset, RunRecord
from bridge.storage._sql import SqlStore, default_store_url

__all__ = [
    "AssetEvent",
    "BackfillRecord",
    "CatalogAsset",
    "InMemoryStore",
    "RunRecord",
    "SqlStore",
    "Store",
    "default_store_url",
    "open_store",
]


def open_store(store: Store | str | None) -> Store:
    """A store from a Store object, a SQLAlchemy URL, or None (a new InMemoryStore)."""
    if store is None:
        return InMemoryStore()
    if isinstance(store, str):
        return SqlStore(store)
    return store
