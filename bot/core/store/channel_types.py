"""The Store's channels: connected and followed channels, their posts and polls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ChannelPost:
    """A channel's post as the bot saw it: an item for the channel's digests."""

    # "@name" (lower case) for a public channel read from its web preview, else the chat id
    # in decimal ("-100123") for a channel the bot administers.
    channel: str
    post_id: int  # the message id inside the channel
    posted_at: datetime
    text: str  # the text or caption, as plain text
    links: tuple[str, ...] = ()  # the links the post carries, in order


@dataclass(frozen=True)
class ConnectedChannel:
    """A channel a user administers and connected to their private chat with the bot."""

    user_id: int
    channel: str  # the channel's key in channel_posts: its chat id in decimal
    username: str | None  # public channels have one (without "@")
    title: str
    connected_at: datetime


@dataclass(frozen=True)
class Disconnection:
    """What ending a user's channel connection ended."""

    connection: bool  # False when there was none
    schedule: bool  # the channel's digest schedule this user set was dropped too


@dataclass(frozen=True)
class ChannelPoll:
    """A followed channel claimed for polling: where its reading stopped, how often it failed."""

    channel: str  # "@name", lower case
    last_post_id: int  # the newest post kept; 0 before the first poll
    failures: int  # failed polls in a row


class ChannelStore(Protocol):
    """The Store's channel methods: posts, connections, follows and their polls."""

    async def add_channel_posts(self, posts: Sequence[ChannelPost]) -> None:
        """Record channel posts; a post already kept (same channel and id) is replaced (edits)."""
        ...

    async def channel_posts(self, channel: str, since: datetime) -> list[ChannelPost]:
        """The channel's posts made at or after `since`, oldest first."""
        ...

    async def connect_channel(self, channel: ConnectedChannel) -> bool:
        """Connect a channel to a user; False when it already was (the first stays)."""
        ...

    async def disconnect_channel(self, user_id: int, channel: str) -> Disconnection:
        """End a user's connection to a channel and the channel's schedule they set, in one
        transaction; what there was of either."""
        ...

    async def connected_channels(self, user_id: int) -> list[ConnectedChannel]:
        """The channels a user connected, in the order connected."""
        ...

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
        ...

    async def unfollow_channel(self, user_chat_id: int, channel: str) -> bool:
        """Stop following `channel`; False if the user did not follow it."""
        ...

    async def followed_channels(self, user_chat_id: int) -> list[str]:
        """The channels the user follows, by name."""
        ...

    async def channel_followers(self, channel: str) -> list[int]:
        """The private chats following `channel`."""
        ...

    async def claim_channel_poll(self, at: datetime, lease_until: datetime) -> ChannelPoll | None:
        """Claim one followed channel due at `at` (next poll moved to `lease_until`), or None."""
        ...

    async def channel_polled(self, channel: str, last_post_id: int, next_poll_at: datetime) -> None:
        """Record a successful poll: the newest post kept, failures reset, the next poll."""
        ...

    async def channel_poll_failed(self, channel: str, next_poll_at: datetime) -> int:
        """Record a failed poll and the next one; return the failures in a row."""
        ...
