"""Reading a channel's new posts through the safe fetcher, with the page server playing t.me."""

import pytest

from bot.core.errors import ChannelNameError, NoPreviewError
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher
from bot.core.follow.reader import channel_key, read_new_posts
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


async def test_a_channel_without_preview_is_an_error(article_server: ArticleServer) -> None:
    article_server.add_page(
        "privatechan", (TME / "channel-page.html").read_bytes(), "text/html; charset=utf-8"
    )
    article_server.add_page("s/privatechan", b"", "text/html", 302, {"Location": "/privatechan"})
    async with SafeFetcher(LOCAL) as fetcher:
        with pytest.raises(NoPreviewError):
            await read_new_posts(fetcher, article_server.url("/"), "@privatechan", 0, 3)
