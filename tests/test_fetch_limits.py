"""The fetcher's size, time and type limits against a real server: what it read, what it refused.

No test here measures time: each asserts the error raised, the bytes the server sent against
the limit, and whether the server saw the connection closed while it still had more to send.
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from bot.core.errors import (
    FetchError,
    FetchTimeoutError,
    TooLargeError,
    UnsupportedContentTypeError,
)
from bot.core.fetch.body import BodyReader
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher
from bot.core.models import FetchedPage
from tests.servers.article_server import (
    ARTICLE_HTML,
    BOMB_INFLATED_BYTES,
    JUNK_BYTES,
    ArticleServer,
)


async def fetch(url: str, policy: FetchPolicy) -> FetchedPage:
    """One fetch with a fresh fetcher."""
    async with SafeFetcher(policy) as fetcher:
        return await fetcher.fetch(url)


LOCAL = FetchPolicy(allow_private_networks=True)  # the test server is on 127.0.0.1


# --- size -----------------------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_refused_before_any_byte() -> None:
    with pytest.raises(TooLargeError) as caught:
        BodyReader(200, "text/html", str(1 << 30), None, max_bytes=1024 * 1024)
    assert caught.value.details == {"limit_mb": 1}


async def test_content_length_over_the_limit_closes_the_connection(
    article_server: ArticleServer,
) -> None:
    with pytest.raises(TooLargeError) as caught:
        await fetch(article_server.url("/huge"), LOCAL)
    assert caught.value.details == {"limit_mb": 10}
    # The server still had most of its gigabyte to send when the fetcher hung up.
    assert await article_server.wait_aborted("/huge")
    assert article_server.sent["/huge"] < 1 << 30


async def test_an_endless_body_is_aborted_at_the_limit(article_server: ArticleServer) -> None:
    limit = 200_000
    with pytest.raises(TooLargeError) as caught:
        await fetch(article_server.url("/endless"), FetchPolicy(True, max_bytes=limit))
    assert caught.value.details == {"limit_mb": 0.2}
    assert await article_server.wait_aborted("/endless")
    assert article_server.sent["/endless"] > limit  # read up to the limit, then refused


async def test_a_gzip_bomb_is_refused_without_inflating_it(article_server: ArticleServer) -> None:
    limit = 1024 * 1024
    async with SafeFetcher(FetchPolicy(True, max_bytes=limit)) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(TooLargeError):
                await fetcher.fetch(article_server.url("/gzip-bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # The bomb inflates to 64 MB; one unbounded inflate of a 64 KB chunk would make ~64 MB.
    assert peak < 8 * limit < BOMB_INFLATED_BYTES


async def test_bytes_after_the_end_of_a_gzip_stream_are_not_read(
    article_server: ArticleServer,
) -> None:
    limit = 1024 * 1024
    async with SafeFetcher(FetchPolicy(True, max_bytes=limit)) as fetcher:
        tracemalloc.start()
        try:
            page = await fetcher.fetch(article_server.url("/gzip-then-junk"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert page.body == ARTICLE_HTML  # the whole article, and nothing of the junk
    # The fetcher hung up at the end of the gzip stream, with most of the junk still unsent
    # (what the server did send sits in socket buffers, never in the fetcher's memory).
    assert await article_server.wait_aborted("/gzip-then-junk")
    assert article_server.sent["/gzip-then-junk"] < JUNK_BYTES // 2
    assert peak < 4 * limit


async def test_compressed_bytes_count_against_the_limit_too(
    article_server: ArticleServer,
) -> None:
    # Empty deflate blocks inflate to nothing: only the bytes on the wire show the body's size.
    limit = 200_000
    with pytest.raises(TooLargeError):
        await fetch(article_server.url("/empty-deflate-blocks"), FetchPolicy(True, max_bytes=limit))
    assert await article_server.wait_aborted("/empty-deflate-blocks")
    assert article_server.sent["/empty-deflate-blocks"] < JUNK_BYTES // 2


async def test_compressed_pages_are_inflated(article_server: ArticleServer) -> None:
    body = b"<html><body>" + b"<p>compressed paragraph</p>" * 500 + b"</body></html>"
    article_server.add_page(
        "/gz", gzip.compress(body), "text/html", headers={"Content-Encoding": "gzip"}
    )
    article_server.add_page(
        "/deflate", zlib.compress(body), "text/html", headers={"Content-Encoding": "deflate"}
    )
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    article_server.add_page(
        "/raw-deflate",
        raw.compress(body) + raw.flush(),
        "text/html",
        headers={"Content-Encoding": "deflate"},
    )
    article_server.add_page(
        "/corrupt", b"not gzip at all", "text/html", headers={"Content-Encoding": "gzip"}
    )
    article_server.add_page("/brotli", b"xx", "text/html", headers={"Content-Encoding": "br"})
    async with SafeFetcher(LOCAL) as fetcher:
        for path in ("/gz", "/deflate", "/raw-deflate"):
            assert (await fetcher.fetch(article_server.url(path))).body == body
        for path in ("/corrupt", "/brotli"):
            with pytest.raises(FetchError):
                await fetcher.fetch(article_server.url(path))


# --- time -----------------------------------------------------------------------------------


async def test_slow_headers_time_out(article_server: ArticleServer) -> None:
    with pytest.raises(FetchTimeoutError):
        await fetch(article_server.url("/slow?delay=30"), FetchPolicy(True, timeout_s=0.3))
    # The fetcher gave up while the server was still preparing its answer.
    assert await article_server.wait_aborted("/slow")


async def test_a_trickling_body_hits_the_overall_deadline(article_server: ArticleServer) -> None:
    # Each chunk arrives well within any per-read timeout; only the whole-fetch deadline stops it.
    with pytest.raises(FetchTimeoutError) as caught:
        await fetch(article_server.url("/trickle"), FetchPolicy(True, timeout_s=0.4))
    assert str(caught.value) == "The site took too long to answer."
    assert await article_server.wait_aborted("/trickle")
    assert article_server.sent["/trickle"] > 0  # the body had begun: not a header timeout


# --- type -----------------------------------------------------------------------------------


def test_an_image_type_is_refused_before_any_byte() -> None:
    with pytest.raises(UnsupportedContentTypeError) as caught:
        BodyReader(200, "image/png", None, None, max_bytes=1024)
    assert caught.value.details == {"content_type": "image/png"}


async def test_an_image_is_refused_and_its_connection_closed(
    article_server: ArticleServer,
) -> None:
    with pytest.raises(UnsupportedContentTypeError) as caught:
        await fetch(article_server.url("/binary"), LOCAL)
    assert caught.value.details == {"content_type": "image/png"}
    assert await article_server.wait_aborted("/binary")  # the body was still trickling
