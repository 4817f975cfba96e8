"""Telegram's outgoing limits for the bot as a whole, shared among its processes.

Telegram allows a bot about 30 messages per second, and 20 per minute in one group, however
many processes send them. Each process runs PTB's limiter at its share: the limits divided
by the number of processes alive (`bot.core.work.replicas` counts them every few seconds).
What the user waits for goes first: typing actions, drafts and the edits of a streamed preview
are skipped when the budget is short; a reply never is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.constants import FloodLimit
from telegram.ext import AIORateLimiter

GROUP_PERIOD_S = 60.0
# Calls that only show progress: sent while the budget has room to spare, else skipped, so a
# burst's replies never queue behind "typing..." or a streamed preview.
YIELDING = frozenset({"sendChatAction", "sendMessageDraft"})
# Set while a call that is progress by its purpose, not its method, is made: a preview's edit
# is an editMessageText like the final text that replaces it, which must never be skipped.
_PROGRESS: ContextVar[bool] = ContextVar("telegram_progress", default=False)
# The share of a bucket kept for replies: progress is skipped once less than this is left.
RESERVED_SHARE = 0.25


@contextmanager
def progress() -> Iterator[None]:
    """Mark the Bot API calls made in the block as progress: skipped when the budget is short
    (a skipped call returns True, which the caller takes as done)."""
    token = _PROGRESS.set(True)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


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

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Send through the limiter; progress calls yield to replies when the budget is short."""
        yielding = endpoint in YIELDING or _PROGRESS.get()
        if yielding and self._short(data.get("chat_id")):
            return True  # as Telegram answers an action or a draft; an edit keeps its message
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    def _short(self, chat_id: object) -> bool:
        """True when the overall bucket, or this group's, has less than its reserve left."""
        buckets = [self._base_limiter]
        if isinstance(chat_id, int) and chat_id < 0:
            buckets.append(self._group_limiters.get(chat_id))
        return any(
            bucket is not None and not bucket.has_capacity(_spare(bucket)) for bucket in buckets
        )

    def rates(self) -> tuple[float, float]:
        """The limits applied now: messages per second, and per minute in one group."""
        base = self._base_limiter
        overall = base.max_rate / base.time_period if base is not None else 0.0
        group = self._group_max_rate / self._group_time_period * GROUP_PERIOD_S
        return overall, group


def _spare(bucket: AsyncLimiter) -> float:
    """Room a progress call needs: itself and the reserve (a one-message bucket: just itself)."""
    return min(bucket.max_rate, 1 + bucket.max_rate * RESERVED_SHARE)


def _bucket(rate: float, period_s: float) -> tuple[float, float]:
    """A bucket of at least one message (aiolimiter refuses a smaller one) for `rate` per
    `period_s`: a slower share waits longer between messages rather than send fractions."""
    size = max(1.0, rate)
    return size, period_s * size / rate
