"""The safe fetcher: the only door from the bot to the web.

Every hop of a redirect chain is resolved once, checked against private and special-purpose
networks, and then connected to exactly those checked addresses, so DNS rebinding cannot slip a
private address in between. Bodies are streamed under a size limit counted both on the wire and
after decompression, reading stops at the end of a compressed stream, and the whole fetch runs
under one deadline.

aiohttp carries the requests. The URL keeps the real host name (for the Host header, SNI and
certificate checks); the addresses it connects to come from `_PinnedResolver`, which answers
only with the addresses `_check` approved for the hop in flight and refuses any other name.
Connections are kept alive per host name, so a pooled one always leads to an address that was
checked for that name, and each hop is checked again before it is sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.core.errors import (
    BlockedAddressError,
    ConnectError,
    CredentialsInURLError,
    FetchError,
    FetchTimeoutError,
    InvalidURLError,
    TooManyRedirectsError,
)
from bot.core.fetch.addresses import is_blocked_address, parse_ip_host
from bot.core.fetch.body import BodyReader
from bot.core.models import FetchedPage
from bot.core.trace import stage

if TYPE_CHECKING:
    import ssl
    from types import TracebackType


logger = logging.getLogger(__name__)


_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What a host name may hold once yarl has lower-cased it and IDNA-encoded any Unicode.
_HOST_NAME = re.compile(r"[a-z0-9_.-]+")

# Where a checked (address, port) really is: the identity in production; tests map the
# public addresses they invent to local servers.
Route = Callable[[str, int], tuple[str, int]]


_BASE_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.5",
    "Accept-Language": "en-US,en;q=0.9,*;q=0.5",
    # Only encodings this module inflates itself under the size limit.
    "Accept-Encoding": "gzip, deflate",
}


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher may contact and how much it may read."""

    allow_private_networks: bool = False
    # Origins ("http://127.0.0.1:8080", see `origin`) reachable even on a private address: the
    # t.me base the operator set (the playground serves its own). Only that origin: a redirect
    # from it to another private address is refused as usual.
    trusted_origins: frozenset[str] = frozenset()
    timeout_s: float = 20.0  # the whole fetch: every hop, headers and body
    max_bytes: int = 10 * 1024 * 1024  # decoded body
    max_redirects: int = 5
    user_agent: str = (
        "Mozilla/5.0 (compatible; summarybot/0.1; +https://github.com/summarybot/summarybot)"
    )


class Resolver(Protocol):
    """Turns a host name into IP address strings; raises ConnectError when it cannot."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """All addresses of `host`, best first."""
        ...


class SystemResolver:
    """The operating system's resolver, through the event loop's getaddrinfo."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """All addresses of `host`, in the order getaddrinfo prefers."""
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise ConnectError(f"Could not resolve the host {host}.") from exc
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_url(url: str) -> URL:
    """An absolute http(s) URL without credentials, any numeric IPv4 host made canonical."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError("That is not a valid web address.") from exc
    if parts.scheme.lower() not in {"http", "https"} or not host:
        raise InvalidURLError("Only http and https links can be fetched.")
    if "@" in parts.netloc:
        # aiohttp would send them as Basic auth, and logs would show them.
        raise CredentialsInURLError("The link carries a user name or password.")
    ip = parse_ip_host(host)
    if isinstance(ip, ipaddress.IPv4Address):
        parts = parts._replace(netloc=str(ip) + (f":{port}" if port is not None else ""))
    try:
        parsed = URL(urlunsplit(parts))
    except ValueError as exc:
        raise InvalidURLError("That is not a valid web address.") from exc
    if ip is None and not _HOST_NAME.fullmatch(parsed.raw_host or ""):
        raise InvalidURLError("That is not a valid web address.")
    return parsed


def origin(url: str | URL) -> str:
    """A URL's scheme, host and port, the port always written: what `trusted_origins` holds."""
    parsed = URL(url) if isinstance(url, str) else url
    return f"{parsed.scheme}://{parsed.raw_host}:{parsed.port}"


# --- the fetcher ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hop:
    """One request of a redirect chain: the URL as asked and the checked addresses to dial."""

    url: URL
    addresses: tuple[str, ...]


# The hop the current task is sending: without a DNS cache aiohttp awaits the resolver in the
# request's own task, so `_PinnedResolver` sees the hop `_send` set.
_PINNED: ContextVar[_Hop | None] = ContextVar("summarybot_fetch_hop", default=None)


