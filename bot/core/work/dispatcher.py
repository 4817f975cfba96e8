"""The dispatcher: runs stored requests, conversations side by side, each in its order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.errors import StoreError
from bot.core.store.types import ClaimedRequest, Store
from bot.core.work.replicas import OnCount, Replicas

log = logging.getLogger(__name__)

Handle = Callable[[ClaimedRequest], Awaitable[None]]
# Telegram redelivers an update for at most a day: answered requests are kept that long to
# recognise it, then forgotten (checked every PRUNE_EVERY_S).
KEEP_DONE = timedelta(days=1)
PRUNE_EVERY_S = 3600.0


@dataclass(frozen=True)
class WorkConfig:
    """How many requests run at once, and how long a lease lasts unless renewed."""

    concurrency: int = 512  # each waits mostly on the network
    lease_s: float = 60.0  # a dead process's work is taken over after at most this long
    idle_poll_s: float = 5.0  # an idle dispatcher looks for expired leases this often
    heartbeat_s: float = 5.0  # how often a process counts the processes sharing the work


def process_owner() -> str:
    """A name for this process's leases, unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    """Claims requests from the store and runs `handle` for each, up to `concurrency` at once.

    The store hands out only the head of each conversation, so one conversation never runs
    two requests together and a busy conversation holds one slot, not all of them.
    """

    def __init__(
        self,
        store: Store,
        handle: Handle,
        config: WorkConfig,
        on_replicas: OnCount | None = None,
    ) -> None:
        self.owner = process_owner()
        self.stopping = False
        self.store = store
        self.replicas = Replicas(store, self.owner, config.heartbeat_s, on_replicas or _ignore)
        self._handle = handle
        self._config = config
        self._wake = asyncio.Event()
        self._running: dict[str, tuple[ClaimedRequest, asyncio.Task[None]]] = {}
        self._cancelled: set[int] = set()  # requests stopped for /cancel (each only once)
        self._loops: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start claiming work and renewing leases."""
        self._loops = [
            asyncio.create_task(self._claim_loop(), name="work-claim"),
            asyncio.create_task(self._renew_loop(), name="work-renew"),
            asyncio.create_task(self._heartbeat_loop(), name="work-heartbeat"),
        ]

    def wake(self) -> None:
        """New requests were stored: look for work now rather than at the next poll."""
        self._wake.set()

    async def cancel(self, conversation: str) -> bool:
        """Stop the conversation's request in flight, whichever process runs it; False when
        none runs. The store tells the one holding it (this one, maybe)."""
        return await self.store.request_cancel(conversation)

    def _cancel_here(self, request_id: int) -> None:
        """A cancel was requested: stop the request if it runs here."""
        if self.stopping or request_id in self._cancelled:
            return
        for request, task in self._running.values():
            if request.id == request_id and not task.done():
                self._cancelled.add(request_id)
                task.cancel()

    async def drain(self) -> None:
        """Wait until the work in flight now has finished (what waits behind it may start)."""
        work = [asyncio.shield(task) for _, task in self._running.values()]
        await asyncio.gather(*work, return_exceptions=True)

    def halt(self) -> None:
        """Claim nothing more and stop the work in flight; `stop` waits for it."""
        if self.stopping:
            return  # cancelled once: a second cancel would cut short its note to the user
        self.stopping = True
        for loop in self._loops:
            loop.cancel()
        for _, task in self._running.values():
            task.cancel()

    async def stop(self) -> None:
        """Claim nothing more, stop the work in flight and give it back to the store."""
        self.halt()
        work = [task for _, task in self._running.values()]
        await asyncio.gather(*self._loops, *work, return_exceptions=True)
        if self._loops:
            self._loops = []
            await self.replicas.leave()

    async def _claim_loop(self) -> None:
        await self._watch_cancels()
        while True:
            self._wake.clear()  # before the claim: a request stored meanwhile wakes us again
            free = self._config.concurrency - len(self._running)
            claimed = await self._claim(free) if free > 0 else []
            if self.stopping:  # a cancel can be lost in a store call: stop here all the same
                await self._give_back(claimed)
                return
            for request in claimed:
                task = asyncio.create_task(self._run(request), name=f"work-{request.update_id}")
                self._running[request.conversation] = (request, task)
            if len(claimed) < free or free <= 0:
                # Nothing more to take, or no room: until news, a finish, or the next poll.
                # asyncio.timeout, not wait_for: 3.11's wait_for swallows a cancel that comes
                # as the event is set.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._config.idle_poll_s):
                        await self._wake.wait()

    async def _give_back(self, claimed: list[ClaimedRequest]) -> None:
        """Requests claimed as the process began to stop: for the next process to take."""
        for request in claimed:
            await self._settle(self.store.release_request(request.id, self.owner))

    async def _watch_cancels(self) -> None:
        try:
            await self.store.watch_cancels(self._cancel_here)
        except StoreError:
            log.exception("cancels will be noticed at lease renewals only")

    async def _claim(self, limit: int) -> list[ClaimedRequest]:
        try:
            return await self.store.claim_requests(self.owner, self._config.lease_s, limit)
        except StoreError:
            log.exception("could not take work from the store")
            return []

    async def _run(self, request: ClaimedRequest) -> None:
        try:
            if await self._work(request):
                await self._settle(self.store.finish_request(request.id, self.owner))
            else:
                # Not answered: the next process to start (or another one) does it again.
                await self._settle(self.store.release_request(request.id, self.owner))
        finally:
            self._running.pop(request.conversation, None)
            self._cancelled.discard(request.id)
            self._wake.set()  # the conversation's next request may run now

    async def _work(self, request: ClaimedRequest) -> bool:
        """Run the request; False when the process is stopping and it must be redone."""
        if request.cancel_requested:  # its process died after the user's /cancel
            log.info("request %s was cancelled before it was taken over", request.update_id)
            return True
        try:
            await self._handle(request)
        except asyncio.CancelledError:
            if self.stopping:
                return False
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the user's /cancel ends this request, not the task
            log.info("request %s was cancelled by the user", request.update_id)
        except Exception:
            # A bug: logged, and not redone over and over.
            log.exception("request %s failed", request.update_id)
        return True

    async def _settle(self, write: Awaitable[None]) -> None:
        """Write to the store, logging a failure: a lost outcome is redone once its lease ends."""
        try:
            await write
        except StoreError:
            log.exception("could not record the outcome of a request")

    async def _heartbeat_loop(self) -> None:
        while True:
            await self.replicas.beat()
            await asyncio.sleep(self.replicas.beat_s)

    async def _renew_loop(self) -> None:
        interval = self._config.lease_s / 3
        pruned = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            if self._running:
                await self._renew()
            if time.monotonic() - pruned >= PRUNE_EVERY_S:
                pruned = time.monotonic()
                await self._settle(self.store.prune_requests(datetime.now(UTC) - KEEP_DONE))

    async def _renew(self) -> None:
        try:
            cancelled = await self.store.renew_leases(self.owner, self._config.lease_s)
        except StoreError:
            log.exception("could not renew the leases")
            return
        for request_id in cancelled:  # in case the store's announcement was missed
            self._cancel_here(request_id)


def _ignore(count: int) -> None:
    """No limit to share."""
