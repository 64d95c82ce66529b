"""``assetbridge ui``: the local web UI."""

from __future__ import annotations

import socket

import click

from bridge.cli._app import CommandFailed, cli
from bridge.cli._options import env_option, store_option

__all__ = ["ui_command"]


@cli.command("ui")
@click.argument("targets", nargs=-1, metavar="[TARGET...]")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; anything but loopback exposes the launchpad "
                   "(which runs code) to the network.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@env_option
@store_option
def ui_command(targets: tuple[str, ...], host: str, port: int, env: str | None,
               store_url: str | None) -> None:
    """Open the web UI: asset graph, asset pages, runs, backfills and a launchpad.

    TARGET is an asset module (file, folder or module) or Airflow DAG files / a DAGs folder,
    as for `assetbridge run`; give several to see them side by side. The UI reads and writes
    the same store as the CLI, and a run launched from it is an ordinary run.

    \b
    Example:
      assetbridge ui examples/quickstart/assets.py      then open http://127.0.0.1:3000
    """
    import importlib.util

    missing = [name for name in ("starlette", "uvicorn", "jinja2", "multipart")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise CommandFailed(f"the web UI needs {', '.join(missing)}: "
                            "pip install 'assetbridge[ui]'")
    import uvicorn

    from bridge.cli._session import home_dir, open_store_url
    from bridge.ui import create_app, load_project

    project = load_project(list(targets))
    store = open_store_url(store_url)
    app = create_app(project, store, home=home_dir(), host=host, env=env)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"assetbridge ui: {len(project.owner)} assets from "
               f"{len(project.sources)} target(s); store {store.url}", err=True)
    sock = _bind(host, port)
    click.echo(f"serving on http://{shown}:{sock.getsockname()[1]}  (Ctrl+C to stop)", err=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (so the URL printed is the real one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CommandFailed(f"cannot listen on {host}:{port}: {exc.strerror}; pick another "
                            "--port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