class _PinnedResolver(AbstractResolver):
    """aiohttp's resolver: the checked addresses of the hop in flight, and nothing else."""

    def __init__(self, route: Route) -> None:
        self._route = route

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The pinned hop's addresses; OSError (so ConnectError) for any other name or port."""
        hop = _PINNED.get()
        asked = (host.rstrip("."), port)
        if hop is None or asked != ((hop.url.raw_host or "").rstrip("."), hop.url.port):
            raise OSError(f"No checked address for {host}:{port}.")  # fail closed
        results = []
        for address in hop.addresses:
            ip, to = self._route(address, port)
            kind = socket.AF_INET6 if ":" in ip else socket.AF_INET
            results.append(
                ResolveResult(hostname=host, host=ip, port=to, family=kind, proto=0, flags=0)
            )
        return results

    async def close(self) -> None:
        """Nothing to release."""


class SafeFetcher:
    """Fetches web pages under a FetchPolicy; see the module docstring for the guarantees.

    `ssl_context` replaces the default trust and `route` says where a checked address really
    is (tests use both to play the internet); neither skips a check.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        resolver: Resolver | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        route: Route | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver or SystemResolver()
        # Keep-alive is safe: aiohttp pools connections by host name, port and TLS settings, so a
        # pooled connection goes to an address checked (and a certificate verified) for that
        # very name, and every hop is still resolved and checked before it is sent.
        # No DNS cache: each hop's checked answer is its own, never an earlier hop's.
        connector = aiohttp.TCPConnector(
            resolver=_PinnedResolver(route or (lambda address, port: (address, port))),
            use_dns_cache=False,
            ssl=ssl_context or True,
        )
        # No proxies from the environment: a proxy would resolve names itself, unchecked.
        # No cookies: they would leak from one user's fetch into another's.
        # No automatic inflation: _BoundedInflater does it under the size limit.
        # No aiohttp timeouts: fetch() holds the one deadline.
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={**_BASE_HEADERS, "User-Agent": policy.user_agent},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session and any connection still open."""
        await self._session.close()

    async def fetch(self, url: str) -> FetchedPage:
        """GET `url`, following redirects, and return the checked, decoded page."""
        try:
            with stage("fetch"):
                async with asyncio.timeout(self._policy.timeout_s):
                    return await self._fetch(url)
        except TimeoutError as exc:  # also aiohttp's own timeout errors
            raise FetchTimeoutError("The site took too long to answer.") from exc
        except aiohttp.ClientConnectorError as exc:  # DNS, refused, TLS and certificate errors
            raise ConnectError("The site could not be reached.") from exc
        except aiohttp.InvalidURL as exc:
            raise InvalidURLError("That is not a valid web address.") from exc
        except aiohttp.ClientError as exc:
            raise FetchError("The connection to the site failed.") from exc

    async def _fetch(self, url: str) -> FetchedPage:
        current = parse_url(url)
        for redirects in range(self._policy.max_redirects + 1):
            response = await self._send(await self._check(current))
            try:
                location = response.headers.get("Location")
                if response.status not in _REDIRECT_STATUSES or not location:
                    return await self._read(url, str(current), response)
            finally:
                # Back to the pool only when the body was read to its end; else it is closed.
                response.release()
            current_url, current = current, parse_url(urljoin(str(current), location))
            logger.debug("redirect %d: %s -> %s", redirects + 1, current_url, current)
        raise TooManyRedirectsError(
            f"The link redirects more than {self._policy.max_redirects} times."
        )

    async def _check(self, url: URL) -> _Hop:
        """Resolve the host once and refuse it when any of its addresses is forbidden."""
        host = url.raw_host or ""
        literal = parse_ip_host(host)
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = [str(literal)] if literal else await self._resolver.resolve(host, port)
        if not addresses:
            raise ConnectError(f"The host {host} has no address.")
        blocked = [a for a in addresses if is_blocked_address(a)]
        policy = self._policy
        if blocked and not (policy.allow_private_networks or origin(url) in policy.trusted_origins):
            logger.debug("refused %s: %s is a private or special address", host, blocked[0])
            raise BlockedAddressError(f"The host {host} points to a private or local network.")
        return _Hop(url, tuple(addresses))

    async def _send(self, hop: _Hop) -> aiohttp.ClientResponse:
        """GET the hop; aiohttp dials its checked addresses in turn until one answers.

        An IP-literal URL is dialled by aiohttp without a resolver: `_check` checked that IP.
        """
        logger.debug("GET %s via %s", hop.url, ", ".join(hop.addresses))
        token = _PINNED.set(hop)
        try:
            return await self._session.get(hop.url, allow_redirects=False)
        finally:
            _PINNED.reset(token)

    async def _read(self, asked: str, final: str, response: aiohttp.ClientResponse) -> FetchedPage:
        """Check status, size and type, then stream the body under the size limit."""
        headers = response.headers
        reader = BodyReader(
            response.status,
            headers.get("Content-Type"),
            headers.get("Content-Length"),
            headers.get("Content-Encoding"),
            self._policy.max_bytes,
        )
        async for chunk in response.content.iter_any():
            reader.feed(chunk)
            if reader.complete:
                break  # bytes after a compressed body are junk: unread, the connection closed
        return reader.page(asked, final)
