"""Followed channels in the store, on both backends: follows, and the shared polling schedule."""

from datetime import UTC, datetime, timedelta

from bot.core.store.channel_types import ChannelPoll
from bot.core.store.types import Store
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def test_follow_list_and_unfollow(store: Store) -> None:
    assert await store.follow_channel(1, "@technews", T0)
    assert not await store.follow_channel(1, "@technews", T0)  # already followed
    assert await store.follow_channel(1, "@another_one", T0)
    assert await store.follow_channel(2, "@technews", T0)
    assert await store.followed_channels(1) == ["@another_one", "@technews"]
    assert await store.channel_followers("@technews") == [1, 2]
    assert await store.unfollow_channel(1, "@technews")
    assert not await store.unfollow_channel(1, "@technews")
    assert await store.followed_channels(1) == ["@another_one"]
    assert await store.channel_followers("@technews") == [2]


async def test_a_channel_is_claimed_once_per_poll_however_many_follow(store: Store) -> None:
    await store.follow_channel(1, "@technews", T0)
    await store.follow_channel(2, "@technews", T0)
    assert await store.claim_channel_poll(T0 - HOUR, T0) is None  # not due yet
    assert await store.claim_channel_poll(T0, T0 + HOUR) == ChannelPoll("@technews", 0, 0)
    assert await store.claim_channel_poll(T0, T0 + HOUR) is None  # claimed: not due again
    await store.channel_polled("@technews", 103, T0 + HOUR)
    assert await store.claim_channel_poll(T0 + HOUR, T0 + 2 * HOUR) == ChannelPoll(
        "@technews", 103, 0
    )


async def test_failures_count_up_and_a_success_resets_them(store: Store) -> None:
    await store.follow_channel(1, "@technews", T0)
    assert await store.channel_poll_failed("@technews", T0) == 1
    assert await store.channel_poll_failed("@technews", T0) == 2
    assert await store.claim_channel_poll(T0, T0 + HOUR) == ChannelPoll("@technews", 0, 2)
    await store.channel_polled("@technews", 5, T0 + HOUR)
    assert await store.claim_channel_poll(T0 + HOUR, T0 + 2 * HOUR) == ChannelPoll(
        "@technews", 5, 0
    )


async def test_a_channel_nobody_follows_is_not_polled(store: Store) -> None:
    await store.follow_channel(1, "@technews", T0)
    await store.unfollow_channel(1, "@technews")
    assert await store.claim_channel_poll(T0 + HOUR, T0 + 2 * HOUR) is None


async def test_a_new_channel_starts_as_polled_and_a_followed_one_keeps_its_state(
    store: Store,
) -> None:
    assert await store.follow_channel(1, "@technews", T0, 103, T0 + HOUR)
    assert await store.follow_channel(2, "@technews", T0 + HOUR, 0, T0 + HOUR)
    assert await store.claim_channel_poll(T0, T0 + HOUR) is None  # polled when followed
    assert await store.claim_channel_poll(T0 + HOUR, T0 + 2 * HOUR) == ChannelPoll(
        "@technews", 103, 0
    )
