"""Channels connected to users' private chats, on SQLite and PostgreSQL (test_store's fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.store.channel_types import ChannelPoll, ConnectedChannel, Disconnection
from bot.core.store.schedule_types import ChannelSource
from bot.core.store.types import Store
from bot.core.store.usage_types import Scope, UsageEvent
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

ALICE, BOB = 1001, 1002
BIG_CHANNEL = "-1001234567890123"  # channel ids exceed 32 bits


async def test_connect_list_and_disconnect(store: Store) -> None:
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    news = ConnectedChannel(ALICE, BIG_CHANNEL, "eelnews", "Eel news", at)
    later = ConnectedChannel(ALICE, "-1005", None, "Private notes", at + timedelta(hours=1))
    assert await store.connect_channel(later)
    assert await store.connect_channel(news)
    # Connecting again changes nothing: the first connection stays.
    assert not await store.connect_channel(
        ConnectedChannel(ALICE, BIG_CHANNEL, "renamed", "Renamed", at + timedelta(days=1))
    )
    assert await store.connect_channel(ConnectedChannel(BOB, BIG_CHANNEL, None, "Eel news", at))
    assert await store.connected_channels(ALICE) == [news, later]
    assert await store.disconnect_channel(ALICE, BIG_CHANNEL) == Disconnection(True, False)
    assert await store.disconnect_channel(ALICE, BIG_CHANNEL) == Disconnection(False, False)
    assert await store.connected_channels(ALICE) == [later]
    assert [c.channel for c in await store.connected_channels(BOB)] == [BIG_CHANNEL]
    assert await store.connected_channels(4242) == []


async def test_disconnecting_drops_the_channel_schedule_its_user_set(store: Store) -> None:
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    channel, other = int(BIG_CHANNEL), -1005
    for user, key in ((ALICE, BIG_CHANNEL), (BOB, BIG_CHANNEL), (ALICE, str(other))):
        assert await store.connect_channel(ConnectedChannel(user, key, None, "Eel news", at))
    await store.set_schedule(
        channel, 0, "daily 09:00 UTC", at, ChannelSource(BIG_CHANNEL, BOB, BOB)
    )
    await store.set_schedule(
        other, 0, "daily 09:00 UTC", at, ChannelSource(str(other), ALICE, other)
    )
    await store.set_schedule(ALICE, 0, "daily 09:00 UTC", at)  # her private chat's own

    # Bob set that one: it stays.
    assert await store.disconnect_channel(ALICE, BIG_CHANNEL) == Disconnection(True, False)
    assert await store.get_schedule(channel, 0) is not None
    assert await store.disconnect_channel(BOB, BIG_CHANNEL) == Disconnection(True, True)
    assert await store.get_schedule(channel, 0) is None
    assert await store.get_schedule(other, 0) is not None
    assert await store.get_schedule(ALICE, 0) is not None


async def test_forgetting_a_private_chat_ends_its_user_s_channels_but_not_their_usage(
    store: Store,
) -> None:
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    for user in (ALICE, BOB):
        await store.connect_channel(ConnectedChannel(user, BIG_CHANNEL, None, "Eel news", at))
        await store.follow_channel(user, "@technews", at)
    await store.follow_channel(ALICE, "@alicenews", at)
    await store.set_schedule(-1005, 0, "daily 09:00 UTC", at, ChannelSource("-1005", ALICE, ALICE))
    await store.set_schedule(
        int(BIG_CHANNEL), 0, "daily 09:00 UTC", at, ChannelSource(BIG_CHANNEL, BOB, BOB)
    )
    await store.record_usage(UsageEvent(at, ALICE, ALICE, "llm", "gpt-4o-mini", 90, 10, 0.5))

    await store.forget_chat(ALICE)

    assert await store.connected_channels(ALICE) == []
    assert await store.followed_channels(ALICE) == []
    assert await store.get_schedule(-1005, 0) is None
    # Bob's connection, follow and schedule stay; the channel only Alice followed is not polled.
    assert [c.channel for c in await store.connected_channels(BOB)] == [BIG_CHANNEL]
    assert await store.channel_followers("@technews") == [BOB]
    assert await store.get_schedule(int(BIG_CHANNEL), 0) is not None
    polls = [await store.claim_channel_poll(at, at + timedelta(hours=1)) for _ in range(2)]
    assert polls == [ChannelPoll("@technews", 0, 0), None]
    assert (await store.spent(Scope.USER, ALICE, at)).day_usd == 0.5  # budgets are not reset


async def test_forgetting_a_group_ends_its_schedule_and_the_digests_kept_for_it(
    store: Store,
) -> None:
    at = datetime(2026, 5, 1, 12, tzinfo=UTC)
    group, channel = -1007, int(BIG_CHANNEL)
    await store.set_schedule(group, 0, "daily 09:00 UTC", at)
    await store.set_schedule(
        channel, 0, "daily 09:00 UTC", at, ChannelSource(BIG_CHANNEL, BOB, group)
    )
    await store.set_schedule(-1008, 0, "daily 09:00 UTC", at)  # another group's
    for schedule in await store.due_schedules(at, 10):
        assert await store.open_run(schedule, at, False, at + timedelta(days=1))

    await store.forget_chat(group)

    assert await store.get_schedule(group, 0) is None
    # The channel's schedule is its admin's: it stays, but what it posted here is forgotten.
    assert await store.get_schedule(channel, 0) is not None
    runs = await store.claim_runs("test", 60.0, at, 10)
    assert [run.chat_id for run in runs] == [-1008]
