"""What chats share, kept for their digests: collecting links, building and dating digests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.digest.build import Digest, build_digest
from bot.core.digest.followup import digest_material
from bot.core.digest.recap import Recap, RecapWriter
from bot.core.models import Article, Summary
from bot.core.store import clock
from bot.core.store.types import DIGEST_SOURCE, KeptMessage, SharedLink, Store

# How often old digest items and expired cache entries are deleted (checked as links arrive).
PRUNE_EVERY_S = 3600.0
# Where a chat's settings document keeps when each topic's last digest was made.
_LAST_DIGESTS = "last_digests"

ReadURL = Callable[[str], Awaitable[Article]]
DigestLine = Callable[[Article, str | None], Awaitable[Summary]]


@dataclass(frozen=True)
class DigestSent:
    """A digest as posted: its messages, their text, and whether it began with a recap."""

    message_ids: Sequence[int]
    title: str
    text: str
    recap: bool


@dataclass
class ChatDigests:
    """The links chats shared and the digests made of them; articles are read by the service."""

    store: Store
    read_url: ReadURL
    line: DigestLine  # an article in one line, through the shared summary cache
    retention: timedelta = timedelta(days=30)
    recaps: RecapWriter | None = None  # None: no model to write recaps
    _pruned_at: float | None = None

    async def collect_links(self, links: Sequence[SharedLink]) -> None:
        """Record links a chat shared, for its digests (and now and then forget old ones)."""
        await self.store.add_shared_links(links)
        await self._prune()

    async def keep_messages(self, messages: Sequence[KeptMessage]) -> None:
        """Keep messages' texts, for the chat's recaps (and now and then forget old ones)."""
        await self.store.add_kept_messages(messages)
        await self._prune()

    async def recap(
        self, chat_id: int, thread_id: int, since: datetime, language: str | None
    ) -> Recap | None:
        """The recap of what the topic said since `since`; None when nothing was kept."""
        messages = await self.store.kept_messages(chat_id, thread_id, since)
        if not messages:
            return None
        if self.recaps is None:
            return Recap(no_model=True)
        return await self.recaps(messages, language)

    async def remember(
        self, chat_id: int, thread_id: int, since: datetime, digest: Digest, sent: DigestSent
    ) -> None:
        """Remember what the digest's messages covered, so that replies to them are answered
        from its articles and the messages it recapped (the reply machinery of summaries)."""
        messages = await self.store.kept_messages(chat_id, thread_id, since) if sent.recap else []
        material = digest_material(digest, messages, sent.title)
        article_id = await self.store.save_article(chat_id, material, DIGEST_SOURCE, thread_id)
        await self.store.set_summary(article_id, sent.text)
        await self.store.link_messages(chat_id, sent.message_ids, article_id)

    async def _prune(self) -> None:
        due = self._pruned_at is None or time.monotonic() - self._pruned_at >= PRUNE_EVERY_S
        if due:
            self._pruned_at = time.monotonic()
            moment = clock.now()
            await self.store.prune_kept(shared_before=moment - self.retention, at=moment)

    async def digest(
        self, chat_id: int, thread_id: int, since: datetime, language: str | None
    ) -> Digest:
        """The articles the chat's topic shared since `since`, each summarized in one line."""
        links = await self.store.shared_links(chat_id, thread_id, since)
        return await build_digest(
            links, self.read_url, lambda article: self.line(article, language)
        )

    async def last_digest(self, chat_id: int, thread_id: int) -> datetime | None:
        """When the topic's last digest was made; None before the first."""
        document = await self.store.get_chat_settings(chat_id)
        made = (document.get(_LAST_DIGESTS) or {}).get(str(thread_id))
        return datetime.fromisoformat(made) if isinstance(made, str) else None

    async def mark_digest(self, chat_id: int, thread_id: int, made_at: datetime) -> None:
        """Remember when the topic's digest was made: the next one starts there."""
        document = await self.store.get_chat_settings(chat_id)
        made = dict(document.get(_LAST_DIGESTS) or {}) | {str(thread_id): made_at.isoformat()}
        await self.store.set_chat_settings(chat_id, document | {_LAST_DIGESTS: made})
