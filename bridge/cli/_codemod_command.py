"""``assetbridge codemod``: rewrite Airflow DAG files with LibCST commands."""

from __future__ import annotations

from typing import Any

import click

from bridge.cli._app import CommandFailed, cli, emit_json

__all__ = ["codemod_command"]

_PROGRESS_MIN_FILES = 20


@cli.command("codemod")
@click.argument("names", required=False, metavar="NAME[,NAME...]")
@click.argument("paths", nargs=-1, type=click.Path(), metavar="PATH...")
@click.option("--diff", "mode", flag_value="diff", default=True,
              help="Print a unified diff (default); nothing is written.")
@click.option("--check", "mode", flag_value="check",
              help="Exit 1 when a file would change (for CI); nothing is written.")
@click.option("--write", "mode", flag_value="write", help="Rewrite the files in place.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1),
              help="Worker processes.")
@click.option("--list", "list_only", is_flag=True, help="List the commands and exit.")
@click.option("--json", "as_json", is_flag=True, help="Per-file results as JSON on stdout.")
def codemod_command(names: str | None, paths: tuple[str, ...], mode: str, jobs: int,
                    list_only: bool, as_json: bool) -> None:
    """Apply codemod commands NAME[,NAME...] (in order) to DAG files and folders.

    \b
    Examples:
      assetbridge codemod --list
      assetbridge codemod kpo-modernize,airflow3 dags/ --diff
      assetbridge codemod airflow3 dags/ --check      exit 1 if anything would change
      assetbridge codemod airflow3 dags/ --write -j 4

    A file that cannot be parsed, transformed or written is reported and left untouched;
    a result that does not compile is never written.
    """
    from codemods import list_commands

    if list_only:
        commands = list_commands()
        if as_json:
            emit_json({"commands": [{"name": n, "description": d} for n, d in commands]})
        else:
            width = max(len(n) for n, _ in commands)
            for name, description in commands:
                click.echo(f"{name.ljust(width)}  {description}")
        return
    if not names or not paths:
        raise click.UsageError("give NAME[,NAME...] and at least one PATH (or --list)")
    _run(names, paths, mode=mode, jobs=jobs, as_json=as_json)


def _run(names: str, paths: tuple[str, ...], *, mode: str, jobs: int, as_json: bool) -> None:
    from rich.console import Console

    from codemods import FileStatus, Mode, get_command, run_codemods

    command_names = [n.strip() for n in names.split(",") if n.strip()]
    for name in command_names:
        try:
            get_command(name)
        except KeyError as exc:
            raise click.UsageError(str(exc.args[0])) from None
    console = Console(stderr=True)
    with _Progress(console, enabled=console.is_terminal and not as_json) as progress:
        summary = run_codemods(paths, command_names, mode=Mode(mode), jobs=jobs,
                               on_start=progress.start, on_result=progress.advance)
    if as_json:
        emit_json(summary.to_json())
    else:
        for result in summary.results:
            if result.diff:
                click.echo(result.diff, nl=False)
            for report in result.reports:
                click.echo(f"{report}", err=True)
            if result.status in (FileStatus.SKIPPED, FileStatus.FAILED):
                click.echo(f"{result.path}: {result.status.value}: {result.reason}", err=True)
        counts = {s.value: summary.count(s) for s in FileStatus}
        verb = "would change" if mode != "write" else "changed"
        click.echo(f"{counts['changed']} {verb}, {counts['unchanged']} unchanged, "
                   f"{counts['skipped']} skipped, {counts['failed']} failed", err=True)
    failed = summary.count(FileStatus.FAILED)
    if failed:
        raise CommandFailed(f"{failed} file(s) failed; see the reasons above")
    if mode == "check" and summary.count(FileStatus.CHANGED):
        raise CommandFailed(f"{summary.count(FileStatus.CHANGED)} file(s) would change; run "
                            f"`assetbridge codemod {names} PATH --write`")


class _Progress:
    """A rich progress bar on stderr for large folders (terminals only)."""

    def __init__(self, console: Any, *, enabled: bool) -> None:
        self._console = console
        self._enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, total: int) -> None:
        if not self._enabled or total < _PROGRESS_MIN_FILES:
            return
        from rich.progress import Progress

        self._bar = Progress(console=self._console, transient=True)
        self._task = self._bar.add_task("codemod", total=total)
        self._bar.start()

    def advance(self, _result: object) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)
