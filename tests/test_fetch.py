"""The safe fetcher against a real local server: address checks, limits, redirects, errors."""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import unquote

import aiohttp
import pytest
from yarl import URL

from bot.config import load_settings
from bot.core.errors import (
    BlockedAddressError,
    ConnectError,
    CredentialsInURLError,
    FetchError,
    ForbiddenError,
    HTTPStatusError,
    InvalidURLError,
    NotFoundError,
    PaywallError,
    TooLargeError,
    TooManyRedirectsError,
    UnsupportedContentTypeError,
)
from bot.core.fetch.fetcher import (
    _PINNED,
    FetchPolicy,
    SafeFetcher,
    SystemResolver,
    _Hop,
    _PinnedResolver,
    origin,
)
from bot.core.models import FetchedPage
from tests.servers.article_server import (
    ARTICLE_LAST_PHRASE,
    ARTICLE_TITLE,
    PDF_BYTES,
    PLAIN_LAST_PHRASE,
    ArticleServer,
)
from tests.servers.proxy_server import ProxyServer

LOCAL = FetchPolicy(allow_private_networks=True)
PUBLIC_IP = "93.184.215.14"  # a public address the test "network" routes to the local server
DEAD_IP = "93.184.215.99"  # a public address with nothing behind it


class MapResolver:
    """A resolver with fixed answers that records every look-up."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.calls: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.names:
            raise ConnectError(f"Could not resolve the host {host}.")
        return list(self.names[host])


class RebindingResolver(MapResolver):
    """Answers a public address first and loopback afterwards, like a DNS-rebinding attack."""

    async def resolve(self, host: str, port: int) -> list[str]:
        first = not self.calls
        await super().resolve(host, port)
        return [PUBLIC_IP] if first else ["127.0.0.1"]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Internet:
    """Plays the internet as the fetcher's `route`: PUBLIC_IP is the local server, DEAD_IP is
    down; records each checked address handed over for dialling, in order."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dead_port = closed_port()
        self.dialled: list[str] = []

    def route(self, address: str, port: int) -> tuple[str, int]:
        self.dialled.append(address)
        if address == PUBLIC_IP:
            return "127.0.0.1", self.port
        assert address == DEAD_IP, f"the fetcher was about to dial {address}"
        return "127.0.0.1", self.dead_port


async def fetch(
    url: str, policy: FetchPolicy = LOCAL, resolver: MapResolver | None = None
) -> FetchedPage:
    """One fetch with a fresh fetcher."""
    async with SafeFetcher(policy, resolver=resolver) as fetcher:
        return await fetcher.fetch(url)


def public_fetcher(
    server: ArticleServer, resolver: MapResolver, internet: Internet | None = None
) -> SafeFetcher:
    """A fetcher that forbids private networks, on a network where PUBLIC_IP is the server."""
    route = (internet or Internet(server.port)).route
    return SafeFetcher(FetchPolicy(), resolver=resolver, route=route)


# --- success --------------------------------------------------------------------------------


async def test_fetches_an_html_article(article_server: ArticleServer) -> None:
    async with SafeFetcher(LOCAL) as fetcher:
        page = await fetcher.fetch(article_server.url("/article"))
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.url == page.final_url == article_server.url("/article")
    assert page.charset == "utf-8"
    assert page.text is not None
    assert ARTICLE_TITLE in page.text
    assert ARTICLE_LAST_PHRASE in page.text
    assert page.body.decode() == page.text


async def test_sends_browser_like_headers_and_never_cookies(
    article_server: ArticleServer,
) -> None:
    cookie = {"Set-Cookie": "session=secret; Path=/", "Location": "/headers"}
    article_server.add_page("/set-cookie", b"", None, status=302, headers=cookie)
    async with SafeFetcher(LOCAL) as fetcher:
        pages = [await fetcher.fetch(article_server.url(p)) for p in ("/set-cookie", "/headers")]
    for page in pages:  # the cookie set on the way was neither kept in the chain nor later
        assert page.text is not None
        headers = {name.lower(): value for name, value in json.loads(page.text).items()}
        assert headers["user-agent"] == LOCAL.user_agent
        assert "text/html" in headers["accept"]
        assert headers["accept-language"]
        assert headers["accept-encoding"] == "gzip, deflate"
        assert headers["host"] == f"127.0.0.1:{article_server.port}"
        assert "cookie" not in headers


