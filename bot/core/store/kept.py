"""The Store's summary cache and digest items (links groups shared, channel posts), portable SQL.

Both are kept for a while and then pruned: cache entries when they expire, digest items after
the retention period. Callers pass the time in, so tests can move it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.store.channel_types import ChannelPost
from bot.core.store.clock import as_datetime, as_utc
from bot.core.store.statements import Statements
from bot.core.store.types import DIGEST_SOURCE, SharedLink


class KeptQueries(Statements):
    """The Store's cache and digest-item methods; `SQLStore` supplies the statements."""

    async def cached_summary(self, key: str, at: datetime) -> str | None:
        """The cached summary document under `key`, unless it expired before `at`."""
        rows = await self._query(
            "SELECT summary FROM summary_cache WHERE key = ? AND expires_at > ?", key, as_utc(at)
        )
        return str(rows[0][0]) if rows else None

    async def keep_summary(
        self,
        keys: Sequence[str],
        url: str | None,
        document: str,
        made_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Cache a summary document under each of `keys` until `expires_at`, in one statement
        (a newer one replaces it)."""
        row = (url, document, as_utc(made_at), as_utc(expires_at))
        await self._statement(
            "INSERT INTO summary_cache (key, url, summary, created_at, expires_at) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?)"] * len(keys))
            + " ON CONFLICT (key) DO UPDATE SET summary = excluded.summary,"
            " created_at = excluded.created_at, expires_at = excluded.expires_at",
            *(value for key in keys for value in (key, *row)),
        )

    async def add_shared_links(self, links: Sequence[SharedLink]) -> None:
        """Record links shared in groups, for their digests."""
        if not links:
            return
        values = [
            value
            for link in links
            for value in (
                link.chat_id,
                link.thread_id,
                link.message_id,
                link.url,
                link.shared_by,
                as_utc(link.shared_at),
            )
        ]
        await self._statement(
            "INSERT INTO digest_items (chat_id, thread_id, message_id, url, shared_by, shared_at)"
            " VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(links)),
            *values,
        )

    async def shared_links(self, chat_id: int, thread_id: int, since: datetime) -> list[SharedLink]:
        """Links shared in the chat's topic at or after `since`, oldest first."""
        rows = await self._query(
            "SELECT chat_id, thread_id, message_id, url, shared_by, shared_at FROM digest_items"
            " WHERE chat_id = ? AND thread_id = ? AND shared_at >= ? ORDER BY shared_at, id",
            chat_id,
            thread_id,
            as_utc(since),
        )
        return [
            SharedLink(chat, thread, message, url, by, as_datetime(at))
            for chat, thread, message, url, by, at in rows
        ]

    async def add_channel_posts(self, posts: Sequence[ChannelPost]) -> None:
        """Record channel posts; a post already kept (same channel and id) is replaced (edits)."""
        for post in posts:
            await self._statement(
                "INSERT INTO channel_posts (channel, post_id, posted_at, text, links)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, post_id) DO UPDATE SET"
                " text = excluded.text, links = excluded.links",
                post.channel,
                post.post_id,
                as_utc(post.posted_at),
                post.text,
                json.dumps(list(post.links)),
            )

    async def channel_posts(self, channel: str, since: datetime) -> list[ChannelPost]:
        """The channel's posts made at or after `since`, oldest first."""
        rows = await self._query(
            "SELECT channel, post_id, posted_at, text, links FROM channel_posts"
            " WHERE channel = ? AND posted_at >= ? ORDER BY posted_at, post_id",
            channel,
            as_utc(since),
        )
        return [
            ChannelPost(name, post, as_datetime(at), text, tuple(_json(links)))
            for name, post, at, text, links in rows
        ]

    async def prune_kept(self, shared_before: datetime, at: datetime) -> None:
        """Forget links, posts and texts from before `shared_before`, cache entries expired at `at`."""
        await self._statement("DELETE FROM digest_items WHERE shared_at < ?", as_utc(shared_before))
        await self._statement(
            "DELETE FROM channel_posts WHERE posted_at < ?", as_utc(shared_before)
        )
        await self._statement("DELETE FROM kept_messages WHERE sent_at < ?", as_utc(shared_before))
        # What old digests covered holds kept texts too (message links and turns cascade).
        await self._statement(
            "DELETE FROM articles WHERE source = ? AND created_at < ?",
            DIGEST_SOURCE,
            as_utc(shared_before),
        )
        await self._statement("DELETE FROM summary_cache WHERE expires_at <= ?", as_utc(at))


def _json(value: Any) -> list[str]:
    """A JSON column as read back: text on SQLite, already decoded (or text) on PostgreSQL."""
    return [str(item) for item in (json.loads(value) if isinstance(value, str) else value)]
