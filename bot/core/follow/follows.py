"""Following and unfollowing public channels for a private chat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.core.follow.reader import Fetcher, channel_key, read_page
from bot.core.store.types import Store


@dataclass
class Follows:
    """A user's followed channels; a channel is checked to have a public preview first."""

    store: Store
    fetcher: Fetcher
    base_url: str
    clock: Callable[[], datetime]

    async def follow(self, user_chat_id: int, text: str) -> tuple[str, bool]:
        """Follow "@name" or a t.me link; the channel's key, and False if already followed.

        Raises ChannelNameError for a bad name, NoPreviewError when it has no public preview."""
        key = channel_key(text)
        await read_page(self.fetcher, self.base_url, key, None)
        return key, await self.store.follow_channel(user_chat_id, key, self.clock())

    async def unfollow(self, user_chat_id: int, text: str) -> tuple[str, bool]:
        """Stop following a channel; its key, and False if the user did not follow it."""
        key = channel_key(text)
        return key, await self.store.unfollow_channel(user_chat_id, key)

    async def following(self, user_chat_id: int) -> list[str]:
        """The keys of the channels the user follows (what the private /digest covers)."""
        return await self.store.followed_channels(user_chat_id)
