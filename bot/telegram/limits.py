"""Telegram's outgoing limits for the bot as a whole, shared among its processes.

Telegram allows a bot about 30 messages per second, and 20 per minute in one group, however
many processes send them. Each process runs PTB's limiter at its share: the limits divided
by the number of processes alive (`bot.core.work.replicas` counts them every few seconds).
"""

from __future__ import annotations

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter

GROUP_PERIOD_S = 60.0


class SharedRateLimiter(AIORateLimiter):
    """PTB's rate limiter at this process's share of the bot's limits."""

    def __init__(
        self,
        messages_per_second: float,
        group_messages_per_minute: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        max_retries: int = 3,
    ) -> None:
        super().__init__(
            overall_max_rate=messages_per_second,
            overall_time_period=1,
            group_max_rate=group_messages_per_minute,
            group_time_period=GROUP_PERIOD_S,
            max_retries=max_retries,
        )
        self._bot_rates = (messages_per_second, group_messages_per_minute)
        self.replicas = 1

    def share(self, replicas: int) -> None:
        """Take a `replicas`-th of the bot's limits (every process does the same)."""
        replicas = max(1, replicas)
        if replicas == self.replicas:
            return
        self.replicas = replicas
        overall, group = self._bot_rates
        self._base_limiter = AsyncLimiter(*_bucket(overall / replicas, 1.0))
        self._group_max_rate, self._group_time_period = _bucket(group / replicas, GROUP_PERIOD_S)
        # Group buckets are made on first use at the rate of the day; old ones go.
        self._group_limiters.clear()

    def rates(self) -> tuple[float, float]:
        """The limits applied now: messages per second, and per minute in one group."""
        base = self._base_limiter
        overall = base.max_rate / base.time_period if base is not None else 0.0
        group = self._group_max_rate / self._group_time_period * GROUP_PERIOD_S
        return overall, group


def _bucket(rate: float, period_s: float) -> tuple[float, float]:
    """A bucket of at least one message (aiolimiter refuses a smaller one) for `rate` per
    `period_s`: a slower share waits longer between messages rather than send fractions."""
    size = max(1.0, rate)
    return size, period_s * size / rate
