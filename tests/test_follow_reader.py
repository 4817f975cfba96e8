"""Reading a channel's new posts through the safe fetcher, with the page server playing t.me."""

from datetime import UTC, datetime

import pytest

from bot.core.errors import (
    ChannelMissingError,
    ChannelNameError,
    NoPreviewError,
    SummarybotError,
    UnknownPageError,
)
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher
from bot.core.follow.reader import channel_key, read_new_posts, read_posts_since
from tests.servers.article_server import PAGES, ArticleServer

TME = PAGES / "tme"
LOCAL = FetchPolicy(allow_private_networks=True)  # the page server is on 127.0.0.1


def _serve_technews(server: ArticleServer) -> None:
    for path, name in (
        ("s/technews", "technews.html"),
        ("s/technews?before=101", "technews-before-101.html"),
    ):
        server.add_page(path, (TME / name).read_bytes(), "text/html; charset=utf-8")


@pytest.mark.parametrize(
    "text",
    ["@TechNews", "technews", "t.me/technews", "https://t.me/technews", "https://t.me/s/technews/"],
)
def test_channel_key_accepts_names_and_links(text: str) -> None:
    assert channel_key(text) == "@technews"


@pytest.mark.parametrize(
    "text", ["", "@abc", "@1channel", "https://example.com/technews", "@tech-news"]
)
def test_channel_key_rejects_what_is_not_a_public_name(text: str) -> None:
    with pytest.raises(ChannelNameError):
        channel_key(text)


async def test_new_posts_follow_older_pages_until_what_is_kept(
    article_server: ArticleServer,
) -> None:
    _serve_technews(article_server)
    base = article_server.url("/")
    async with SafeFetcher(LOCAL) as fetcher:
        everything = await read_new_posts(fetcher, base, "@technews", newer_than=0, max_pages=5)
        latest = await read_new_posts(fetcher, base, "@technews", newer_than=101, max_pages=5)
    assert [post.post_id for post in everything] == [99, 100, 101, 102, 103]
    assert [post.post_id for post in latest] == [102, 103]
    asked = [seen.path for seen in article_server.requests]
    assert asked == ["/s/technews", "/s/technews?before=101", "/s/technews"]


async def test_the_page_cap_stops_pagination(article_server: ArticleServer) -> None:
    _serve_technews(article_server)
    async with SafeFetcher(LOCAL) as fetcher:
        posts = await read_new_posts(fetcher, article_server.url("/"), "@technews", 0, max_pages=1)
    assert [post.post_id for post in posts] == [101, 102, 103]
    assert [seen.path for seen in article_server.requests] == ["/s/technews"]


async def test_posts_since_a_date_read_older_pages_only_when_needed(
    article_server: ArticleServer,
) -> None:
    _serve_technews(article_server)
    base = article_server.url("/")
    async with SafeFetcher(LOCAL) as fetcher:
        recent = await read_posts_since(
            fetcher, base, "@technews", datetime(2026, 12, 2, tzinfo=UTC), max_pages=5
        )
        everything = await read_posts_since(
            fetcher, base, "@technews", datetime(2026, 1, 1, tzinfo=UTC), max_pages=5
        )
    assert [post.post_id for post in recent] == [102, 103]
    assert [post.post_id for post in everything] == [99, 100, 101, 102, 103]
    asked = [seen.path for seen in article_server.requests]
    # the first page's oldest post (101) is older than the 2nd: no need for the page before
    assert asked == ["/s/technews", "/s/technews", "/s/technews?before=101"]


@pytest.mark.parametrize(
    ("name", "page", "error"),
    [
        (
            "privatechan",
            (TME / "channel-page.html").read_bytes(),
            NoPreviewError,
        ),  # a channel, preview off
        ("varnholm_anglers", (TME / "group-page.html").read_bytes(), NoPreviewError),
        ("eelwatch_bot", (TME / "bot-page.html").read_bytes(), NoPreviewError),
        ("nosuchchan", (TME / "missing.html").read_bytes(), ChannelMissingError),
        (
            "oddpage",
            (PAGES / "article.html").read_bytes(),
            UnknownPageError,
        ),  # not a t.me page at all
    ],
)
async def test_a_name_without_preview_says_whether_it_exists(
    article_server: ArticleServer, name: str, page: bytes, error: type[SummarybotError]
) -> None:
    # t.me/s/<name> of anything but a channel with its preview on redirects to t.me/<name>
    article_server.add_page(name, page, "text/html; charset=utf-8")
    article_server.add_page(f"s/{name}", b"", "text/html", 302, {"Location": f"/{name}"})
    async with SafeFetcher(LOCAL) as fetcher:
        with pytest.raises(error) as raised:
            await read_new_posts(fetcher, article_server.url("/"), f"@{name}", 0, 3)
    assert type(raised.value) is error
    assert raised.value.details == {"name": f"@{name}"}
