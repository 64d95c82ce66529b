"""The Starlette application: state, templates, security headers and the route table."""

from __future__ import annotations

import contextlib
import datetime
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge._types import RunStatus
from bridge.storage import Store
from bridge.ui._catalog import Snapshot, take_snapshot
from bridge.ui._csrf import CsrfGuard
from bridge.ui._launch import Launcher
from bridge.ui._project import UiProject
from bridge.ui._svg import Drawing, draw

__all__ = ["UiState", "create_app", "render", "state_of"]

_HERE = Path(__file__).parent
#: seconds a computed status is reused at most
_STATUS_TTL = 5.0
#: runs compared to tell whether statuses may have changed
_TOKEN_RUNS = 20
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; "
                                 b"img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                 b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


@dataclass
class UiState:
    """Everything a request handler needs."""

    project: UiProject
    store: Store
    launcher: Launcher
    templates: jinja2.Environment
    csrf: CsrfGuard
    #: environment of assetbridge.toml whose resources launched runs use
    env: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _drawing: tuple[Any, Drawing] | None = None
    _snapshot: tuple[Any, float, Snapshot] | None = None
    def snapshot(self) -> Snapshot:
        """Statuses of every asset; reused while no run is in progress and none started or
        finished since (at most ``_STATUS_TTL`` seconds, for imports written without runs)."""
        token = _store_token(self.store)
        now = time.monotonic()
        cached = self._snapshot
        if (cached is not None and token is not None and cached[0] == token
                and now - cached[1] < _STATUS_TTL):
            return cached[2]
        snapshot = take_snapshot(self.project, self.store)
        self._snapshot = None if token is None else (token, now, snapshot)
        return snapshot

    def drawing(self, snapshot: Snapshot) -> Drawing:
        """The laid-out graph; recomputed only when the imported catalog changes shape."""
        signature = snapshot.signature()
        with self._lock:
            if self._drawing is None or self._drawing[0] != signature:
                self._drawing = (signature, draw(self.project, snapshot.catalog))
            return self._drawing[1]


def _store_token(store: Store) -> Any:
    """What changes when a run starts or ends; None while a run is in progress."""
    from bridge.runner._materialize import run_is_orphaned

    runs = store.list_runs(_TOKEN_RUNS)
    if any(run.status is RunStatus.RUNNING and not run_is_orphaned(run) for run in runs):
        return None
    return tuple((run.run_id, run.status.value, run.finished_at) for run in runs)


def state_of(request: Request) -> UiState:
    """The UI state of the app serving ``request``."""
    state: UiState = request.app.state.ui
    return state


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """Render a page (autoescaped) with the CSRF token, setting the CSRF cookie if new."""
    state = state_of(request)
    token, nonce = state.csrf.token_for(request)
    html = state.templates.get_template(template).render(
        request=request, csrf_token=token, targets=[s.target for s in state.project.sources],
        store_url=getattr(state.store, "url", type(state.store).__name__), **context)
    response = HTMLResponse(html, status_code)
    state.csrf.set_cookie(response, nonce)
    return response


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_HERE / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["asset_url"] = lambda key: "/assets/" + quote(str(key), safe="/")
    env.filters["quote"] = lambda text: quote(str(text), safe="")
    env.filters["when"] = _when
    env.filters["seconds"] = lambda s: "" if s is None else f"{s:.2f} s"
    return env


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


class _SecurityHeaders:
    """Adds CSP and friends to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(project: UiProject, store: Store, *, home: Path, host: str = "127.0.0.1",
               env: str | None = None) -> Starlette:
    """The web UI for ``project`` over ``store``; launched runs keep values under ``home``.

    Served on a loopback ``host``, only loopback Host headers are accepted (a web page
    cannot reach the UI through DNS rebinding).
    """
    from bridge.ui import _pages, _run_pages

    state = UiState(project, store, Launcher(store, home), _templates(), CsrfGuard(), env)
    routes = [
        *_pages.routes(),
        *_run_pages.routes(),
        Mount("/static", app=StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    allowed = list(_LOOPBACK) if host in _LOOPBACK else ["*"]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SecurityHeaders),
                    Middleware(TrustedHostMiddleware, allowed_hosts=allowed)],
        exception_handlers={404: _not_found},
        lifespan=_lifespan,
        max_body_size=1_000_000,
    )
    app.state.ui = state
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    state: UiState = app.state.ui
    # lay the graph out before the first visitor arrives (seconds for very large graphs)
    await run_in_threadpool(lambda: state.drawing(state.snapshot()))
    yield
    state.launcher.shutdown()


async def _not_found(request: Request, exc: Exception) -> HTMLResponse:
    detail = getattr(exc, "detail", None) or "no such page"
    if request.url.path.startswith("/static/"):
        return HTMLResponse("not found", 404)
    return render(request, "error.html", 404, title="not found", message=detail)


