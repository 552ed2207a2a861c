"""JSON over HTTP to the trivia API: one request in, parsed JSON or an SDK error out.

Logs method, path, status and duration at debug level; never headers or bodies, which carry
tokens and passwords.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

from clients.sdk.errors import ApiError, TransportError, api_error_from_response

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10)
DEFAULT_CONNECTION_LIMIT = 100


def new_session(
    timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
    connection_limit: int = DEFAULT_CONNECTION_LIMIT,
) -> aiohttp.ClientSession:
    """A session with a bounded connection pool; must be made inside a running event loop."""
    connector = aiohttp.TCPConnector(limit=connection_limit)
    return aiohttp.ClientSession(timeout=timeout, connector=connector)


class HttpTransport:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")

    async def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        token: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; return the parsed JSON body (``None`` when empty)."""
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        started = time.perf_counter()
        status, raw = await self._exchange(method, path, headers, data, params)
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.debug("%s %s -> %s in %.1f ms", method, path, status, elapsed_ms)
        if status >= 400:
            raise api_error_from_response(status, raw)
        return _parse_success(status, raw)

    async def _exchange(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        data: str | None,
        params: dict[str, str] | None,
    ) -> tuple[int, bytes]:
        url = self._base_url + path
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, params=params
            ) as response:
                return response.status, await response.read()
        except TimeoutError:
            raise TransportError(f"{method} {path} timed out", code="timeout") from None
        except aiohttp.ClientError as exc:
            raise TransportError(f"{method} {path} failed: {exc}") from None


def _parse_success(status: int, raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(status, "invalid_response", "the API answered with non-JSON") from None
