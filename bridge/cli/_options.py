"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["config_option", "env_option", "json_option", "select_option", "store_option"]

F = TypeVar("F", bound=Callable[..., Any])

store_option = click.option(
    "--store", "store_url", metavar="URL",
    help="Run storage URL (sqlite:///runs.db, postgresql://...); default "
         "$ASSETBRIDGE_HOME/runs.db ($ASSETBRIDGE_HOME defaults to ./.assetbridge).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
select_option = click.option(
    "--select", "-s", "selection", metavar="SEL",
    help="Assets to include: key, +key (with upstream), key+ (with downstream), group:NAME, "
         "tag:K=V; comma-separated.",
)
env_option = click.option(
    "--env", "env", metavar="NAME",
    help="Environment from assetbridge.toml whose resources to use (default: default_env).",
)
config_option = click.option(
    "--config", "config", metavar="FILE|JSON",
    help='Run config per asset key, as inline JSON (\'{"asset": {"field": 1}}\') or a '
         "JSON/YAML/TOML file.",
)
