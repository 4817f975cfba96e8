"""The t.me/s/<name> preview parser on hand-written pages mirroring the real widget markup."""

from datetime import UTC, datetime

from bot.core.follow.preview import is_preview, parse_preview
from tests.servers.article_server import PAGES

TME = PAGES / "tme"


def _page(name: str) -> str:
    return (TME / name).read_text(encoding="utf-8")


def test_posts_ids_dates_and_texts_oldest_first() -> None:
    page = parse_preview("@technews", _page("technews.html"))
    assert [item.post.post_id for item in page.posts] == [101, 102, 103]
    assert {item.post.channel for item in page.posts} == {"@technews"}
    assert page.posts[0].post.posted_at == datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
    assert page.posts[0].post.text == (
        "Rust 2.0 is out.\nRead the notes: blog.example.org/rust-2 #rust"
    )
    assert page.posts[1].post.text == "A long read on databases: here"


def test_links_from_text_and_link_previews_without_hashtags() -> None:
    posts = [item.post for item in parse_preview("@technews", _page("technews.html")).posts]
    # the text link and the link preview are the same address: kept once
    assert posts[0].links == ("https://blog.example.org/rust-2",)
    assert posts[1].links == ("https://db.example.com/longread",)
    assert posts[2].links == ()


def test_forwarded_post_keeps_its_origin() -> None:
    posts = parse_preview("@technews", _page("technews.html")).posts
    assert [item.forwarded_from for item in posts] == [None, "https://t.me/otherchan/77", None]


def test_load_more_gives_the_before_id_and_the_oldest_page_none() -> None:
    assert parse_preview("@technews", _page("technews.html")).before == 101
    older = parse_preview("@technews", _page("technews-before-101.html"))
    assert [item.post.post_id for item in older.posts] == [99, 100]
    assert older.before is None


def test_a_channel_page_without_preview_is_told_apart() -> None:
    assert is_preview(_page("technews.html"))
    assert not is_preview(_page("channel-page.html"))
    assert not is_preview("")
    assert parse_preview("@privatechan", _page("channel-page.html")).posts == ()
