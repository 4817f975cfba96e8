"""Ending the background tasks the front end starts: reply previews, "typing...", its loops."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


async def cancel_and_wait(task: asyncio.Task[None]) -> None:
    """Cancel a helper task and wait for it to end; a cancel of our own still goes through, and
    a crash of the task's is logged, not raised (the caller may have more to stop).

    (Awaiting the task under suppress(CancelledError) would also swallow our own cancel; and a
    cancel of a task that crashed keeps asyncio from logging its crash, so it is logged here.)
    """
    task.cancel()
    await asyncio.wait([task])
    if not task.cancelled() and task.exception() is not None:
        log.error("the %s task had crashed", task.get_name(), exc_info=task.exception())
