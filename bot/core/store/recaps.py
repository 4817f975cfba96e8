"""The Store's kept message texts (for recaps), portable SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.store.clock import as_datetime, as_utc
from bot.core.store.statements import Statements
from bot.core.store.types import KeptMessage


class RecapQueries(Statements):
    """The Store's kept-message methods; `SQLStore` supplies the statements."""

    async def add_kept_messages(self, messages: Sequence[KeptMessage]) -> None:
        """Keep group messages' texts, for recaps (a message already kept is replaced)."""
        for message in messages:
            await self._statement(
                "INSERT INTO kept_messages (chat_id, thread_id, message_id, author, text, sent_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET"
                " text = excluded.text, author = excluded.author",
                message.chat_id,
                message.thread_id,
                message.message_id,
                message.author,
                message.text,
                as_utc(message.sent_at),
            )

    async def kept_messages(
        self, chat_id: int, thread_id: int, since: datetime
    ) -> list[KeptMessage]:
        """The texts kept of the chat's topic at or after `since`, oldest first."""
        rows = await self._query(
            "SELECT chat_id, thread_id, message_id, author, text, sent_at FROM kept_messages"
            " WHERE chat_id = ? AND thread_id = ? AND sent_at >= ? ORDER BY sent_at, message_id",
            chat_id,
            thread_id,
            as_utc(since),
        )
        return [
            KeptMessage(chat, thread, message, author, text, as_datetime(at))
            for chat, thread, message, author, text, at in rows
        ]
