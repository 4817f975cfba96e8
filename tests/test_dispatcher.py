"""The dispatcher stops whenever it is told to, even in the same instant as news arrives."""

from __future__ import annotations

import asyncio

from bot.core.store.types import ClaimedRequest, NewRequest, Store
from bot.core.work.dispatcher import Dispatcher, WorkConfig
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
