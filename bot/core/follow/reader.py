"""Read a public channel's new posts from its web preview, page by page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.core.errors import (
    ChannelMissingError,
    ChannelNameError,
    NoPreviewError,
    SummarybotError,
    UnknownPageError,
)
from bot.core.follow.preview import PageKind, PreviewPage, page_kind, parse_preview
from bot.core.models import FetchedPage
from bot.core.store.channel_types import ChannelPost

# Telegram's public names: 5-32 characters, a letter first, then letters, digits, underscores.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?([^/?#\s]+)/?", re.I)
_NOT_READ: dict[PageKind, type[SummarybotError]] = {
    PageKind.NO_PREVIEW: NoPreviewError,
    PageKind.MISSING: ChannelMissingError,
    PageKind.UNKNOWN: UnknownPageError,
}


class Fetcher(Protocol):
    """What reading needs of bot.core.fetch.SafeFetcher."""

    async def fetch(self, url: str) -> FetchedPage: ...


def channel_key(text: str) -> str:
    """The store's key ("@name", lower case) of "@name", "t.me/name" or "https://t.me/s/name"."""
    text = text.strip()
    link = _LINK.fullmatch(text)
    name = link.group(1) if link else text.removeprefix("@")
    if not _NAME.fullmatch(name):
        raise ChannelNameError(f"not a public channel name: {text!r}")
    return "@" + name.lower()


async def read_page(fetcher: Fetcher, base_url: str, key: str, before: int | None) -> PreviewPage:
    """One preview page of the channel `key`, the latest or the one before post `before`."""
    url = f"{base_url.rstrip('/')}/s/{key.removeprefix('@')}"
    page = await fetcher.fetch(url if before is None else f"{url}?before={before}")
    kind = page_kind(page.text or "")
    if kind is not PageKind.PREVIEW:
        raise _NOT_READ[kind](f"{key}: {kind.value} (ended at {page.final_url})", name=key)
    return parse_preview(key, page.text or "")


async def read_new_posts(
    fetcher: Fetcher, base_url: str, key: str, newer_than: int, max_pages: int
) -> list[ChannelPost]:
    """The posts after post `newer_than`, oldest first, following older pages up to `max_pages`."""

    def keep(post: ChannelPost) -> bool:
        return post.post_id > newer_than

    def reached(oldest: ChannelPost) -> bool:
        return oldest.post_id <= newer_than + 1

    return await _read_back(fetcher, base_url, key, max_pages, keep, reached)


async def read_posts_since(
    fetcher: Fetcher, base_url: str, key: str, since: datetime, max_pages: int
) -> list[ChannelPost]:
    """The posts made at or after `since`, oldest first, following older pages up to
    `max_pages`."""

    def keep(post: ChannelPost) -> bool:
        return post.posted_at >= since

    def reached(oldest: ChannelPost) -> bool:
        return oldest.posted_at < since

    return await _read_back(fetcher, base_url, key, max_pages, keep, reached)


async def _read_back(
    fetcher: Fetcher,
    base_url: str,
    key: str,
    max_pages: int,
    keep: Callable[[ChannelPost], bool],
    reached: Callable[[ChannelPost], bool],
) -> list[ChannelPost]:
    """The posts to `keep`, oldest first, reading older pages until a page's oldest post has
    `reached` what is wanted, there is none older, or `max_pages` were read."""
    posts: dict[int, ChannelPost] = {}
    before: int | None = None
    for _ in range(max_pages):
        page = await read_page(fetcher, base_url, key, before)
        posts.update({i.post.post_id: i.post for i in page.posts if keep(i.post)})
        if page.before is None or not page.posts or reached(page.posts[0].post):
            break  # nothing older, or the page already reaches what is wanted
        before = page.before
    return [posts[post_id] for post_id in sorted(posts)]
