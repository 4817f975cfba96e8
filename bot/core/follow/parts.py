"""The follow objects a service builds: follows and the channel poller, sharing its fetcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.follow.follows import Follows
from bot.core.follow.poller import ChannelPoller
from bot.core.follow.reader import Fetcher
from bot.core.store import clock as store_clock
from bot.core.store.types import Store


@dataclass(frozen=True)
class FollowConfig:
    """Where public channel previews are read, how often, and the clock that says when."""

    base_url: str = "https://t.me"
    interval: timedelta = timedelta(hours=1)
    clock: Callable[[], datetime] = store_clock.now


def follow_parts(
    store: Store, fetcher: Fetcher, config: FollowConfig
) -> tuple[Follows, ChannelPoller]:
    """The user-facing follows and the poller, both reading through `fetcher`."""
    follows = Follows(store, fetcher, config.base_url, config.interval, config.clock)
    poller = ChannelPoller(store, fetcher, config.base_url, config.interval, config.clock)
    return follows, poller
