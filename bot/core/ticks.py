"""The loops that tick until cancelled: the digest scheduler's and the followed channels' poll."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.core.errors import SummarybotError

log = logging.getLogger(__name__)


async def tick_forever(tick: Callable[[], Awaitable[object]], tick_s: float, what: str) -> None:
    """Call `tick` every `tick_s` until cancelled; a failing tick (the store or a fetch failed)
    is logged as "could not `what`" and the next one tries again."""
    while True:
        try:
            await tick()
        except SummarybotError as exc:
            log.warning("could not %s: %s", what, exc)
        await asyncio.sleep(tick_s)
