"""The lineage importers' error: one class, a one-line message saying what to do."""

from __future__ import annotations

from bridge.errors import BridgeError

__all__ = ["LineageImportError"]


class LineageImportError(BridgeError):
    """A lineage source cannot be imported: not an Airflow database, an Airflow schema
    this release does not know, malformed OpenLineage events, an API that refuses.

    Nothing from the failing source is written when this is raised before the first batch;
    batches already committed stay, with their watermark, so a re-run continues after them.
    """
