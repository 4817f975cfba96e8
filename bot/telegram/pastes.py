"""Long pastes merged: Telegram splits a long paste into several messages.

While a paste is being collected, the next text messages of the same user are absorbed into
it (on arrival, before they are stored as requests of their own) instead of being processed
on their own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from telegram import Message, Update
from telegram.constants import ChatType

from bot.telegram.inputs import Intent, read_message

# Telegram clients cut pastes at 4096 characters; a message this long may have a sequel.
PASTE_FRAGMENT_MIN_CHARS = 3500


@dataclass
class _Paste:
    parts: list[str]
    last_at: float
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    complete: bool = False


class PasteCollector:
    """Merges consecutive messages of one user that look like one long, split paste.

    The intake calls `offer` for every update as it arrives, before it is stored: a
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
                    # Not wait_for: in 3.11 it swallows a cancel (a stop) that meets a new part.
                    async with asyncio.timeout(max(0.0, self.window_s - quiet_for)):
                        await paste.arrived.wait()
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
