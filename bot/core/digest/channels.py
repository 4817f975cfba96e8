"""A channel's posts as a digest: each link a post carries is an item (the post is what shared
it), and a post without links but with text enough to read is an item of its own, read as
pasted text. Several channels make one digest grouped by channel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.core.digest.build import Digest, build_digest, group_shares
from bot.core.errors import SummarybotError
from bot.core.models import Article, Summary, Usage
from bot.core.store.channel_types import ChannelPost
from bot.core.store.types import SharedLink

# A post without links is an item only when it says something: a few sentences, not a caption.
MIN_TEXT_POST = 200

Read = Callable[[str], Awaitable[Article]]
Line = Callable[[Article], Awaitable[Summary]]


@dataclass(frozen=True)
class TextPost:
    """A post without links, summarized in one line like an article."""

    post: ChannelPost
    line: Summary


@dataclass(frozen=True)
class ChannelDigest:
    """One channel's part of a digest: the articles its posts linked, then its text posts."""

    channel: str  # the channel's key: "@name" or its chat id in decimal
    links: Digest = field(default_factory=Digest)
    texts: list[TextPost] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the channel posted nothing worth a line in the period."""
        return self.links.empty and not self.texts

    @property
    def extractive(self) -> bool:
        """True when some line quotes its text instead of being written by the model."""
        return self.links.extractive or any(text.line.extractive for text in self.texts)

    @property
    def usage(self) -> Usage:
        """Tokens the model spent on this channel's lines."""
        return sum((text.line.usage for text in self.texts), self.links.usage)


def post_links(posts: Sequence[ChannelPost]) -> list[SharedLink]:
    """Every link of every post, as shared by that post (the channel is the digest's own)."""
    return [
        SharedLink(0, 0, post.post_id, url, None, post.posted_at)
        for post in posts
        for url in post.links
    ]


def text_posts(posts: Sequence[ChannelPost]) -> list[ChannelPost]:
    """The posts without links that carry enough prose to be items of their own."""
    return [post for post in posts if not post.links and len(post.text.strip()) >= MIN_TEXT_POST]


def item_count(posts: Sequence[ChannelPost]) -> int:
    """How many lines the channel's digest asks of the model at most (for its budget check)."""
    return len(group_shares(post_links(posts))) + len(text_posts(posts))


async def build_channel_digest(
    channel: str, posts: Sequence[ChannelPost], read_url: Read, read_text: Read, line: Line
) -> ChannelDigest:
    """The channel's linked articles and its text posts, each summarized in one line."""
    texts = text_posts(posts)

    async def one(post: ChannelPost) -> TextPost | None:
        try:
            return TextPost(post, await line(await read_text(post.text)))
        except SummarybotError:  # too little prose to summarize: not an item
            return None

    links, read = await asyncio.gather(
        build_digest(post_links(posts), read_url, line), asyncio.gather(*map(one, texts))
    )
    return ChannelDigest(channel, links, [text for text in read if text is not None])
