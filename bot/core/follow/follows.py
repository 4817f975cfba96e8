"""Following and unfollowing public channels for a private chat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.follow.poller import next_slot
from bot.core.follow.reader import Fetcher, channel_key, read_page
from bot.core.store.types import Store


@dataclass
class Follows:
    """A user's followed channels; a channel is checked to have a public preview first."""

    store: Store
    fetcher: Fetcher
    base_url: str
    interval: timedelta  # the poller's, to place a new channel's next poll as it would
    clock: Callable[[], datetime]

    async def follow(self, user_chat_id: int, text: str) -> tuple[str, bool]:
        """Follow "@name" or a t.me link; the channel's key, and False if already followed.

        Raises ChannelNameError for a bad name, NoPreviewError when it has no public preview."""
        key = channel_key(text)
        page = await read_page(self.fetcher, self.base_url, key, None)
        # The page read is kept, so a /digest right away has its posts; for a channel nobody
        # followed yet it counts as the first poll, which the poller need not repeat.
        posts = [item.post for item in page.posts]
        await self.store.add_channel_posts(posts)
        at = self.clock()
        newest = max((post.post_id for post in posts), default=0)
        followed = await self.store.follow_channel(
            user_chat_id, key, at, newest, next_slot(key, at, self.interval)
        )
        return key, followed

    async def unfollow(self, user_chat_id: int, text: str) -> tuple[str, bool]:
        """Stop following a channel; its key, and False if the user did not follow it."""
        key = channel_key(text)
        return key, await self.store.unfollow_channel(user_chat_id, key)

    async def following(self, user_chat_id: int) -> list[str]:
        """The keys of the channels the user follows (what the private /digest covers)."""
        return await self.store.followed_channels(user_chat_id)
