"""What chats share, kept for their digests: collecting links, building and dating digests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.digest.build import Digest, build_digest, group_shares
from bot.core.digest.channels import ChannelDigest, build_channel_digest, item_count
from bot.core.digest.followup import digest_material
from bot.core.digest.recap import Recap, RecapWriter
from bot.core.digest.schedule import Schedule, parse_schedule, schedule_of
from bot.core.models import Article, Summary
from bot.core.store import clock
from bot.core.store.channel_types import ChannelPost, ConnectedChannel, Disconnection
from bot.core.store.schedule_types import ChannelSource
from bot.core.store.types import DIGEST_SOURCE, KeptMessage, SharedLink, Store
from bot.core.usage.budgets import Requester

# How often old digest items and expired cache entries are deleted (checked as links arrive).
PRUNE_EVERY_S = 3600.0
# Where a chat's settings document keeps when each topic's last digest was made.
_LAST_DIGESTS = "last_digests"
# Beside topics', the marker of a private chat's digest of its user's channels: asked for with
# /digest or scheduled, the next one starts where either left off.
USER_CHANNELS = "channels"

ReadURL = Callable[[str], Awaitable[Article]]
# Lines for a digest of so many articles, in a language, within a requester's budgets.
DigestLines = Callable[
    [int, str | None, Requester | None],
    AbstractAsyncContextManager[Callable[[Article], Awaitable[Summary]]],
]
# Whether a connected channel's user still administers it (a front end asks its platform).
AdminCheck = Callable[[ConnectedChannel], Awaitable[bool]]


@dataclass(frozen=True)
class DigestSent:
    """A digest as posted: its messages, their text, and the messages its recap was made from
    (none without a recap)."""

    message_ids: Sequence[int]
    title: str
    text: str
    recapped: Sequence[KeptMessage]


@dataclass(frozen=True)
class UserChannels:
    """What a user's private digest covers: the channels followed (their keys) and those
    connected that the user still administers."""

    followed: Sequence[str]
    connected: Sequence[ConnectedChannel]

    @property
    def keys(self) -> list[str]:
        """Every channel's key, the followed first."""
        return [*self.followed, *(channel.channel for channel in self.connected)]


