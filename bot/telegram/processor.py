"""Update processing: chats run concurrently, each chat's updates in order, long pastes merged.

PTB hands every update to `ChatOrderedProcessor.do_process_update` in arrival order. Updates of
different chats run side by side; within a chat they wait for each other (FIFO lock), so one
slow summary never blocks another user and one user's messages never race. `/cancel` skips the
queue so it can stop the work in flight. Telegram splits a long paste into several messages:
while a paste is being collected, the next text messages of the same user are absorbed into it
instead of being processed on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

from bot.telegram.inputs import Intent, read_message

log = logging.getLogger(__name__)

# Telegram clients cut pastes at 4096 characters; a message this long may have a sequel.
PASTE_FRAGMENT_MIN_CHARS = 3500

QueuedCallback = Callable[[Update], Awaitable[None]]


@dataclass
class _Paste:
    parts: list[str]
    last_at: float
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    complete: bool = False


class PasteCollector:
    """Merges consecutive messages of one user that look like one long, split paste.

    The processor calls `offer` for every update as it arrives, before the chat's queue: a
    long plain message opens a paste, and the sender's next messages within the window join
    it. The handler of the first message then calls `collect` to wait for the rest.
    """

    def __init__(self, window_s: float = 1.5) -> None:
        self.window_s = window_s
        self._open: dict[tuple[int, int], _Paste] = {}

    def may_continue(self, text: str) -> bool:
        """True when a message is long enough to be the first part of a split paste."""
        return len(text) >= PASTE_FRAGMENT_MIN_CHARS

    async def collect(self, chat_id: int, user_id: int, first: str) -> str:
        """Wait until the paste that starts with `first` is quiet for `window_s`; return it whole."""
        key = (chat_id, user_id)
        paste = self._open.get(key)
        if paste is None or paste.parts[0] != first:
            return first
        try:
            while not paste.complete:
                paste.arrived.clear()
                quiet_for = time.monotonic() - paste.last_at
                try:
                    await asyncio.wait_for(
                        paste.arrived.wait(), max(0.0, self.window_s - quiet_for)
                    )
                except TimeoutError:
                    break
        finally:
            if self._open.get(key) is paste:
                del self._open[key]
        # Clients split at whitespace and drop it, so the parts are joined with a newline.
        return "\n".join(paste.parts)

    def offer(self, update: Update) -> bool:
        """Absorb `update` into its sender's open paste (True), or open one when it may start one."""
        message = update.message
        if message is None or message.text is None or message.from_user is None:
            return False
        if message.text.startswith("/") or message.forward_origin is not None:
            return False
        key = (message.chat_id, message.from_user.id)
        paste = self._open.get(key)
        now = time.monotonic()
        if paste is not None and not paste.complete and now - paste.last_at <= self.window_s:
            paste.parts.append(message.text)
            paste.last_at = now
            # A part shorter than a full fragment is the last one: no need to wait any longer.
            paste.complete = not self.may_continue(message.text)
            paste.arrived.set()
            return True
        # Only private chats: in a group the bot ignores most messages, and an unread paste
        # must not swallow the next message that is addressed to it.
        private = message.chat.type == ChatType.PRIVATE
        if private and message.reply_to_message is None and self._starts_paste(message):
            self._open[key] = _Paste([message.text], now)
        return False

    def _starts_paste(self, message: Message) -> bool:
        """A long message that its handler will read as pasted text, and so collect: a long
        list of links is summarized link by link, and a paste opened for it would swallow the
        sender's next messages with nobody to collect them."""
        text = message.text or ""
        return self.may_continue(text) and read_message(message).intent() is Intent.PASTE


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates of different chats concurrently and those of one chat in order."""

    def __init__(
        self,
        max_concurrent_updates: int,
        pastes: PasteCollector,
        on_queued: QueuedCallback | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.pastes = pastes
        self._on_queued = on_queued
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._running: dict[int, asyncio.Task[Any]] = {}
        self.stopping = False
        self._slow: set[int] = set()  # chats whose current work is a summary or an answer

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Process one update within its chat's queue."""
        chat_id = _chat_id(update)
        if chat_id is None or not isinstance(update, Update) or _is_cancel(update):
            await coroutine
            return
        if self.pastes.offer(update):
            _close(coroutine)
            return
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        if chat_id in self._slow and self._on_queued is not None:
            await self._on_queued(update)
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock:
                await self._run(chat_id, coroutine)
        finally:
            self._release(chat_id)

    @contextlib.contextmanager
    def slow_work(self, chat_id: int) -> Iterator[None]:
        """Mark the chat's current work as slow, so messages queued behind it get a note."""
        self._slow.add(chat_id)
        try:
            yield
        finally:
            self._slow.discard(chat_id)

    def cancel(self, chat_id: int) -> bool:
        """Stop the chat's work in flight; False when there was none."""
        task = self._running.get(chat_id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def abandon_all(self) -> None:
        """At shutdown: stop every chat's work in flight so the process can exit promptly."""
        self.stopping = True
        for task in list(self._running.values()):
            task.cancel()

    async def _run(self, chat_id: int, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._running[chat_id] = task
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                task.cancel()  # the application is stopping: stop the work too
                raise
            log.info("work in chat %s was cancelled by the user", chat_id)
        finally:
            self._running.pop(chat_id, None)

    def _release(self, chat_id: int) -> None:
        self._waiting[chat_id] -= 1
        if not self._waiting[chat_id]:
            # Forget idle chats so the maps do not grow with every chat ever seen.
            del self._waiting[chat_id]
            self._locks.pop(chat_id, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Cancel whatever still runs so shutdown does not wait for slow LLM calls."""
        self.abandon_all()


def _chat_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


def _is_cancel(update: Update) -> bool:
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    return text.split("@", 1)[0].split(maxsplit=1)[0:1] == ["/cancel"]


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()  # never awaited by design: the update was merged into a paste
