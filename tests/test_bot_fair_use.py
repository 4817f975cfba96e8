"""The rate limit per user and the confirmation a long article asks for, end to end."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, ManualClock, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI

ALICE = 1001
GROUP = -100999
BOB: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Bob"}


def _summaries(telegram: TelegramServer, chat_id: int) -> int:
    return sum("Summary:" in t for t in bot_texts(telegram, chat_id))


async def _summarized(telegram: TelegramServer, chat_id: int, link: str) -> None:
    """Send a link and wait for its summary."""
    before = _summaries(telegram, chat_id)
    telegram.send_message(chat_id, link)
    await telegram.wait_for(lambda: _summaries(telegram, chat_id) == before + 1)


async def _question(telegram: TelegramServer, chat_id: int) -> dict[str, Any]:
    """The bot's question about a long article, once its button is on."""
    await wait_for_text(telegram, "Shall I summarize it?", chat_id)
    await telegram.wait_for_call("editMessageReplyMarkup")
    return await wait_for_text(telegram, "Shall I summarize it?", chat_id)


async def test_too_many_requests_a_minute_are_told_when_to_try_again(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    clock = ManualClock(datetime(2026, 5, 4, 12, tzinfo=UTC))
    link = article_server.url("/article")  # another address each time, or the cache answers
    async with make_bot(rate_limit_per_minute=2, now=clock):
        for n in range(2):
            await _summarized(telegram_server, ALICE, f"{link}?n={n}")
            clock.advance(seconds=15)
        telegram_server.send_message(ALICE, f"{link}?n=2")
        limited = await wait_for_text(telegram_server, "try again in", ALICE)
        assert "Please try again in 30 s." in limited["text"]
        # Another user is not held back by Alice's requests.
        telegram_server.send_message(BOB["id"], f"{link}?n=3", user=BOB)
        await wait_for_text(telegram_server, "Summary:", BOB["id"])
        clock.advance(seconds=31)  # the first request left the window
        telegram_server.send_message(ALICE, f"{link}?n=4")
        await telegram_server.wait_for(lambda: _summaries(telegram_server, ALICE) == 3)
    assert len(openai_server.requests) == 4


async def test_a_long_article_shows_its_estimate_and_waits_for_the_button(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(confirm_above_tokens=500):
        telegram_server.send_message(ALICE, article_server.url("/article"))
        question = await _question(telegram_server, ALICE)
        assert "This article is long: summarizing it takes about" in question["text"]
        assert "tokens (~$0.000" in question["text"]  # gpt-4o-mini's list price
        assert openai_server.requests == []
        [[button]] = question["reply_markup"]["inline_keyboard"]
        assert button["text"] == "Summarize it"
        telegram_server.press_button(ALICE, question["message_id"], button["callback_data"])
        await wait_for_text(telegram_server, "Summary:", ALICE)
    assert len(openai_server.requests) == 1
    assert len(article_server.requests) == 1  # the stored article, not fetched again
    kept = next(
        m for m in telegram_server.messages(ALICE) if m["message_id"] == question["message_id"]
    )
    assert not kept.get("reply_markup")  # the button went once pressed


async def test_only_the_sender_confirms_a_long_article_in_a_group(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(confirm_above_tokens=500):
        telegram_server.send_message(
            GROUP,
            f"@summary_test_bot {article_server.url('/article')}",
            user={"id": ALICE, "is_bot": False, "first_name": "Alice"},
            chat_type="supergroup",
        )
        question = await _question(telegram_server, GROUP)
        [[button]] = question["reply_markup"]["inline_keyboard"]
        query = telegram_server.press_button(
            GROUP, question["message_id"], button["callback_data"], user=BOB
        )
        await telegram_server.wait_for(lambda: query in telegram_server.callback_answers)
    assert telegram_server.callback_answers[query]["text"] == (
        "Only the person who sent the article can confirm."
    )
    assert openai_server.requests == []


async def test_short_articles_are_summarized_without_asking(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(confirm_above_tokens=100_000):
        telegram_server.send_message(ALICE, article_server.url("/article"))
        await wait_for_text(telegram_server, "Summary:", ALICE)
    assert not any("Shall I" in t for t in bot_texts(telegram_server, ALICE))
