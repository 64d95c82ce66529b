"""Control flow an asset function may use: finish as skipped instead of failed."""

from __future__ import annotations

__all__ = ["SkipAsset"]


class SkipAsset(Exception):
    """Raise from an asset function to end it as ``skipped`` (not failed), with a reason.

    Downstream assets then follow their trigger rules (``all_success`` skips them too).
    """
