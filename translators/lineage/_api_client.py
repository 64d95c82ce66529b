"""A small client for Airflow's REST API v2: bearer token, offset paging, retries."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx

from translators.lineage._errors import LineageImportError

__all__ = ["AirflowApiClient"]

_RETRY_STATUS = {429, 500, 502, 503, 504}


class AirflowApiClient:
    """GET JSON from ``{base}/api/v2/...`` with retries on connection errors and 429/5xx.

    Args:
        base_url: the Airflow API server (``http://host:8080``).
        token: a bearer token (Airflow 3: ``POST /auth/token``), or None.
        page_size: items per page (Airflow caps it at ``[api] maximum_page_limit``).
        retries: attempts after the first, with exponential backoff from ``backoff`` s.
    """

    def __init__(self, base_url: str, token: str | None = None, *, page_size: int = 100,
                 retries: int = 4, backoff: float = 0.2, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=f"{self.base_url}/api/v2", headers=headers,
                                 timeout=timeout)
        self.page_size = page_size
        self.retries = retries
        self.backoff = backoff
        #: requests sent, retries included (for tests and progress)
        self.requests = 0

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One JSON object; retried on connection errors, 429 and 5xx."""
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                response = self.http.get(path, params=params)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise LineageImportError(f"Airflow API {self.base_url} unreachable: "
                                             f"{exc}; is the API server running?") from exc
            else:
                if response.status_code not in _RETRY_STATUS or attempt == self.retries:
                    return self._json(response, path)
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, path: str, field: str, params: dict[str, Any] | None = None
              ) -> Iterator[list[dict[str, Any]]]:
        """Every page of a collection (``{field: [...], "total_entries": N}``)."""
        offset = 0
        while True:
            document = self.get(path, {**(params or {}), "limit": self.page_size,
                                       "offset": offset})
            items = document.get(field)
            if not isinstance(items, list):
                raise LineageImportError(f"Airflow API {self.base_url}{path}: the answer has "
                                         f"no {field!r} list; is this Airflow 3's API v2?")
            if items:
                yield items
            offset += len(items)
            if not items or offset >= int(document.get("total_entries") or 0):
                return

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def _json(self, response: httpx.Response, path: str) -> dict[str, Any]:
        where = f"Airflow API {self.base_url}/api/v2{path}"
        if response.status_code in (401, 403):
            raise LineageImportError(f"{where}: {response.status_code} "
                                     f"{response.reason_phrase}; pass a valid --token "
                                     "(Airflow 3: POST /auth/token)")
        if response.status_code >= 400:
            if "html" in response.headers.get("content-type", "") or response.status_code == 404:
                raise LineageImportError(
                    f"{where}: HTTP {response.status_code} {response.reason_phrase}; is "
                    f"{self.base_url} an Airflow 3 API server (REST API v2 under /api/v2)?")
            raise LineageImportError(f"{where}: HTTP {response.status_code} "
                                     f"{response.text[:200]!r}")
        try:
            document = response.json()
        except ValueError as exc:
            raise LineageImportError(f"{where}: the answer is not JSON; is this an Airflow "
                                     "API server?") from exc
        if not isinstance(document, dict):
            raise LineageImportError(f"{where}: expected a JSON object")
        return document