@dataclass
class ChatDigests:
    """The links chats shared and the digests made of them; articles are read by the service."""

    store: Store
    read_url: ReadURL
    lines: DigestLines  # articles in one line, through the shared summary cache, metered
    read_text: ReadURL  # pasted text as an article (a channel's post without links)
    retention: timedelta = timedelta(days=30)
    recaps: RecapWriter | None = None  # None: no model to write recaps
    _pruned_at: float | None = None

    async def collect_links(self, links: Sequence[SharedLink]) -> None:
        """Record links a chat shared, for its digests (and now and then forget old ones)."""
        await self.store.add_shared_links(links)
        await self._prune()

    async def collect_posts(self, posts: Sequence[ChannelPost]) -> None:
        """Record channel posts (an edited post replaces the one kept), for their digests."""
        await self.store.add_channel_posts(posts)
        await self._prune()

    async def keep_messages(self, messages: Sequence[KeptMessage]) -> None:
        """Keep messages' texts, for the chat's recaps (and now and then forget old ones)."""
        await self.store.add_kept_messages(messages)
        await self._prune()

    async def recap(
        self,
        chat_id: int,
        thread_id: int,
        since: datetime,
        language: str | None,
        who: Requester | None = None,
    ) -> Recap | None:
        """The recap of what the topic said since `since`, within `who`'s budgets (the chat's
        included); None when nothing was kept."""
        messages = await self.store.kept_messages(chat_id, thread_id, since)
        if not messages:
            return None
        if self.recaps is None:
            return Recap(no_model=True)
        recap = await self.recaps(messages, language, who)
        return replace(recap, messages=tuple(messages)) if recap.topics else recap

    async def remember(
        self, chat_id: int, thread_id: int, digest: Digest, sent: DigestSent
    ) -> None:
        """Remember what the digest's messages covered, so that replies to them are answered
        from its articles and the messages it recapped (the reply machinery of summaries)."""
        material = digest_material(digest, sent.recapped, sent.title)
        article_id = await self.store.save_article(chat_id, material, DIGEST_SOURCE, thread_id)
        await self.store.set_summary(article_id, sent.text)
        await self.store.link_messages(chat_id, sent.message_ids, article_id)

    async def _prune(self) -> None:
        """Now and then, forget digest items older than the retention and expired summaries."""
        due = self._pruned_at is None or time.monotonic() - self._pruned_at >= PRUNE_EVERY_S
        if due:
            self._pruned_at = time.monotonic()
            moment = clock.now()
            await self.store.prune_kept(shared_before=moment - self.retention, at=moment)

    async def digest(
        self,
        chat_id: int,
        thread_id: int,
        since: datetime,
        language: str | None,
        who: Requester | None = None,
    ) -> Digest:
        """The articles the chat's topic shared since `since`, each summarized in one line
        (within `who`'s budgets, the chat's included)."""
        links = await self.store.shared_links(chat_id, thread_id, since)
        async with self.lines(len(group_shares(links)), language, who) as line:
            return await build_digest(links, self.read_url, line)

    async def channel_digest(
        self, channel: str, since: datetime, language: str | None, who: Requester | None = None
    ) -> ChannelDigest:
        """The channel's posts since `since` (channel: "@name" or the chat id in decimal),
        within `who`'s budgets."""
        return (await self.channels_digest([channel], since, language, who))[0]

    async def channels_digest(
        self,
        channels: Sequence[str],
        since: datetime,
        language: str | None,
        who: Requester | None = None,
    ) -> list[ChannelDigest]:
        """One digest of several channels, grouped by channel in the order given, with one
        budget check for all of it."""
        posts = [await self.store.channel_posts(channel, since) for channel in channels]
        async with self.lines(sum(map(item_count, posts)), language, who) as line:
            return [
                await build_channel_digest(channel, found, self.read_url, self.read_text, line)
                for channel, found in zip(channels, posts, strict=True)
            ]

    async def connect_channel(self, channel: ConnectedChannel) -> bool:
        """Connect a channel the user administers; False when it already was."""
        return await self.store.connect_channel(channel)

    async def disconnect_channel(self, user_id: int, channel: str) -> Disconnection:
        """End a connection, and the channel's schedule the user set; what there was of
        either."""
        return await self.store.disconnect_channel(user_id, channel)

    async def connected_channels(self, user_id: int) -> list[ConnectedChannel]:
        """The channels the user connected."""
        return await self.store.connected_channels(user_id)

    async def connection(self, user_id: int, channel: str) -> ConnectedChannel | None:
        """The user's connection to the channel (by its key), if they have one."""
        found = await self.store.connected_channels(user_id)
        return next((connected for connected in found if connected.channel == channel), None)

    async def user_channels(self, user_id: int, still_admin: AdminCheck) -> UserChannels:
        """The channels a user's private digest covers, asked for or scheduled: every one they
        follow, and every one they connected and still administer."""
        connected = await self.store.connected_channels(user_id)
        administered = [channel for channel in connected if await still_admin(channel)]
        return UserChannels(await self.store.followed_channels(user_id), administered)

    async def last_digest(self, chat_id: int, thread_id: int | str) -> datetime | None:
        """When the topic's (or a channel's, by its key) last digest was made in the chat;
        None before the first."""
        return _last_digest(await self.store.get_chat_settings(chat_id), thread_id)

    async def mark_digest(self, chat_id: int, thread_id: int | str, made_at: datetime) -> None:
        """Remember when the topic's (or channel's) digest was made: the next one starts there
        (an earlier mark than the one kept changes nothing, so marking again is harmless)."""
        document = await self.store.get_chat_settings(chat_id)
        kept = _last_digest(document, thread_id)
        if kept is not None and kept >= made_at:
            return
        made = dict(document.get(_LAST_DIGESTS) or {}) | {str(thread_id): made_at.isoformat()}
        await self.store.set_chat_settings(chat_id, document | {_LAST_DIGESTS: made})

    async def set_schedule(
        self,
        chat_id: int,
        thread_id: int,
        words: list[str],
        at: datetime,
        source: ChannelSource | None = None,
    ) -> Schedule:
        """Schedule the topic's digest (`daily 09:00 Europe/Berlin`) from `at` on, or with
        `source` a channel's (keyed by it); raises ScheduleError."""
        schedule = parse_schedule(words)
        next_at = schedule.next_after(at)
        await self.store.set_schedule(chat_id, thread_id, schedule.spec, next_at, source)
        return schedule

    async def set_channel_schedule(
        self, source: ChannelSource, words: list[str], at: datetime
    ) -> Schedule:
        """Schedule a channel's digest, posted to `source`'s chat and topic (one per channel:
        setting it again moves it); raises a ScheduleError saying what is wrong."""
        return await self.set_schedule(int(source.channel), 0, words, at, source)

    async def channel_schedule(self, channel: str) -> tuple[Schedule, ChannelSource] | None:
        """A channel's digest schedule and where it goes, if it has one."""
        stored = await self.store.get_schedule(int(channel), 0)
        if stored is None or stored.source is None:
            return None
        return schedule_of(stored), stored.source

    async def drop_schedule(self, chat_id: int, thread_id: int) -> bool:
        """Stop the topic's scheduled digest; False when it had none."""
        return await self.store.drop_schedule(chat_id, thread_id)

    async def schedule(self, chat_id: int, thread_id: int) -> Schedule | None:
        """The topic's digest schedule, if it has one."""
        stored = await self.store.get_schedule(chat_id, thread_id)
        return schedule_of(stored) if stored is not None else None


def _last_digest(settings: dict[str, Any], thread_id: int | str) -> datetime | None:
    """When the chat settings say the topic's (or channel's) last digest was made."""
    made = (settings.get(_LAST_DIGESTS) or {}).get(str(thread_id))
    return datetime.fromisoformat(made) if isinstance(made, str) else None
