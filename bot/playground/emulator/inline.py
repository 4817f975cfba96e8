"""Inline mode in the Bot API emulator: a user types `@bot <query>` in some chat, the bot's
answer is recorded, the user picks a result (chosen_inline_result) and the bot may edit the
posted message by its inline_message_id.

`InlineDriver` is mixed into `TelegramServer` (its fields become the server's).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.playground.emulator.methods import Message, bad_request, method

if TYPE_CHECKING:
    from bot.playground.emulator.server import TelegramServer

_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_MAX_RESULTS = 50


@dataclass
class InlineDriver:
    """Inline queries from users and the messages they post with the bot's results."""

    inline_queries: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the query
    inline_answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the answer
    # inline_message_id -> the posted message (text, entities, reply_markup)
    inline_messages: dict[str, Message] = field(default_factory=dict)
    _inline_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    if TYPE_CHECKING:

        def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def send_inline_query(
        self, query: str, *, user: dict[str, Any], chat_type: str = "private"
    ) -> str:
        """A user types `@bot <query>` in a chat of `chat_type`; returns the query id."""
        query_id = f"IQ{next(self._inline_ids)}"
        payload = {
            "id": query_id,
            "from": user,
            "query": query,
            "offset": "",
            "chat_type": chat_type,
        }
        self.inline_queries[query_id] = payload
        self.push_update("inline_query", payload)
        return query_id

    def choose_inline_result(self, query_id: str, result_id: str) -> str | None:
        """The user posts one of the bot's results; Telegram then sends chosen_inline_result
        (the bot asked for it with /setinlinefeedback), with an inline_message_id only when the
        result has an inline keyboard. Returns that id, or None."""
        query = self.inline_queries[query_id]
        result = _result(self.inline_answers[query_id], result_id)
        content = result.get("input_message_content") or {}
        posted: Message = {"text": content.get("message_text", "")}
        if markup := result.get("reply_markup"):
            posted["reply_markup"] = markup
        inline_message_id = f"IM{next(self._inline_ids)}" if "reply_markup" in posted else None
        chosen: dict[str, Any] = {
            "result_id": result_id,
            "from": query["from"],
            "query": query["query"],
        }
        if inline_message_id is not None:
            self.inline_messages[inline_message_id] = posted
            chosen["inline_message_id"] = inline_message_id
        self.push_update("chosen_inline_result", chosen)
        return inline_message_id

    def inline_message(self, inline_message_id: str) -> Message:
        """A message posted through inline mode, as it reads now; Telegram's 400 if unknown."""
        message = self.inline_messages.get(inline_message_id)
        if message is None:
            raise bad_request("MESSAGE_ID_INVALID")
        return message


def _result(answer: dict[str, Any], result_id: str) -> dict[str, Any]:
    for result in answer.get("results") or []:
        if result.get("id") == result_id:
            return dict(result)
    raise KeyError(f"the bot offered no result {result_id!r}")


@method("answerInlineQuery")
async def answer_inline_query(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Answer an inline query once, with at most 50 results of unique ids."""
    query_id = str(params.get("inline_query_id"))
    if query_id not in server.inline_queries or query_id in server.inline_answers:
        raise bad_request(_TOO_OLD)
    results = list(params.get("results") or [])
    ids = [str(result.get("id", "")) for result in results]
    if len(results) > _MAX_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    if not all(0 < len(result_id.encode()) <= 64 for result_id in ids):
        raise bad_request("RESULT_ID_INVALID")
    if len(set(ids)) != len(ids):
        raise bad_request("RESULT_ID_DUPLICATE")
    server.inline_answers[query_id] = params
    return True
