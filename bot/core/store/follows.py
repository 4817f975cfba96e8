"""The Store's followed public channels: who follows what, and the shared polling schedule."""

from __future__ import annotations

from datetime import datetime

from bot.core.store.channel_types import ChannelPoll
from bot.core.store.clock import as_utc
from bot.core.store.statements import Statements


class FollowQueries(Statements):
    """The Store's follow methods; `SQLStore` supplies the statements."""

    async def follow_channel(
        self,
        user_chat_id: int,
        channel: str,
        at: datetime,
        last_post_id: int = 0,
        next_poll_at: datetime | None = None,
    ) -> bool:
        """Follow `channel` for the user at `at`; False if already followed. A channel nobody
        followed yet starts as polled up to `last_post_id`, next at `next_poll_at` (else `at`)."""
        # One statement, so a poller never sees the new channel without that state; a channel
        # others follow keeps its own.
        await self._statement(
            "INSERT INTO followed_channels (channel, next_poll_at, last_post_id) VALUES (?, ?, ?)"
            " ON CONFLICT (channel) DO NOTHING",
            channel,
            as_utc(next_poll_at or at),
            last_post_id,
        )
        rows = await self._statement(
            "INSERT INTO follows (user_chat_id, channel, followed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_chat_id, channel) DO NOTHING RETURNING channel",
            user_chat_id,
            channel,
            as_utc(at),
        )
        return bool(rows)

    async def unfollow_channel(self, user_chat_id: int, channel: str) -> bool:
        """Stop following `channel`; False if the user did not follow it."""
        rows = await self._statement(
            "DELETE FROM follows WHERE user_chat_id = ? AND channel = ? RETURNING channel",
            user_chat_id,
            channel,
        )
        # A channel nobody follows any more is not polled.
        await self._statement(
            "DELETE FROM followed_channels WHERE channel = ?"
            " AND NOT EXISTS (SELECT 1 FROM follows WHERE follows.channel = ?)",
            channel,
            channel,
        )
        return bool(rows)

    async def followed_channels(self, user_chat_id: int) -> list[str]:
        """The channels the user follows, by name."""
        rows = await self._query(
            "SELECT channel FROM follows WHERE user_chat_id = ? ORDER BY channel", user_chat_id
        )
        return [str(row[0]) for row in rows]

    async def channel_followers(self, channel: str) -> list[int]:
        """The private chats following `channel`."""
        rows = await self._query(
            "SELECT user_chat_id FROM follows WHERE channel = ? ORDER BY user_chat_id", channel
        )
        return [int(row[0]) for row in rows]

    async def claim_channel_poll(self, at: datetime, lease_until: datetime) -> ChannelPoll | None:
        """Claim one followed channel due at `at` (next poll moved to `lease_until`), or None."""
        # The outer `next_poll_at <= ?` is checked again under the row lock, so of two replicas
        # racing for the same channel only one moves it.
        rows = await self._statement(
            "UPDATE followed_channels SET next_poll_at = ? WHERE next_poll_at <= ? AND channel ="
            " (SELECT channel FROM followed_channels WHERE next_poll_at <= ?"
            " ORDER BY next_poll_at, channel LIMIT 1)"
            " RETURNING channel, last_post_id, failures",
            as_utc(lease_until),
            as_utc(at),
            as_utc(at),
        )
        return ChannelPoll(str(rows[0][0]), int(rows[0][1]), int(rows[0][2])) if rows else None

    async def channel_polled(self, channel: str, last_post_id: int, next_poll_at: datetime) -> None:
        """Record a successful poll: the newest post kept, failures reset, the next poll."""
        await self._statement(
            "UPDATE followed_channels SET last_post_id = ?, failures = 0, next_poll_at = ?"
            " WHERE channel = ?",
            last_post_id,
            as_utc(next_poll_at),
            channel,
        )

    async def channel_poll_failed(self, channel: str, next_poll_at: datetime) -> int:
        """Record a failed poll and the next one; return the failures in a row."""
        rows = await self._statement(
            "UPDATE followed_channels SET failures = failures + 1, next_poll_at = ?"
            " WHERE channel = ? RETURNING failures",
            as_utc(next_poll_at),
            channel,
        )
        return int(rows[0][0]) if rows else 0
