"""Read a public channel's new posts from its web preview, page by page."""

from __future__ import annotations

import re
from typing import Protocol

from bot.core.errors import ChannelNameError, NoPreviewError
from bot.core.follow.preview import PreviewPage, is_preview, parse_preview
from bot.core.models import FetchedPage
from bot.core.store.types import ChannelPost

# Telegram's public names: 5-32 characters, a letter first, then letters, digits, underscores.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?([^/?#\s]+)/?", re.I)


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
    if page.text is None or not is_preview(page.text):
        raise NoPreviewError(f"{key} has no public preview (ended at {page.final_url})")
    return parse_preview(key, page.text)


async def read_new_posts(
    fetcher: Fetcher, base_url: str, key: str, newer_than: int, max_pages: int
) -> list[ChannelPost]:
    """The posts after post `newer_than`, oldest first, following older pages up to `max_pages`."""
    posts: dict[int, ChannelPost] = {}
    before: int | None = None
    for _ in range(max_pages):
        page = await read_page(fetcher, base_url, key, before)
        posts.update({i.post.post_id: i.post for i in page.posts if i.post.post_id > newer_than})
        oldest = min((item.post.post_id for item in page.posts), default=0)
        if page.before is None or oldest <= newer_than + 1:
            break  # nothing older, or the page already reaches what is kept
        before = page.before
    return [posts[post_id] for post_id in sorted(posts)]
