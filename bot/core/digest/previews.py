"""A public channel's digest read straight from its web preview and kept nowhere: what the
command line prints, with no database and nobody following the channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.digest.channels import ChannelDigest, Read, build_channel_digest, item_count
from bot.core.digest.chats import DigestLines
from bot.core.follow.reader import Fetcher, channel_key, read_posts_since
from bot.core.usage.budgets import Requester

# Preview pages read back at most (about 20 posts each): a busy channel's week fits.
MAX_PAGES = 10


@dataclass
class PreviewDigests:
    """Digests of public channels by name, each post read from t.me/s/<name>."""

    fetcher: Fetcher
    base_url: str
    read_url: Read
    read_text: Read
    lines: DigestLines

    async def digest(
        self, text: str, since: datetime, language: str | None, who: Requester | None = None
    ) -> ChannelDigest:
        """The digest of the channel named by "@name" or a t.me link since `since`, its lines
        within `who`'s budgets.

        Raises ChannelNameError for a bad name, NoPreviewError (ChannelMissingError when
        nobody has the name) or a FetchError when its preview cannot be read."""
        key = channel_key(text)
        posts = await read_posts_since(self.fetcher, self.base_url, key, since, MAX_PAGES)
        async with self.lines(item_count(posts), language, who) as line:
            return await build_channel_digest(key, posts, self.read_url, self.read_text, line)