async def test_plain_text_and_pdf(article_server: ArticleServer) -> None:
    async with SafeFetcher(LOCAL) as fetcher:
        plain = await fetcher.fetch(article_server.url("/plain"))
        pdf = await fetcher.fetch(article_server.url("/pdf"))
        octet_pdf = await fetcher.fetch(article_server.url("/octet-pdf"))
    assert plain.content_type == "text/plain"
    assert plain.text is not None
    assert PLAIN_LAST_PHRASE in plain.text
    for page in (pdf, octet_pdf):
        assert page.content_type == "application/pdf"
        assert page.body == PDF_BYTES
        assert page.text is None
        assert page.charset is None


async def test_sniffs_html_without_content_type(article_server: ArticleServer) -> None:
    body = b"<!DOCTYPE html><html><body><p>No type header here.</p></body></html>"
    article_server.add_page("/untyped", body, None)
    article_server.add_page("/octet-html", body, "application/octet-stream")
    async with SafeFetcher(LOCAL) as fetcher:
        for path in ("/untyped", "/octet-html"):
            page = await fetcher.fetch(article_server.url(path))
            assert page.content_type == "text/html"
            assert page.text == body.decode()


async def test_follows_redirects_up_to_the_limit(article_server: ArticleServer) -> None:
    async with SafeFetcher(FetchPolicy(allow_private_networks=True, max_redirects=3)) as fetcher:
        page = await fetcher.fetch(article_server.url("/redirect/3"))
        assert page.final_url == article_server.url("/article")
        assert page.url == article_server.url("/redirect/3")
        with pytest.raises(TooManyRedirectsError):
            await fetcher.fetch(article_server.url("/redirect/4"))
    # The refused chain stopped at the limit: 4 hops of /redirect/4 asked, /article never.
    asked = [seen.path for seen in article_server.requests]
    assert asked[4:] == ["/redirect/4", "/redirect/3", "/redirect/2", "/redirect/1"]


async def test_a_connection_is_reused_for_the_same_host_name_only(
    article_server: ArticleServer,
) -> None:
    resolver = MapResolver({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
    async with SafeFetcher(LOCAL, resolver=resolver) as fetcher:
        await fetcher.fetch(article_server.url("/article", host="a.test"))
        await fetcher.fetch(article_server.url("/redirect/2", host="a.test"))
        assert (article_server.connections, len(article_server.requests)) == (1, 4)
        # Same address, another name: a connection of its own (TLS is verified per name).
        await fetcher.fetch(article_server.url("/article", host="b.test"))
    assert (article_server.connections, len(article_server.requests)) == (2, 5)
    # Every hop was still resolved and checked, pooled connection or not.
    assert [host for host, _ in resolver.calls] == ["a.test"] * 4 + ["b.test"]


async def test_a_connection_left_mid_body_is_closed_not_reused(
    article_server: ArticleServer,
) -> None:
    async with SafeFetcher(LOCAL) as fetcher:
        with pytest.raises(TooLargeError):
            await fetcher.fetch(article_server.url("/huge"))  # refused before its body
        await fetcher.fetch(article_server.url("/article"))
    assert article_server.connections == 2


async def test_proxies_of_the_environment_are_never_used(
    article_server: ArticleServer, proxy_server: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would resolve names itself, past every address check.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy_server.url)
    page = await fetch(article_server.url("/article"))
    assert page.status == 200
    assert proxy_server.seen == []
    assert article_server.connections == 1


async def test_settings_make_the_policy() -> None:
    settings = load_settings(
        fetch_allow_private_networks=True, fetch_timeout_s=3.5, fetch_max_bytes=2048
    )
    policy = settings.service_config().fetch
    assert policy == FetchPolicy(
        allow_private_networks=True,
        timeout_s=3.5,
        max_bytes=2048,
        trusted_origins=frozenset({"https://t.me:443"}),  # TELEGRAM_WEB_BASE_URL's
    )


# --- blocked addresses are never contacted --------------------------------------------------


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"]
)
async def test_loopback_in_any_spelling_is_never_contacted(
    article_server: ArticleServer, host: str
) -> None:
    with pytest.raises(BlockedAddressError) as caught:
        await fetch(article_server.url("/article", host=host), FetchPolicy())
    assert article_server.connections == 0
    assert caught.value.code == "fetch.blocked_address"


async def test_localhost_through_the_system_resolver_is_blocked(
    article_server: ArticleServer,
) -> None:
    assert "127.0.0.1" in await SystemResolver().resolve("localhost", 80)
    with pytest.raises(BlockedAddressError):
        await fetch(article_server.url("/article", host="localhost"), FetchPolicy())
    assert article_server.connections == 0


async def test_a_name_with_any_private_address_is_blocked(article_server: ArticleServer) -> None:
    resolver = MapResolver({"news.test": [PUBLIC_IP, "10.0.0.5"]})
    async with public_fetcher(article_server, resolver) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(article_server.url("/article", host="news.test"))
    assert article_server.connections == 0


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/admin",
        "http://0x7f.1:{port}/admin",
        "http://127.0.0.1:{port}/admin",  # the page exists: only the check keeps it unread
    ],
)
async def test_a_redirect_to_a_private_address_stops_before_contacting_it(
    article_server: ArticleServer, target: str
) -> None:
    article_server.add_page("/admin", b"<html>secret</html>", "text/html")
    location = target.format(port=article_server.port)
    first = article_server.url(f"/redirect-to?url={location}", host="news.test")
    async with public_fetcher(article_server, MapResolver({"news.test": [PUBLIC_IP]})) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(first)
    assert article_server.connections == 1
    # (the query reaches the server percent-encoded: [ and ] are not allowed in it as is)
    assert [unquote(seen.path) for seen in article_server.requests] == [
        f"/redirect-to?url={location}"
    ]


