"""How many bot processes share the work: each beats in the store every few seconds.

Limits that hold for the bot as a whole (Telegram's messages per second) are divided among
the processes alive: a process that dies stops beating and its share returns to the others
within a few beats; one that stops leaves at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core.errors import StoreError
from bot.core.store.types import Store

log = logging.getLogger(__name__)

OnCount = Callable[[int], None]
BEATS_ALIVE = 3  # a process silent for this many beats is taken for dead


class Replicas:
    """This process's heartbeat, and the number of processes alive as of the last beat."""

    def __init__(self, store: Store, owner: str, beat_s: float, on_count: OnCount) -> None:
        self.count = 1
        self.beat_s = beat_s
        self._store = store
        self._owner = owner
        self._on_count = on_count

    async def beat(self) -> None:
        """Say this process is alive and learn how many are; `on_count` hears of a change."""
        try:
            count = await self._store.heartbeat(self._owner, self.beat_s * BEATS_ALIVE)
        except StoreError as exc:
            # The last count stays: a store that fails now and then must not double the rate.
            log.warning("could not record this process's heartbeat (%s)", exc)
            return
        if count != self.count:
            log.info("%s bot process(es) share the work", count)
            self.count = count
            self._on_count(count)

    async def leave(self) -> None:
        """Leave at a stop, so that the others take this process's share at once."""
        try:
            await self._store.leave(self._owner)
        except StoreError as exc:
            log.warning("could not remove this process's heartbeat (%s)", exc)
