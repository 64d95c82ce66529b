"""CSRF guard for the UI's POST forms: a signed double-submit cookie.

The cookie holds a random nonce; each form carries ``HMAC(secret, nonce)``. A cross-site
page can neither read the cookie nor compute the signature (the secret lives only in the
server process), so it cannot forge a launch. An ``Origin`` header, when sent, must also
name this server.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["COOKIE", "CsrfGuard"]

#: name of the cookie that holds the nonce
COOKIE = "assetbridge_csrf"


class CsrfGuard:
    """Issues and checks form tokens for one server process."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def token_for(self, request: Request) -> tuple[str, str | None]:
        """The form token for ``request``, and a new nonce to set as cookie (or None)."""
        nonce = request.cookies.get(COOKIE)
        fresh = None
        if not nonce or len(nonce) > 128:
            nonce = fresh = secrets.token_urlsafe(24)
        return self._sign(nonce), fresh

    def set_cookie(self, response: Response, nonce: str | None) -> None:
        """Set the nonce cookie when a new one was made."""
        if nonce is not None:
            response.set_cookie(COOKIE, nonce, httponly=True, samesite="strict", path="/")

    def valid(self, request: Request, token: object) -> bool:
        """True when ``token`` signs the request's cookie nonce and the origin is ours."""
        nonce = request.cookies.get(COOKIE)
        if not nonce or not isinstance(token, str):
            return False
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            return False
        return hmac.compare_digest(self._sign(nonce), token)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()
