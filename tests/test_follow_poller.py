"""Polling followed channels against the page server playing t.me, with a store and a clock."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.errors import (
    ChannelMissingError,
    ChannelNameError,
    NoPreviewError,
    SummarybotError,
    UnknownPageError,
)
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher
from bot.core.follow.follows import Follows
from bot.core.follow.poller import ChannelPoller, PollOutcome, next_slot
from bot.core.store.open import open_store
from bot.core.store.types import Store
from tests.servers.article_server import PAGES, ArticleServer

TME = PAGES / "tme"
T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(f"sqlite:///{tmp_path / 'bot.db'}")
    yield opened
    await opened.close()


def _serve(server: ArticleServer, path: str, page: str) -> None:
    server.add_page(path, (TME / page).read_bytes(), "text/html; charset=utf-8")


async def _poll(store: Store, server: ArticleServer, clock: Clock) -> list[PollOutcome]:
    async with SafeFetcher(FetchPolicy(allow_private_networks=True)) as fetcher:
        poller = ChannelPoller(store, fetcher, server.url("/"), HOUR, clock)
        return await poller.poll_due()


def test_next_slot_is_within_the_interval_and_keeps_a_channel_phase() -> None:
    first = next_slot("@technews", T0, HOUR)
    assert T0 < first <= T0 + HOUR
    assert next_slot("@technews", first, HOUR) == first + HOUR
    assert len({next_slot(f"@channel{i}", T0, HOUR) for i in range(20)}) > 1  # spread out


async def test_new_posts_are_read_once_for_two_followers(
    store: Store, article_server: ArticleServer
) -> None:
    _serve(article_server, "s/technews", "technews.html")
    _serve(article_server, "s/technews?before=101", "technews-before-101.html")
    clock = Clock()
    await store.follow_channel(1, "@technews", T0)
    await store.follow_channel(2, "@technews", T0)
    outcomes = await _poll(store, article_server, clock)
    assert [(o.channel, o.new_posts, o.error) for o in outcomes] == [("@technews", 3, None)]
    assert [seen.path for seen in article_server.requests] == ["/s/technews"]  # latest page only
    kept = await store.channel_posts("@technews", T0 - 30 * 24 * HOUR)
    assert [post.post_id for post in kept] == [101, 102, 103]
    assert await _poll(store, article_server, clock) == []  # not due again within the interval
    clock.at = T0 + HOUR
    again = await _poll(store, article_server, clock)
    assert [(o.channel, o.new_posts) for o in again] == [("@technews", 0)]
    assert len(article_server.requests) == 2


async def test_a_channel_without_preview_is_told_once_and_backs_off(
    store: Store, article_server: ArticleServer
) -> None:
    article_server.add_page("s/gonechan", b"", "text/html", 302, {"Location": "/gonechan"})
    _serve(article_server, "gonechan", "channel-page.html")
    clock = Clock()
    await store.follow_channel(1, "@gonechan", T0)
    await store.follow_channel(2, "@gonechan", T0)
    first = await _poll(store, article_server, clock)
    assert [o.tell for o in first] == [(1, 2)]
    assert isinstance(first[0].error, NoPreviewError)
    polled_at = []
    for hours in range(1, 12):
        clock.at = T0 + hours * HOUR
        outcomes = await _poll(store, article_server, clock)
        assert all(o.tell == () for o in outcomes)  # told once, not on every poll
        polled_at += [hours] * len(outcomes)
    assert polled_at == [2, 6]  # backing off: 2 hours, then 4, then 8


@pytest.mark.parametrize(
    ("page", "error", "told_at"),
    [
        (
            (TME / "missing.html").read_bytes(),
            ChannelMissingError,
            1,
        ),  # the name is gone: told at once
        (
            (PAGES / "article.html").read_bytes(),
            UnknownPageError,
            3,
        ),  # a page t.me does not serve: a failure
    ],
)
async def test_a_missing_channel_is_told_at_once_an_unknown_page_after_failures(
    store: Store,
    article_server: ArticleServer,
    page: bytes,
    error: type[SummarybotError],
    told_at: int,
) -> None:
    article_server.add_page("s/gonechan", b"", "text/html", 302, {"Location": "/gonechan"})
    article_server.add_page("gonechan", page, "text/html; charset=utf-8")
    clock = Clock()
    await store.follow_channel(1, "@gonechan", T0)
    told = []
    for poll in range(1, 5):
        (outcome,) = await _poll(store, article_server, clock)
        assert type(outcome.error) is error
        told += [poll] if outcome.tell == (1,) else []
        clock.at += 25 * HOUR  # past the capped back-off: due again
    assert told == [told_at]


async def test_follow_checks_the_preview_then_lists_and_unfollows(
    store: Store, article_server: ArticleServer
) -> None:
    _serve(article_server, "s/technews", "technews.html")
    article_server.add_page("s/gonechan", b"", "text/html", 302, {"Location": "/gonechan"})
    _serve(article_server, "gonechan", "channel-page.html")
    async with SafeFetcher(FetchPolicy(allow_private_networks=True)) as fetcher:
        follows = Follows(store, fetcher, article_server.url("/"), HOUR, Clock())
        assert await follows.follow(7, "https://t.me/TechNews") == ("@technews", True)
        assert await follows.follow(7, "@technews") == ("@technews", False)
        with pytest.raises(NoPreviewError):
            await follows.follow(7, "@gonechan")
        with pytest.raises(ChannelNameError):
            await follows.follow(7, "not a channel")
        assert await follows.following(7) == ["@technews"]
        assert await follows.unfollow(7, "t.me/technews") == ("@technews", True)
        assert await follows.following(7) == []


async def test_the_page_read_to_follow_is_kept_as_the_channel_s_first_poll(
    store: Store, article_server: ArticleServer
) -> None:
    _serve(article_server, "s/technews", "technews.html")
    clock = Clock()
    async with SafeFetcher(FetchPolicy(allow_private_networks=True)) as fetcher:
        follows = Follows(store, fetcher, article_server.url("/"), HOUR, clock)
        await follows.follow(7, "@technews")
        kept = await store.channel_posts("@technews", T0 - 30 * 24 * HOUR)
        assert [post.post_id for post in kept] == [101, 102, 103]
        assert await _poll(store, article_server, clock) == []  # polled: due at its next slot
        clock.at = next_slot("@technews", T0, HOUR)
        polled = await _poll(store, article_server, clock)
        clock.at += HOUR
        await follows.follow(8, "@technews")  # a second follower: its poll state stands
        assert [o.channel for o in await _poll(store, article_server, clock)] == ["@technews"]
    assert [(o.channel, o.new_posts) for o in polled] == [("@technews", 0)]  # nothing new
    assert [seen.path for seen in article_server.requests] == ["/s/technews"] * 4


class Drifting(Clock):
    """A clock an hour later at every look, like a tick whose reads take long."""

    def __call__(self) -> datetime:
        self.at += HOUR
        return self.at - HOUR


async def test_next_polls_count_from_the_tick_not_from_when_the_reads_end(
    store: Store, article_server: ArticleServer
) -> None:
    _serve(article_server, "s/technews", "technews.html")
    await store.follow_channel(1, "@technews", T0)
    assert [o.new_posts for o in await _poll(store, article_server, Drifting())] == [3]
    steady = Clock()
    steady.at = T0 + HOUR  # the slot after the tick at T0 is due by now
    assert [o.channel for o in await _poll(store, article_server, steady)] == ["@technews"]
