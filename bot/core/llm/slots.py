"""The model's call slots: shared round-robin between requesters, their number adapted (AIMD).

A FIFO bound lets one requester's dozens of map calls (a long article, a big digest) hold every
slot while a one-link user waits behind all of them; here each free slot goes to the waiting
requester that holds the fewest, in turn among equals. The number of slots starts at a generous ceiling, halves when the provider
says 429 or its rate-limit headers run low, and creeps back up while calls succeed.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import AsyncIterator, Hashable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

# Below this share of the provider's per-minute allowance left, back off before the 429s.
LOW_REMAINING_SHARE = 0.1
# Slots gained per successful call: from half the ceiling back to it in 2 x ceiling calls.
INCREASE_PER_CALL = 0.25
_HEADER = "x-ratelimit-{}-{}"


@dataclass(frozen=True)
class Slot:
    """One granted slot, and the limit epoch it started in (one back-off per epoch)."""

    epoch: int


class FairSlots:
    """Up to `limit` calls at once, each free slot handed to the next waiting requester."""

    def __init__(self, ceiling: int, floor: int = 1) -> None:
        self.ceiling = ceiling
        self.floor = min(floor, ceiling)
        self._limit = float(ceiling)
        self.in_use = 0
        self._epoch = 0  # bumped at each back-off
        self._queues: dict[Hashable, deque[asyncio.Future[None]]] = {}
        self._held: Counter[Hashable] = Counter()  # slots in use per requester
        self._turns = 0
        self._last_turn: dict[Hashable, int] = {}  # when each requester last got a slot

    @property
    def limit(self) -> int:
        """Calls allowed at once now."""
        return int(self._limit)

    @property
    def waiting(self) -> int:
        """Calls waiting for a slot."""
        return sum(len(queue) for queue in self._queues.values())

    @asynccontextmanager
    async def slot(self, requester: Hashable) -> AsyncIterator[Slot]:
        """Hold one slot for `requester` (a chat, a user) while the block runs."""
        await self._acquire(requester)
        try:
            yield Slot(self._epoch)
        finally:
            self._release(requester)

    def backed_off(self, slot: Slot) -> None:
        """The provider refused (429): halve the limit, once for all calls of the same epoch."""
        if slot.epoch != self._epoch:
            return  # a call that started before the last back-off says nothing new
        self._epoch += 1
        self._limit = max(float(self.floor), self._limit / 2)

    def succeeded(self, slot: Slot, headers: Mapping[str, str]) -> None:
        """A call went through: back off if the provider's allowance runs low, else grow."""
        if _running_low(headers):
            self.backed_off(slot)
            return
        self._limit = min(float(self.ceiling), self._limit + INCREASE_PER_CALL)
        self._wake()

    async def _acquire(self, requester: Hashable) -> None:
        if self.in_use < self.limit and not self._queues:
            self._take(requester)
            return
        waiter = asyncio.get_running_loop().create_future()
        self._queues.setdefault(requester, deque()).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(requester)  # granted just as it was cancelled: pass it on
            else:
                self._forget(requester, waiter)
            raise

    def _take(self, requester: Hashable) -> None:
        self.in_use += 1
        self._held[requester] += 1
        self._turns += 1
        self._last_turn[requester] = self._turns

    def _release(self, requester: Hashable) -> None:
        self.in_use -= 1
        self._held[requester] -= 1
        if not self._held[requester]:
            del self._held[requester]
            self._drop_turn(requester)
        self._wake()

    def _wake(self) -> None:
        """Grant free slots to the requesters holding fewest, the longest unserved first."""
        while self._queues and self.in_use < self.limit:
            requester = min(self._queues, key=self._precedence)
            queue = self._queues[requester]
            waiter = queue.popleft()
            if not queue:
                del self._queues[requester]
            if waiter.done():  # cancelled, its task not yet run: it wants no slot
                self._drop_turn(requester)
                continue
            self._take(requester)
            waiter.set_result(None)

    def _precedence(self, requester: Hashable) -> tuple[int, int]:
        return self._held[requester], self._last_turn.get(requester, 0)

    def _forget(self, requester: Hashable, waiter: asyncio.Future[None]) -> None:
        queue = self._queues.get(requester)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self._queues[requester]
        self._drop_turn(requester)

    def _drop_turn(self, requester: Hashable) -> None:
        """Forget when a requester last got a slot once it neither holds nor waits for one."""
        if requester not in self._held and requester not in self._queues:
            self._last_turn.pop(requester, None)


def _running_low(headers: Mapping[str, str]) -> bool:
    """True when the provider's headers say little of its request or token allowance is left."""
    for kind in ("requests", "tokens"):
        remaining = _number(headers.get(_HEADER.format("remaining", kind)))
        allowed = _number(headers.get(_HEADER.format("limit", kind)))
        if remaining is None:
            continue
        if remaining <= (allowed * LOW_REMAINING_SHARE if allowed else 0.0):
            return True
    return False


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # a proxy's odd header is no reason to fail a call
