"""The t.me/s/<name> preview parser on hand-written pages mirroring the real widget markup."""

from datetime import UTC, datetime

import pytest

from bot.core.follow.preview import PageKind, page_kind, parse_preview
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


@pytest.mark.parametrize(
    ("page", "kind"),
    [
        ("technews.html", PageKind.PREVIEW),
        ("technews-before-101.html", PageKind.PREVIEW),
        ("channel-page.html", PageKind.NO_PREVIEW),  # a channel with its preview off
        ("group-page.html", PageKind.NO_PREVIEW),
        ("bot-page.html", PageKind.NO_PREVIEW),
        ("missing.html", PageKind.MISSING),  # "you can contact @nosuchchan right away"
        ("article.html", PageKind.UNKNOWN),
    ],
)
def test_what_a_page_says_of_the_name(page: str, kind: PageKind) -> None:
    path = TME / page if page != "article.html" else PAGES / page
    assert page_kind(path.read_text(encoding="utf-8")) is kind


def test_pages_without_preview_have_no_posts() -> None:
    assert page_kind("") is PageKind.UNKNOWN
    for page in ("channel-page.html", "missing.html"):
        assert parse_preview("@privatechan", _page(page)).posts == ()
