"""Long pastes merged: Telegram splits a long paste into several messages.

Every part is stored as a request of its own, by whichever process received it. The worker
of the first part waits until the paste is quiet for the window, then takes the parts queued
right behind it in its conversation (the same user's plain text, each within the window of
the one before) out of the queue in one transaction and merges them. Only the head of a
conversation runs, so nobody else can take those parts meanwhile, and a retry after a crash
finds the parts it had taken.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

from telegram import Message
from telegram.constants import ChatType

from bot.core.store.types import ClaimedRequest, NewRequest, QueuedRequest, Store
from bot.telegram.inputs import Intent, read_message

# Telegram clients cut pastes at 4096 characters; a message this long may have a sequel.
PASTE_FRAGMENT_MIN_CHARS = 3500
MAX_PARTS = 50  # a 200,000-character paste; the rest, if any, is read as new messages
POLLS_PER_WINDOW = 4  # how often, within the window, the store is asked for new parts
FRAGMENTS_REMEMBERED = 1024  # senders of a long message, kept to recognise its sequel

Part = tuple[QueuedRequest, str]


class PasteCollector:
    """Merges consecutive messages of one user that look like one long, split paste."""

    def __init__(self, window_s: float = 1.5) -> None:
        self.window_s = window_s
        # (conversation, user) -> when this process last received a long plain message.
        self._fragments: dict[tuple[str, int | None], float] = {}

    def may_continue(self, text: str) -> bool:
        """True when a message is long enough to be followed by another part of its paste."""
        return len(text) >= PASTE_FRAGMENT_MIN_CHARS

    def is_sequel(self, request: NewRequest) -> bool:
        """True when an arriving request may continue a long message its sender sent just
        before (as this process saw it): a later part of a paste, which needs no busy note."""
        key, moment = (request.conversation, request.user_id), time.monotonic()
        previous = self._fragments.pop(key, None)
        text = _continuation(request.payload, request.user_id)
        if text is not None and self.may_continue(text):
            self._fragments[key] = moment
            if len(self._fragments) > FRAGMENTS_REMEMBERED:
                self._forget_before(moment - self.window_s)
        return text is not None and previous is not None and moment - previous <= self.window_s

    def _forget_before(self, moment: float) -> None:
        for key, at in list(self._fragments.items()):
            if at < moment:
                del self._fragments[key]

    async def collect(self, message: Message, store: Store, request: ClaimedRequest) -> str:
        """The paste that starts with `message` (the request's own), once quiet for the window."""
        first = message.text or ""
        if message.from_user is None or not self._starts_paste(message):
            return first
        parts = await self._take(store, request, await self._wait(store, request))
        # Clients split at whitespace and drop it, so the parts are joined with a newline.
        return "\n".join([first, *parts])

    async def _wait(self, store: Store, request: ClaimedRequest) -> list[Part]:
        """The paste's later parts, once the last one is short or the paste is quiet."""
        while True:
            run = self._run(request, await store.requests_behind(request, MAX_PARTS))
            last_at = run[-1][0].received_at if run else request.received_at
            if run and (len(run) == MAX_PARTS or not self.may_continue(run[-1][1])):
                return run  # a part shorter than a full fragment is the last one
            quiet_for = (datetime.now(UTC) - last_at).total_seconds()
            if quiet_for >= self.window_s:
                return run
            await asyncio.sleep(min(self.window_s - quiet_for, self.window_s / POLLS_PER_WINDOW))

    def _run(self, request: ClaimedRequest, queued: list[QueuedRequest]) -> list[Part]:
        """The requests right behind `request` that continue its paste."""
        run: list[Part] = []
        previous_at = request.received_at
        for part in queued:
            text = _continuation(part.payload, request.user_id)
            late = (part.received_at - previous_at).total_seconds() > self.window_s
            if text is None or late:
                break
            run.append((part, text))
            previous_at = part.received_at
            if not self.may_continue(text):
                break
        return run

    async def _take(self, store: Store, request: ClaimedRequest, run: list[Part]) -> list[str]:
        """Take the parts out of the queue; the texts of those taken, up to the first not."""
        taken = await store.absorb_requests(request, [q.id for q, _ in run if not q.absorbed])
        texts = []
        for part, text in run:
            if not (part.absorbed or part.id in taken):
                break
            texts.append(text)
        return texts

    def _starts_paste(self, message: Message) -> bool:
        """A long message, read as pasted text, in a private chat and not a reply.

        Only private chats: in a group the bot ignores most messages, and an unread paste must
        not swallow the next message that is addressed to it. A long list of links is
        summarized link by link, so it starts no paste.
        """
        text = message.text or ""
        private = message.chat.type == ChatType.PRIVATE
        return (
            private
            and message.reply_to_message is None
            and self.may_continue(text)
            and read_message(message).intent() is Intent.PASTE
        )


def _continuation(payload: str, user_id: int | None) -> str | None:
    """The text of a stored update that may continue the user's paste, else None."""
    update: dict[str, Any] = json.loads(payload)
    message = update.get("message") or {}
    text = message.get("text")
    sender = (message.get("from") or {}).get("id")
    if not isinstance(text, str) or sender is None or sender != user_id:
        return None
    if text.startswith("/") or "forward_origin" in message:
        return None
    return text
