"""The safe fetcher: the only door from the bot to the web.

Every hop of a redirect chain is resolved once, checked against private and special-purpose
networks, and then connected to exactly that checked address, so DNS rebinding cannot slip a
private address in between. Bodies are streamed under a size limit counted after decompression,
and the whole fetch runs under one deadline.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import zlib
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Protocol, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from bot.core.addresses import is_blocked_address, parse_ip_host
from bot.core.charset import decode_text
from bot.core.errors import (
    BlockedAddressError,
    ConnectError,
    FetchError,
    FetchTimeoutError,
    ForbiddenError,
    HTTPStatusError,
    InvalidURLError,
    NotFoundError,
    PaywallError,
    TooLargeError,
    TooManyRedirectsError,
    UnsupportedContentTypeError,
)
from bot.core.models import FetchedPage

if TYPE_CHECKING:
    from types import TracebackType

    from bot.config import Settings

logger = logging.getLogger(__name__)


TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
PDF_TYPE = "application/pdf"
# Media types that say nothing about the content, so the first bytes decide.
_SNIFFED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SNIFF_BYTES = 1024


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
    timeout_s: float = 20.0  # the whole fetch: every hop, headers and body
    max_bytes: int = 10 * 1024 * 1024  # decoded body
    max_redirects: int = 5
    user_agent: str = (
        "Mozilla/5.0 (compatible; summarybot/0.1; +https://github.com/summarybot/summarybot)"
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The policy configured by FETCH_* settings."""
        return cls(
            allow_private_networks=settings.fetch_allow_private_networks,
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
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


def parse_url(url: str) -> httpx.URL:
    """An absolute http(s) URL, with any numeric IPv4 spelling of its host made canonical."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError("That is not a valid web address.") from exc
    if parts.scheme.lower() not in {"http", "https"} or not host:
        raise InvalidURLError("Only http and https links can be fetched.")
    ip = parse_ip_host(host)
    if isinstance(ip, ipaddress.IPv4Address):
        userinfo, at, _ = parts.netloc.rpartition("@")
        netloc = f"{userinfo}{at}{ip}" + (f":{port}" if port is not None else "")
        parts = parts._replace(netloc=netloc)
    try:
        return httpx.URL(urlunsplit(parts))
    except httpx.InvalidURL as exc:
        raise InvalidURLError("That is not a valid web address.") from exc


# --- bodies ---------------------------------------------------------------------------------


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _sniff(head: bytes) -> str | None:
    """The media type the first bytes show: PDF or HTML, else None."""
    if head.startswith(b"%PDF-"):
        return PDF_TYPE
    lower = head.lower()
    if b"<html" in lower or lower.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<!doctype html"):
        return "text/html"
    return None


class _BoundedInflater:
    """Undoes Content-Encoding chunk by chunk, never producing more than `limit` bytes."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise FetchError(f"The site used an unsupported content encoding {content_encoding}.")
        self._coding = codings[0] if codings else None
        gzip_wbits = 16 + zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(gzip_wbits if self._coding != "deflate" else 15)
        self._limit = limit
        self.produced = 0

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of `chunk`; TooLargeError as soon as the limit is passed."""
        if self._coding is None:
            out = chunk
        else:
            # max_length bounds each inflation: a 10 KB gzip chunk may hold 10 MB of zeros.
            out = self._inflate(chunk, self._limit - self.produced + 1)
        self.produced += len(out)
        if self.produced > self._limit:
            raise _too_large(self._limit)
        return out

    def _inflate(self, chunk: bytes, budget: int) -> bytes:
        try:
            return self._inflater.decompress(chunk, budget)
        except zlib.error:
            if self._coding == "deflate" and self.produced == 0:
                # Many servers send raw deflate although the standard says zlib-wrapped.
                self._coding, self._inflater = "raw", zlib.decompressobj(-zlib.MAX_WBITS)
                return self._inflate(chunk, budget)
            raise FetchError("The page's compressed body is corrupt.") from None


def _too_large(limit: int) -> TooLargeError:
    megabytes = round(limit / (1024 * 1024), 1)
    limit_mb = int(megabytes) if megabytes.is_integer() else megabytes
    return TooLargeError("The page is larger than the size limit.", limit_mb=limit_mb)


def _unsupported(media_type: str) -> UnsupportedContentTypeError:
    shown = media_type[:80] or "unknown"  # a header is no place for an essay
    return UnsupportedContentTypeError(
        f"The page is of type {shown}, not HTML, text or PDF.", content_type=shown
    )


# --- the fetcher ----------------------------------------------------------------------------


def _status_error(status: int) -> HTTPStatusError:
    """The typed error for an HTTP error status."""
    if status in (404, 410):
        return NotFoundError(f"The page was not found ({status}).", status=status)
    if status in (401, 403):
        return ForbiddenError(f"The site refused access ({status}).", status=status)
    if status in (402, 451):
        return PaywallError(f"The page is behind a paywall ({status}).", status=status)
    return HTTPStatusError(f"The site answered with status {status}.", status=status)


@dataclass(frozen=True)
class _Hop:
    """One request of a redirect chain: the URL as asked and the checked addresses to dial."""

    url: httpx.URL
    addresses: tuple[str, ...]


class SafeFetcher:
    """Fetches web pages under a FetchPolicy; see the module docstring for the guarantees."""

    def __init__(
        self,
        policy: FetchPolicy,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver or SystemResolver()
        # No keep-alive: a pooled TLS connection is keyed by IP, not by the name it verified.
        # No proxies from the environment: a proxy would resolve names itself, unchecked.
        # No cookies: they would leak from one user's fetch into another's.
        self._client = httpx.AsyncClient(
            transport=transport
            or httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)),
            timeout=httpx.Timeout(policy.timeout_s),
            follow_redirects=False,
            trust_env=False,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            headers={**_BASE_HEADERS, "User-Agent": policy.user_agent},
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
        """Close the connection pool."""
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchedPage:
        """GET `url`, following redirects, and return the checked, decoded page."""
        try:
            async with asyncio.timeout(self._policy.timeout_s):
                return await self._fetch(url)
        except TimeoutError as exc:
            raise FetchTimeoutError("The site took too long to answer.") from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeoutError("The site took too long to answer.") from exc
        except httpx.ConnectError as exc:
            raise ConnectError("The site could not be reached.") from exc
        except httpx.InvalidURL as exc:
            raise InvalidURLError("That is not a valid web address.") from exc
        except httpx.HTTPError as exc:
            raise FetchError("The connection to the site failed.") from exc

    async def _fetch(self, url: str) -> FetchedPage:
        current = parse_url(url)
        for redirects in range(self._policy.max_redirects + 1):
            hop = await self._check(current)
            response = await self._send(hop)
            try:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECT_STATUSES or not location:
                    return await self._read(url, str(current), response)
            finally:
                await response.aclose()
            logger.debug("redirect %d: %s -> %s", redirects + 1, current, location)
            current = parse_url(urljoin(str(current), location))
        raise TooManyRedirectsError(
            f"The link redirects more than {self._policy.max_redirects} times."
        )

    async def _check(self, url: httpx.URL) -> _Hop:
        """Resolve the host once and refuse it when any of its addresses is forbidden."""
        host = url.raw_host.decode("ascii")
        literal = parse_ip_host(host)
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = [str(literal)] if literal else await self._resolver.resolve(host, port)
        if not addresses:
            raise ConnectError(f"The host {host} has no address.")
        blocked = [a for a in addresses if is_blocked_address(a)]
        if blocked and not self._policy.allow_private_networks:
            logger.debug("refused %s: %s is a private or special address", host, blocked[0])
            raise BlockedAddressError(f"The host {host} points to a private or local network.")
        return _Hop(url, tuple(addresses))

    async def _send(self, hop: _Hop) -> httpx.Response:
        """GET the hop from its checked addresses in turn until one of them answers."""
        *others, last = hop.addresses
        for address in others:
            try:
                return await self._client.send(self._request(hop.url, address), stream=True)
            except httpx.ConnectError:
                logger.debug("could not connect to %s via %s", hop.url, address)
        return await self._client.send(self._request(hop.url, last), stream=True)

    def _request(self, url: httpx.URL, address: str) -> httpx.Request:
        """A GET to exactly `address` that still names the real host to the server and TLS."""
        host = url.raw_host.decode("ascii")
        logger.debug("GET %s via %s", url, address)
        return self._client.build_request(
            "GET",
            url.copy_with(host=address.split("%", 1)[0]),
            headers={"Host": url.netloc.decode("ascii")},
            extensions={"sni_hostname": host} if url.scheme == "https" else {},
        )

    async def _read(self, asked: str, final: str, response: httpx.Response) -> FetchedPage:
        """Check status, size and type, then stream the body under the size limit."""
        status = response.status_code
        if status >= 300:
            raise _status_error(status)
        header = response.headers.get("content-type")
        media_type = _media_type(header)
        if media_type not in TEXT_TYPES | {PDF_TYPE} | _SNIFFED_TYPES:
            raise _unsupported(media_type)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._policy.max_bytes:
            raise _too_large(self._policy.max_bytes)
        inflater = _BoundedInflater(
            response.headers.get("content-encoding", ""), self._policy.max_bytes
        )
        body = bytearray()
        async for chunk in response.aiter_raw():
            body += inflater.feed(chunk)
            if media_type in _SNIFFED_TYPES and len(body) >= _SNIFF_BYTES:
                media_type = self._sniffed(bytes(body[:_SNIFF_BYTES]), media_type)
        if media_type in _SNIFFED_TYPES:
            media_type = self._sniffed(bytes(body[:_SNIFF_BYTES]), media_type)
        logger.debug("read %s: %s, %d bytes", final, media_type, len(body))
        page = FetchedPage(asked, final, status, media_type, bytes(body))
        if media_type == PDF_TYPE:
            return page
        text, charset = decode_text(page.body, header)
        return FetchedPage(asked, final, status, media_type, page.body, text, charset)

    @staticmethod
    def _sniffed(head: bytes, declared: str) -> str:
        """The media type the body's first bytes show; refuse what is neither HTML nor PDF."""
        sniffed = _sniff(head[:_SNIFF_BYTES])
        if sniffed is None:
            raise _unsupported(declared)
        return sniffed
