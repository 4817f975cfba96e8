"""The follow objects a service builds: follows and the channel poller, sharing its fetcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.follow.follows import Follows
from bot.core.follow.poller import ChannelPoller
from bot.core.follow.reader import Fetcher
from bot.core.store.types import Store


@dataclass(frozen=True)
class FollowConfig:
    """Where public channel previews are read, and how often."""

    base_url: str = "https://t.me"
    interval: timedelta = timedelta(hours=1)


def follow_parts(
    store: Store, fetcher: Fetcher, config: FollowConfig, clock: Callable[[], datetime]
) -> tuple[Follows, ChannelPoller]:
    """The user-facing follows and the poller, both reading through `fetcher` on `clock`."""
    follows = Follows(store, fetcher, config.base_url, config.interval, clock)
    poller = ChannelPoller(store, fetcher, config.base_url, config.interval, clock)
    return follows, poller
