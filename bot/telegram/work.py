"""The bot's side of the durable queue: stored updates run through PTB's handlers.

Each stored request is decoded back into an `Update` and handed to the Application's
handlers in the dispatcher's task; a context variable tells the handlers which request they
serve, so they record its placeholder and its final reply, and a retry after a crash edits
that placeholder and never answers a request twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.core.store.types import ClaimedRequest, Store
from bot.core.trace import Trace, tracing
from bot.core.work.dispatcher import Dispatcher, WorkConfig
from bot.core.work.replicas import OnCount
from bot.telegram.addressing import topic_of

log = logging.getLogger(__name__)

# Past this, an answer is probably no longer wanted: the user is asked to send it again.
TOO_OLD = timedelta(days=1)
# Tells the user why an answer is late ("late"), or that it comes no more ("too_old").
# How far back an edit looks for the conversation's latest message (past button presses, edits).
RECENT_REQUESTS = 20
LateNote = Callable[[Update, str], Awaitable[None]]


@dataclass(frozen=True)
class RequestRecord:
    """What the handlers of one stored request record about its reply."""

    store: Store
    request: ClaimedRequest

    async def placeholder_posted(self, message_id: int) -> None:
        """The "working..." message a retry should edit."""
        await self.store.record_placeholder(self.request.id, message_id)

    async def replied(self) -> None:
        """The final reply went out."""
        await self.store.record_reply(self.request.id)

    async def working_slowly(self) -> None:
        """A summary or an answer is being made: messages queued behind it get a note."""
        await self.store.mark_slow(self.request.id)


_current: ContextVar[RequestRecord | None] = ContextVar("request", default=None)


def current_request() -> RequestRecord | None:
    """The stored request the running handler serves (None outside the queue: /cancel)."""
    return _current.get()


def conversation_of(update: Update) -> str:
    """The queue's ordering key: the chat and its forum topic; else the update on its own."""
    message = update.effective_message
    if message is not None:
        return f"{message.chat_id}:{topic_of(message)}"
    if update.effective_chat is not None:
        return f"{update.effective_chat.id}:0"
    return f"update:{update.update_id}"


class WorkQueue:
    """Runs stored updates through the Application; knows which conversations are busy."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        config: WorkConfig,
        max_age: timedelta,
        late_note: LateNote,
        finished: Callable[[Trace], None],
        on_replicas: OnCount | None = None,
    ) -> None:
        self.config = config
        self._finished = finished  # told of each request served: its log line, its metrics
        self._on_replicas = on_replicas
        self._application = application
        self._max_age = max_age
        self._late_note = late_note
        self._dispatcher: Dispatcher | None = None

    @property
    def dispatcher(self) -> Dispatcher:
        """The dispatcher, once `start` opened it."""
        if self._dispatcher is None:
            raise RuntimeError("the work queue is not started")
        return self._dispatcher

    @property
    def stopping(self) -> bool:
        """True once the process stops: work cut short is redone after the restart."""
        return self._dispatcher is not None and self._dispatcher.stopping

    def start(self, store: Store) -> None:
        """Start taking stored requests."""
        self._dispatcher = Dispatcher(store, self._handle, self.config, self._on_replicas)
        self._dispatcher.start()

    async def drain(self) -> None:
        """Wait until the work in flight has finished (a deploy that lets it end)."""
        await self.dispatcher.drain()

    def halt(self) -> None:
        """Take nothing more and stop the work in flight at once; `stop` waits for it."""
        if self._dispatcher is not None:
            self._dispatcher.halt()

    async def stop(self) -> None:
        """Take nothing more and give the work in flight back to the store."""
        if self._dispatcher is not None:
            await self._dispatcher.stop()

    async def cancel(self, conversation: str) -> bool:
        """Stop the conversation's work in flight, on any replica; False when there is none."""
        return await self.dispatcher.cancel(conversation)

    async def drop_queued(self, conversation: str) -> int:
        """Drop the conversation's requests waiting behind the one in flight; how many."""
        return await self.dispatcher.store.drop_queued(conversation)

    async def edits_latest(self, request: ClaimedRequest, message_id: int) -> bool:
        """Whether the edit `request` carries is of its conversation's latest message."""
        store = self.dispatcher.store
        for payload in await store.earlier_requests(
            request.conversation, request.id, RECENT_REQUESTS
        ):
            message = json.loads(payload).get("message")
            if message is not None:
                return bool(message.get("message_id") == message_id)
        return False

    async def note_due(self, update_id: int) -> bool:
        """True, once per request across replicas, when it waits behind a summary or answer."""
        return await self.dispatcher.store.note_queued(update_id)

    async def _handle(self, request: ClaimedRequest) -> None:
        if request.replied:
            log.info("request %s was answered before a restart", request.update_id)
            return
        update = Update.de_json(_payload(request), self._application.bot)
        chat = update.effective_chat
        trace = Trace(str(request.id), chat.id if chat else None, kind=_kind_of(update))
        try:
            with tracing(trace):
                await self._run(update, request, trace)
        except asyncio.CancelledError:
            trace.outcome = "restarting" if self.stopping else "cancelled"
            raise
        finally:
            self._finished(trace)

    async def _run(self, update: Update, request: ClaimedRequest, trace: Trace) -> None:
        waited = datetime.now(UTC) - _sent_at(update, request)
        if waited > TOO_OLD:
            trace.outcome = "too_old"
            await self._late_note(update, "too_old")
            return
        if waited > self._max_age:
            await self._late_note(update, "late")
        token = _current.set(RequestRecord(self.dispatcher.store, request))
        try:
            await self._application.process_update(update)
        finally:
            _current.reset(token)


def _kind_of(update: Update) -> str:
    """What a request is before its handler says more ("summary", "answer")."""
    if update.callback_query is not None:
        return "button"
    message = update.effective_message
    if message is not None and (message.text or "").startswith("/"):
        return "command"
    return "message"


def _payload(request: ClaimedRequest) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(request.payload)
    return payload


def _sent_at(update: Update, request: ClaimedRequest) -> datetime:
    """When the user sent it (Telegram keeps updates while the bot is down), else when stored."""
    message = update.effective_message
    return message.date if message is not None else request.received_at
