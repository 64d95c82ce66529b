"""The ``assetbridge`` command group and its error policy: one line on stderr, non-zero exit,
a traceback only with ``--debug``. Heavy modules are imported inside commands so that
``assetbridge --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

__all__ = ["CommandFailed", "cli", "emit_json"]


class CommandFailed(click.ClickException):
    """A command finished but reports failure (exit 1, one-line reason)."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class _BridgeGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            from bridge.errors import BridgeError, RunInterruptedError

            if isinstance(exc, RunInterruptedError):
                click.echo(f"error: {exc}", err=True)
                sys.exit(130)
            if isinstance(exc, BridgeError):
                raise CommandFailed(str(exc).splitlines()[0]) from exc
            raise CommandFailed(f"{type(exc).__name__}: {exc} (re-run with --debug for the "
                                "traceback)") from exc


@click.group(cls=_BridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="assetbridge")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """assetbridge: develop, test and understand Airflow pipelines as data assets.

    \b
    Quick start:
      assetbridge run examples/quickstart/assets.py      materialize every asset
      assetbridge status examples/quickstart/assets.py   is each asset up to date, and why not
      assetbridge plan examples/quickstart/assets.py --select daily_revenue

    State (run history, stored values) lives in ./.assetbridge, or $ASSETBRIDGE_HOME, or
    the store given with --store URL.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def emit_json(document: Any) -> None:
    """Print a machine-readable document on stdout."""
    click.echo(json.dumps(document, indent=2, sort_keys=False, default=str))
