"""The dispatcher's own loops: a stop always ends them, whenever it comes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core.store.open import open_store
from bot.core.store.types import ClaimedRequest
from bot.core.work.dispatcher import Dispatcher, WorkConfig

STOP_DEADLINE_S = 10.0  # a failure deadline: a stop that hangs hangs for an hour (idle_poll_s)


async def _nothing(request: ClaimedRequest) -> None:
    """A handler for requests that never come."""


@pytest.mark.parametrize("turns", range(6))
async def test_a_stop_just_after_a_wake_up_still_ends_the_claim_loop(
    tmp_path: Path, turns: int
) -> None:
    # A request finishing wakes the claim loop; a stop in the same moment must not be lost
    # (asyncio.wait_for on Python 3.11 swallows a cancellation once its inner wait is done).
    store = await open_store(f"sqlite:///{tmp_path / 'bot.db'}")
    dispatcher = Dispatcher(store, _nothing, WorkConfig(lease_s=3600, idle_poll_s=3600))
    try:
        dispatcher.start()
        # Until the loop waits for news (its claim went to SQLite's thread and back).
        while not dispatcher._wake._waiters:  # type: ignore[attr-defined]  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        dispatcher.wake()
        for _ in range(turns):
            await asyncio.sleep(0)
        await asyncio.wait_for(dispatcher.stop(), STOP_DEADLINE_S)
    finally:
        await store.close()
