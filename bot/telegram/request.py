"""python-telegram-bot's HTTP layer on aiohttp: one session, a bounded keep-alive pool, and
the proxy the environment names.

PTB's default HTTPXRequest spends ~1-2 ms of CPU per Bot API call in httpx + httpcore, which
made it one of the bot's largest costs under load; aiohttp does the same work for less.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
# Told the kind of each failed call ("rate_limited", "network"...): the metrics count them.
ErrorCallback = Callable[[str], None]
_ERROR_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    429: "rate_limited",
}


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on aiohttp with at most `connections` open at once."""

    __slots__ = (
        "_connect_timeout",
        "_connections",
        "_media_write_timeout",
        "_on_error",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connections: int,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._connections = connections
        self._on_error = on_error
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when PTB passes none (getUpdates adds its poll time to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown); aiohttp wants a running loop for it."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
                # HTTPS_PROXY, HTTP_PROXY and NO_PROXY: some deployments reach Telegram only
                # through a proxy. (The page fetcher ignores them: it must dial checked addresses.)
                trust_env=True,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns (HTTP status, body). Raises TimedOut or NetworkError."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        uploads = request_data is not None and request_data.contains_files
        default_write = self._media_write_timeout if uploads else self._write_timeout
        timeout = _client_timeout(
            _given(connect_timeout, self._connect_timeout),
            _given(read_timeout, self._read_timeout),
            _given(write_timeout, default_write),
            _given(pool_timeout, self._pool_timeout),
        )
        data, headers = _body(request_data)
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts (pool wait included) subclass it
            self._failed("timeout")
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            self._failed("network")
            raise NetworkError(_describe(exc)) from exc
        if status >= 400:
            self._failed(_ERROR_KINDS.get(status, "server_error" if status >= 500 else "other"))
        return status, body

    def _failed(self, kind: str) -> None:
        if self._on_error is not None:
            self._on_error(kind)


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """PTB's "not passed" marker means this object's default; None means no limit."""
    return default if isinstance(value, DefaultValue) else value


@functools.lru_cache(maxsize=64)  # a handful of combinations recur on every call
def _client_timeout(
    connect: float | None, read: float | None, write: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """PTB's four timeouts in aiohttp's terms."""
    # aiohttp's `connect` covers waiting for a pooled connection plus opening one. It has no
    # write timeout, and its read timer starts before the body is sent, so the write allowance
    # is added to the read one (else a slow upload would time out as a read).
    return aiohttp.ClientTimeout(
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=None if read is None or write is None else read + write,
    )


def _body(
    request_data: RequestData | None,
) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    """The request body: a form like PTB's own (multipart only when it carries files)."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return urlencode(request_data.json_parameters).encode(), FORM_HEADERS
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None


def _describe(exc: aiohttp.ClientError) -> str:
    """The error without the URL, which holds the bot token."""
    # Connection errors name only host and port; others (e.g. InvalidURL) may quote the URL.
    if isinstance(exc, aiohttp.ClientConnectionError):
        return f"aiohttp.{type(exc).__name__}: {exc}"
    return f"aiohttp.{type(exc).__name__}"
