"""Channels connected to users' private chats, on SQLite and PostgreSQL (test_store's fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.store.types import ConnectedChannel, Store
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
    assert await store.disconnect_channel(ALICE, BIG_CHANNEL)
    assert not await store.disconnect_channel(ALICE, BIG_CHANNEL)
    assert await store.connected_channels(ALICE) == [later]
    assert [c.channel for c in await store.connected_channels(BOB)] == [BIG_CHANNEL]
    assert await store.connected_channels(4242) == []
