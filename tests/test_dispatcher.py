"""The dispatcher: stops whenever it is told to, even in the same instant as news arrives, and
stops a request for /cancel whichever process asked."""

from __future__ import annotations

import asyncio

from bot.core.store.open import open_store
from bot.core.store.types import ClaimedRequest, NewRequest, Store
from bot.core.work.dispatcher import Dispatcher, Handle, WorkConfig
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

STOP_DEADLINE_S = 30.0  # a failure deadline for a busy machine, not a speed check


async def _idle(dispatcher: Dispatcher) -> None:
    """Let the claim loop reach its wait for news."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_halt_right_after_news_still_stops_the_claim_loop(store: Store) -> None:
    handled: list[int] = []

    async def handle(request: ClaimedRequest) -> None:
        handled.append(request.update_id)

    dispatcher = Dispatcher(store, handle, WorkConfig(idle_poll_s=3600))
    dispatcher.start()
    await _idle(dispatcher)
    await store.accept_requests([NewRequest(1, "1:0", 7, '{"update_id": 1}', False)])
    dispatcher.wake()  # news, and the stop in the same instant: the stop wins
    dispatcher.halt()
    await asyncio.wait_for(dispatcher.stop(), STOP_DEADLINE_S)
    assert handled == []  # nothing is taken once stopping


async def test_stop_waits_for_work_that_ends_its_note_after_the_cancel(store: Store) -> None:
    started, noted = asyncio.Event(), asyncio.Event()

    async def handle(request: ClaimedRequest) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # the "restarting" note to the user
            noted.set()
            raise

    dispatcher = Dispatcher(store, handle, WorkConfig(idle_poll_s=3600))
    await store.accept_requests([NewRequest(1, "1:0", 7, '{"update_id": 1}', False)])
    dispatcher.start()
    await asyncio.wait_for(started.wait(), STOP_DEADLINE_S)
    await asyncio.wait_for(dispatcher.stop(), STOP_DEADLINE_S)
    assert noted.is_set()
    again = await store.claim_requests("another", 30.0, 5)
    assert [request.update_id for request in again] == [1]  # given back, to be redone


def _blocking(started: asyncio.Event, outcome: list[str]) -> Handle:
    """A handler that runs until cancelled and notes how it ended."""

    async def handle(request: ClaimedRequest) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    return handle


async def test_a_cancel_asked_through_another_store_stops_the_work_here(
    store: Store, database_url: str
) -> None:
    # Two replicas: each has its own store (its own connections) on the same database. On
    # SQLite the one process's store is shared, as the bot does; on PostgreSQL NOTIFY tells.
    other = await open_store(database_url) if database_url.startswith("postgres") else store
    started, outcome = asyncio.Event(), list[str]()
    # No lease renewal during the test: the announcement alone must do it.
    dispatcher = Dispatcher(store, _blocking(started, outcome), WorkConfig(lease_s=3600))
    try:
        await store.accept_requests([NewRequest(1, "1:0", 7, '{"update_id": 1}', False)])
        dispatcher.start()
        await asyncio.wait_for(started.wait(), STOP_DEADLINE_S)
        assert await other.request_cancel("1:0")
        for _ in range(3000):  # the notification takes a round trip
            if outcome:
                break
            await asyncio.sleep(0.01)
        assert outcome == ["cancelled"]
        for _ in range(3000):  # then it is finished: nothing runs any more
            if not await other.request_cancel("1:0"):
                break
            await asyncio.sleep(0.01)
        assert not await other.request_cancel("1:0")
    finally:
        await asyncio.wait_for(dispatcher.stop(), STOP_DEADLINE_S)
        if other is not store:
            await other.close()


async def test_a_request_cancelled_while_its_process_died_is_not_redone(store: Store) -> None:
    await store.accept_requests([NewRequest(1, "1:0", 7, '{"update_id": 1}', False)])
    await store.claim_requests("dead-process", 0.5, 1)
    assert await store.request_cancel("1:0")
    handled: list[int] = []

    async def handle(request: ClaimedRequest) -> None:
        handled.append(request.update_id)

    await asyncio.sleep(0.6)  # the dead process's lease runs out
    dispatcher = Dispatcher(store, handle, WorkConfig(idle_poll_s=0.05))
    dispatcher.start()
    try:
        for _ in range(3000):
            if not await store.request_cancel("1:0"):
                break  # taken over and finished
            await asyncio.sleep(0.01)
    finally:
        await asyncio.wait_for(dispatcher.stop(), STOP_DEADLINE_S)
    assert handled == []
    assert await store.claim_requests("another", 30.0, 5) == []
