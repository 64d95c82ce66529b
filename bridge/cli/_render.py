"""Human output: a live progress display while a run goes, and summary tables after."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bridge._keys import AssetKey
from bridge._types import AssetOutcome
from bridge.runner import AssetResult, RunResult

__all__ = ["ProgressHooks", "print_run_summary", "report_run", "stdout_console"]

_STYLE = {AssetOutcome.SUCCESS: "green", AssetOutcome.FAILED: "red",
          AssetOutcome.SKIPPED: "yellow"}


def stdout_console() -> Console:
    """A console for stdout; when piped or captured, wide enough not to wrap tables."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=140)


class ProgressHooks:
    """RunHooks that draw a progress bar on stderr."""

    def __init__(self, console: Console, label: str = "materializing") -> None:
        self.console = console
        self.label = label
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("{task.fields[current]}"),
            console=console, transient=True,
        )
        self.task: Any = None

    def on_run_start(self, *, run_id: str, keys: list[AssetKey], **_: Any) -> None:
        self.progress.start()
        self.task = self.progress.add_task(f"{self.label} {run_id}", total=len(keys),
                                           current="")

    def before_asset(self, *, key: AssetKey, **_: Any) -> None:
        self.progress.update(self.task, current=str(key))

    def after_asset(self, *, result: AssetResult, **_: Any) -> None:
        self.progress.advance(self.task)
        if result.outcome is AssetOutcome.FAILED:
            self.progress.console.print(f"[red]✗ {result.key}[/]: {result.error}")

    def on_run_end(self, **_: Any) -> None:
        self.progress.stop()


def print_run_summary(console: Console, result: RunResult, *, show_logs: bool = True) -> None:
    """A table of per-asset outcomes, then the logs of failed assets."""
    table = Table(title=f"run {result.run_id}: {result.status.value}", title_justify="left")
    for column in ("asset", "outcome", "partition", "seconds", "note"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for item in result.assets.values():
        style = _STYLE[item.outcome]
        table.add_row(str(item.key), f"[{style}]{item.outcome.value}[/]", item.partition or "",
                      f"{item.seconds:.3f}", _note(item))
    console.print(table)
    if show_logs:
        for failure in result.failures:
            console.print(f"[red bold]{failure.key}[/] failed after {failure.attempts} "
                          f"attempt(s): {failure.error}")
            if failure.logs:
                console.print(failure.logs, markup=False, highlight=False)


def _note(item: AssetResult) -> str:
    if item.outcome is AssetOutcome.SUCCESS:
        return f"{item.attempts} attempts" if item.attempts > 1 else ""
    return (item.error or "").splitlines()[0][:80]


def report_run(result: RunResult, *, as_json: bool, noun: str = "asset(s)",
               hint: str | None = None) -> None:
    """Print a run (JSON or a summary table); raise CommandFailed when it did not succeed."""
    from bridge.cli._app import CommandFailed, emit_json

    if as_json:
        emit_json(result.to_json())
    else:
        print_run_summary(stdout_console(), result)
    if not result.success:
        failed = [str(r.key) for r in result.failures]
        skipped = sum(1 for r in result.assets.values() if r.outcome is AssetOutcome.SKIPPED)
        raise CommandFailed(
            f"run {result.run_id} failed: {len(failed)} {noun} failed ({', '.join(failed)}), "
            f"{skipped} skipped" + (f"; {hint}" if hint else "")
        )
