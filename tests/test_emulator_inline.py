"""Inline mode in the Bot API emulator, driven by a real python-telegram-bot Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.error import BadRequest

from bot.playground.emulator.server import DEFAULT_USER, TelegramServer


@pytest.fixture
async def bot(telegram_server: TelegramServer) -> AsyncIterator[Bot]:
    """A Bot talking to the emulator."""
    async with Bot(telegram_server.token, base_url=f"{telegram_server.root}/bot") as opened:
        yield opened


def _article(result_id: str, *, keyboard: bool) -> InlineQueryResultArticle:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Open", url="https://example.com/")]])
    return InlineQueryResultArticle(
        result_id,
        "Title",
        InputTextMessageContent(f"posted {result_id}"),
        reply_markup=markup if keyboard else None,
    )


async def test_a_result_with_a_keyboard_can_be_edited_by_its_inline_message_id(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    query_id = telegram_server.send_inline_query("https://example.com/", user=DEFAULT_USER)
    results = [_article("with", keyboard=True), _article("without", keyboard=False)]
    assert await bot.answer_inline_query(query_id, results)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(query_id, results)  # once only
    assert telegram_server.choose_inline_result(query_id, "without") is None
    message_id = telegram_server.choose_inline_result(query_id, "with")
    assert message_id is not None
    assert telegram_server.inline_message(message_id)["text"] == "posted with"
    chosen = [u["chosen_inline_result"] for u in telegram_server.updates[-2:]]
    assert [c.get("inline_message_id") for c in chosen] == [None, message_id]
    assert await bot.edit_message_text(
        "<b>done</b>", inline_message_id=message_id, parse_mode="HTML"
    )
    edited = telegram_server.inline_message(message_id)
    assert (edited["text"], edited["entities"][0]["type"]) == ("done", "bold")
    assert "reply_markup" not in edited  # an edit without a keyboard removes it
    with pytest.raises(BadRequest, match=r"(?i)message_id_invalid"):
        await bot.edit_message_text("x", inline_message_id="IM-unknown")


async def test_duplicate_result_ids_are_refused(bot: Bot, telegram_server: TelegramServer) -> None:
    query_id = telegram_server.send_inline_query("hello", user=DEFAULT_USER)
    twice = [_article("same", keyboard=False), _article("same", keyboard=False)]
    with pytest.raises(BadRequest, match=r"(?i)result_id_duplicate"):
        await bot.answer_inline_query(query_id, twice)
