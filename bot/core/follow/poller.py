"""Poll followed channels: one read per channel per interval, shared by every follower."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.errors import FetchError, NoPreviewError, SummarybotError
from bot.core.follow.reader import Fetcher, read_new_posts
from bot.core.store.channel_types import ChannelPoll
from bot.core.store.types import Store

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_FAILURES_TO_TELL = 3  # a fetch error may pass; a channel failing this often is told about
_BACKOFF_CAP = timedelta(days=1)


@dataclass(frozen=True)
class PollOutcome:
    """What polling one channel did, and whom to tell when it stopped working."""

    channel: str
    new_posts: int
    error: SummarybotError | None = None
    tell: tuple[int, ...] = ()  # followers to tell of `error`: once, when it starts to count


def next_slot(channel: str, after: datetime, interval: timedelta) -> datetime:
    """The channel's next poll after `after`: a fixed per-channel phase spreads channels out."""
    step = max(int(interval.total_seconds()), 1)
    phase = zlib.crc32(channel.encode()) % step
    elapsed = int((after - _EPOCH).total_seconds()) - phase
    return _EPOCH + timedelta(seconds=(elapsed // step + 1) * step + phase)


@dataclass
class ChannelPoller:
    """Reads due channels' new posts into the store; `clock` is injectable for tests."""

    store: Store
    fetcher: Fetcher
    base_url: str
    interval: timedelta
    clock: Callable[[], datetime]
    max_pages: int = 5

    async def poll_due(self) -> list[PollOutcome]:
        """Poll every channel due now, each claimed so that only one replica reads it; next
        polls count from this moment, however long the reads take."""
        at = self.clock()
        outcomes = []
        while (poll := await self.store.claim_channel_poll(at, at + self.interval)) is not None:
            outcomes.append(await self._poll(poll, at))
        return outcomes

    async def _poll(self, poll: ChannelPoll, at: datetime) -> PollOutcome:
        # A first read keeps the latest page only, not the channel's whole history.
        pages = self.max_pages if poll.last_post_id else 1
        try:
            posts = await read_new_posts(
                self.fetcher, self.base_url, poll.channel, poll.last_post_id, pages
            )
        except (NoPreviewError, FetchError) as exc:
            return await self._failed(poll, exc, at)
        await self.store.add_channel_posts(posts)
        newest = max((post.post_id for post in posts), default=poll.last_post_id)
        await self.store.channel_polled(
            poll.channel, newest, next_slot(poll.channel, at, self.interval)
        )
        return PollOutcome(poll.channel, len(posts))

    async def _failed(self, poll: ChannelPoll, error: SummarybotError, at: datetime) -> PollOutcome:
        backoff = min(self.interval * 2 ** (poll.failures + 1), _BACKOFF_CAP)
        failures = await self.store.channel_poll_failed(poll.channel, at + backoff)
        threshold = 1 if isinstance(error, NoPreviewError) else _FAILURES_TO_TELL
        tell = await self.store.channel_followers(poll.channel) if failures == threshold else []
        return PollOutcome(poll.channel, 0, error, tuple(tell))
