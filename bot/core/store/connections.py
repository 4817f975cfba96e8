"""The Store's connected channels: which user connected which channel to their private chat."""

from __future__ import annotations

from bot.core.store.channel_types import ConnectedChannel, Disconnection
from bot.core.store.clock import as_datetime, as_utc
from bot.core.store.statements import Statements


class ConnectionQueries(Statements):
    """The Store's channel connections; `SQLStore` supplies the statements."""

    async def connect_channel(self, channel: ConnectedChannel) -> bool:
        """Connect a channel to a user; False when it already was (the first stays)."""
        rows = await self._statement(
            "INSERT INTO channel_connections (user_id, channel, username, title, connected_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, channel) DO NOTHING RETURNING channel",
            channel.user_id,
            channel.channel,
            channel.username,
            channel.title,
            as_utc(channel.connected_at),
        )
        return bool(rows)

    async def disconnect_channel(self, user_id: int, channel: str) -> Disconnection:
        """End a user's connection to a channel and the channel's schedule they set, in one
        transaction; what there was of either."""
        async with self._session() as db:
            connections = await db.fetch(
                "DELETE FROM channel_connections WHERE user_id = ? AND channel = ?"
                " RETURNING channel",
                user_id,
                channel,
            )
            schedules = await db.fetch(
                "DELETE FROM digest_schedules WHERE channel = ? AND admin_id = ? RETURNING channel",
                channel,
                user_id,
            )
        return Disconnection(bool(connections), bool(schedules))

    async def connected_channels(self, user_id: int) -> list[ConnectedChannel]:
        """The channels a user connected, in the order connected."""
        rows = await self._query(
            "SELECT user_id, channel, username, title, connected_at FROM channel_connections"
            " WHERE user_id = ? ORDER BY connected_at, channel",
            user_id,
        )
        return [
            ConnectedChannel(user, channel, username, title, as_datetime(at))
            for user, channel, username, title, at in rows
        ]
