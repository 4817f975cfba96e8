"""Updates in: each is stored before Telegram is told it arrived, then the queue runs it.

Long polling advances the getUpdates offset (which acknowledges updates to Telegram) only past
updates the store accepted, so a crash loses none: Telegram sends the unacknowledged ones
again and the store drops those it already has. Some updates are handled on arrival and
stored only to be recognised if they come again: `/cancel`, which must reach the work in
flight rather than wait behind it. (The later parts of a split paste are queued like any
message, with no busy note of their own: the worker of the first part takes them, see
`bot.telegram.pastes`.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core.errors import StoreError
from bot.core.store.types import NewRequest
from bot.telegram.pastes import PasteCollector
from bot.telegram.work import WorkQueue, conversation_of

log = logging.getLogger(__name__)

QueuedCallback = Callable[[Update], Awaitable[None]]
RETRY_S = 2.0  # after the Bot API or the store failed, before trying again


class Intake:
    """Stores arriving updates, answers those handled on arrival, and wakes the queue."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        work: WorkQueue,
        pastes: PasteCollector,
        on_queued: QueuedCallback,
    ) -> None:
        self._application = application
        self._work = work
        self._pastes = pastes
        self._on_queued = on_queued
        self._tasks: set[asyncio.Task[Any]] = set()

    async def accept(self, updates: Sequence[Update]) -> None:
        """Store `updates` (all or none: StoreError keeps none) and act on the new ones."""
        requests = [self._request(update) for update in updates]
        new = await self._work.dispatcher.store.accept_requests(requests)
        for update, request in zip(updates, requests, strict=True):
            if update.update_id in new:
                self._arrived(update, request)
        self._work.dispatcher.wake()

    async def poll(self, timeout_s: float) -> None:
        """Long-poll the Bot API until cancelled, acknowledging only what the store kept."""
        bot = self._application.bot
        offset: int | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=timeout_s, allowed_updates=Update.ALL_TYPES
                )
                if updates:
                    await self.accept(updates)
                    offset = updates[-1].update_id + 1
            except (TelegramError, StoreError) as exc:
                # Nothing acknowledged: the same updates come again on the next call.
                log.warning("could not take updates (%s); retrying in %s s", exc, RETRY_S)
                await asyncio.sleep(RETRY_S)

    def _request(self, update: Update) -> NewRequest:
        on_arrival = _is_cancel(update)
        user = update.effective_user
        return NewRequest(
            update_id=update.update_id,
            conversation=conversation_of(update),
            user_id=user.id if user else None,
            payload=update.to_json(),
            done=on_arrival,
        )

    def _arrived(self, update: Update, request: NewRequest) -> None:
        if _is_cancel(update):
            self._spawn(self._application.process_update(update))
        elif update.message and not request.done and not self._pastes.is_sequel(request):
            # A note for a new message (not an edit, not a later part of a paste).
            self._spawn(self._note_if_queued(update))

    async def _note_if_queued(self, update: Update) -> None:
        """ "Still working" to a message that waits behind a summary, here or on a replica."""
        try:
            due = await self._work.note_due(update.update_id)
        except StoreError as exc:
            log.warning("could not tell whether update %s waits (%s)", update.update_id, exc)
            return
        if due:
            await self._on_queued(update)

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)  # a task nobody holds may be collected before it ends
        task.add_done_callback(self._tasks.discard)


def _is_cancel(update: Update) -> bool:
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    return text.split("@", 1)[0].split(maxsplit=1)[0:1] == ["/cancel"]
