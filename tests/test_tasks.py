"""Stopping the front end's background tasks: a crash is logged, a cancel of the stopper's own
goes through."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.telegram.tasks import cancel_and_wait


async def test_a_crashed_task_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def crash() -> None:
        raise RuntimeError("the loop broke")

    task = asyncio.create_task(crash(), name="digest-scheduler")
    await asyncio.wait([task])
    with caplog.at_level(logging.ERROR, logger="bot.telegram.tasks"):
        await cancel_and_wait(task)
    assert [record.getMessage() for record in caplog.records] == [
        "the digest-scheduler task had crashed"
    ]
    assert caplog.records[0].exc_info is not None
    assert str(caplog.records[0].exc_info[1]) == "the loop broke"


async def test_a_cancel_of_the_stopper_goes_through(caplog: pytest.LogCaptureFixture) -> None:
    running, stopping = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:  # takes its time to end once cancelled
        running.set()
        try:
            await asyncio.Event().wait()
        finally:
            await stopping.wait()

    task = asyncio.create_task(stubborn())
    await running.wait()
    stopper = asyncio.create_task(cancel_and_wait(task))
    await asyncio.sleep(0)  # the stopper is waiting for the task
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    stopping.set()
    await asyncio.wait([task])
    assert task.cancelled()
    assert not caplog.records
