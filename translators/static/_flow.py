"""Control-flow signals of the interpreter (``return``, ``break``, ``continue``, budget)."""

from __future__ import annotations

__all__ = ["BreakSignal", "BudgetExceeded", "ContinueSignal", "ReturnSignal"]


class BudgetExceeded(Exception):
    """The file needs more evaluation steps than the reader allows."""


class ReturnSignal(Exception):
    """``return`` inside an interpreted function."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class BreakSignal(Exception):
    """``break`` inside an interpreted loop."""


class ContinueSignal(Exception):
    """``continue`` inside an interpreted loop."""