async def test_a_trusted_origin_is_reached_on_a_private_address_and_nothing_else(
    article_server: ArticleServer,
) -> None:
    trusted = FetchPolicy(trusted_origins=frozenset({origin(article_server.url("/"))}))
    page = await fetch(article_server.url("/article"), trusted)
    assert page.status == 200
    other_port = f"http://127.0.0.1:{article_server.port + 1}/article"
    away = article_server.url(f"/redirect-to?url={other_port}")
    for url in (article_server.url("/article", host="localhost"), other_port, away):
        with pytest.raises(BlockedAddressError):
            await fetch(url, trusted)
    assert [seen.path.partition("?")[0] for seen in article_server.requests] == [
        "/article",
        "/redirect-to",  # the trusted origin's redirect is followed no further
    ]


async def test_credentials_in_a_link_are_refused_before_any_connection(
    article_server: ArticleServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.core.fetch")
    with_credentials = f"http://alice:s3cr3t@127.0.0.1:{article_server.port}/headers"
    redirect = article_server.add_page("/moved", b"", None, 302, {"Location": with_credentials})
    async with SafeFetcher(LOCAL) as fetcher:
        with pytest.raises(CredentialsInURLError):
            await fetcher.fetch(with_credentials)  # aiohttp would send them as Basic auth
        assert article_server.connections == 0
        with pytest.raises(CredentialsInURLError):
            await fetcher.fetch(redirect)  # a redirect hop is checked like the first
    assert [seen.path for seen in article_server.requests] == ["/moved"]
    assert "s3cr3t" not in caplog.text


async def test_dns_is_resolved_once_per_hop_and_the_checked_ip_is_dialled(
    article_server: ArticleServer,
) -> None:
    resolver = RebindingResolver({"news.test": []})
    internet = Internet(article_server.port)
    async with public_fetcher(article_server, resolver, internet) as fetcher:
        page = await fetcher.fetch(article_server.url("/article", host="news.test"))
    assert page.status == 200
    # One look-up; the second (rebinding) answer was never asked for, let alone used.
    assert resolver.calls == [("news.test", article_server.port)]
    assert internet.dialled == [PUBLIC_IP]
    assert article_server.requests[0].host == f"news.test:{article_server.port}"


async def test_a_redirect_chain_resolves_each_hop_once(article_server: ArticleServer) -> None:
    resolver = MapResolver({"news.test": [PUBLIC_IP]})
    async with public_fetcher(article_server, resolver) as fetcher:
        await fetcher.fetch(article_server.url("/redirect/2", host="news.test"))
    assert resolver.calls == [("news.test", article_server.port)] * 3
    assert {seen.host for seen in article_server.requests} == {f"news.test:{article_server.port}"}
    # The second rebinding answer is loopback: the next hop is refused, not dialled.
    rebinding = RebindingResolver({"news.test": []})
    async with public_fetcher(article_server, rebinding) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(article_server.url("/redirect/2", host="news.test"))
    assert len(rebinding.calls) == 2
    assert article_server.connections == 2  # one per fetcher: a chain's hops share it


async def test_the_next_checked_address_is_tried_when_one_is_down(
    article_server: ArticleServer,
) -> None:
    resolver = MapResolver({"news.test": [DEAD_IP, PUBLIC_IP], "down.test": [DEAD_IP]})
    internet = Internet(article_server.port)
    async with public_fetcher(article_server, resolver, internet) as fetcher:
        page = await fetcher.fetch(article_server.url("/article", host="news.test"))
        assert page.status == 200
        with pytest.raises(ConnectError):
            await fetcher.fetch("http://down.test/")
    assert internet.dialled == [DEAD_IP, PUBLIC_IP, DEAD_IP]
    assert article_server.connections == 1  # only PUBLIC_IP answered


async def test_the_pinned_resolver_answers_only_for_the_hop_in_flight() -> None:
    resolver = _PinnedResolver(lambda address, port: (address, port))
    with pytest.raises(OSError, match="No checked address"):
        await resolver.resolve("news.test", 80)  # nothing in flight: refuse, never look up
    token = _PINNED.set(_Hop(URL("http://news.test/"), (PUBLIC_IP, "::2")))
    try:
        answer = await resolver.resolve("news.test", 80)
        for other in [("other.test", 80), ("news.test", 8080)]:
            with pytest.raises(OSError, match="No checked address"):
                await resolver.resolve(*other)
    finally:
        _PINNED.reset(token)
    assert [(a["host"], a["port"], a["family"]) for a in answer] == [
        (PUBLIC_IP, 80, socket.AF_INET),
        ("::2", 80, socket.AF_INET6),
    ]


# --- refusals and errors --------------------------------------------------------------------


async def test_unknown_octet_stream_is_refused(article_server: ArticleServer) -> None:
    article_server.add_page("/blob", bytes(range(256)) * 8, "application/octet-stream")
    with pytest.raises(UnsupportedContentTypeError) as caught:
        await fetch(article_server.url("/blob"))
    assert caught.value.details == {"content_type": "application/octet-stream"}


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, NotFoundError),
        (410, NotFoundError),
        (401, ForbiddenError),
        (403, ForbiddenError),
        (402, PaywallError),
        (451, PaywallError),
        (400, HTTPStatusError),
        (429, HTTPStatusError),
        (500, HTTPStatusError),
        (503, HTTPStatusError),
    ],
)
async def test_error_statuses_map_to_typed_errors(
    article_server: ArticleServer, status: int, error: type[HTTPStatusError]
) -> None:
    with pytest.raises(error) as caught:
        await fetch(article_server.url(f"/status/{status}"))
    assert type(caught.value) is error
    assert caught.value.details == {"status": status}


async def test_unreachable_and_unresolvable_hosts_are_connect_errors() -> None:
    with pytest.raises(ConnectError) as caught:
        await fetch(f"http://127.0.0.1:{closed_port()}/")
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    with pytest.raises(ConnectError):
        await fetch("http://nowhere.test/", resolver=MapResolver({}))
    with pytest.raises(ConnectError):
        await fetch("http://empty.test/", resolver=MapResolver({"empty.test": []}))


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "no url"])
async def test_invalid_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidURLError):
        await fetch(url)


async def test_a_redirect_to_another_scheme_is_refused(article_server: ArticleServer) -> None:
    with pytest.raises(InvalidURLError):
        await fetch(article_server.url("/redirect-to?url=file:///etc/passwd"))


async def test_every_error_message_is_one_short_sentence(article_server: ArticleServer) -> None:
    paths = ["/status/404", "/status/500", "/binary", "/huge", "/redirect/9"]
    async with SafeFetcher(FetchPolicy(True, max_redirects=2)) as fetcher:
        for path in paths:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(article_server.url(path))
            message = str(caught.value)
            assert message.endswith(".")
            assert message.count(". ") == 0
            assert len(message) < 100
