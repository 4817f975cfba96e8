"""What chats share, kept for their digests: collecting links, building and dating digests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.digest.build import Digest, build_digest
from bot.core.digest.schedule import Schedule, parse_schedule
from bot.core.models import Article, Summary
from bot.core.store import clock
from bot.core.store.types import SharedLink, Store

# How often old digest items and expired cache entries are deleted (checked as links arrive).
PRUNE_EVERY_S = 3600.0
# Where a chat's settings document keeps when each topic's last digest was made.
_LAST_DIGESTS = "last_digests"

ReadURL = Callable[[str], Awaitable[Article]]
DigestLine = Callable[[Article, str | None], Awaitable[Summary]]


@dataclass
class ChatDigests:
    """The links chats shared and the digests made of them; articles are read by the service."""

    store: Store
    read_url: ReadURL
    line: DigestLine  # an article in one line, through the shared summary cache
    retention: timedelta = timedelta(days=30)
    _pruned_at: float | None = None

    async def collect_links(self, links: Sequence[SharedLink]) -> None:
        """Record links a chat shared, for its digests (and now and then forget old ones)."""
        await self.store.add_shared_links(links)
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

    async def set_schedule(
        self, chat_id: int, thread_id: int, words: list[str], at: datetime
    ) -> Schedule:
        """Schedule the topic's digest (`daily 09:00 Europe/Berlin`) from `at` on; raises
        ScheduleError."""
        schedule = parse_schedule(words)
        next_at = schedule.next_after(at)
        await self.store.set_schedule(chat_id, thread_id, schedule.spec, next_at)
        return schedule

    async def drop_schedule(self, chat_id: int, thread_id: int) -> bool:
        """Stop the topic's scheduled digest; False when it had none."""
        return await self.store.drop_schedule(chat_id, thread_id)

    async def schedule(self, chat_id: int, thread_id: int) -> Schedule | None:
        """The topic's digest schedule, if it has one."""
        stored = await self.store.get_schedule(chat_id, thread_id)
        return parse_schedule(stored.spec.split()) if stored is not None else None
