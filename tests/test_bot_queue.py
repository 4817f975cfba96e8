"""The bot's queue in one process: per-chat order, chats in parallel, what waits never runs twice."""

from __future__ import annotations

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI

CHAT = 1001
# One busy chat sending more messages than the old processor had update slots (512).
FLOOD = 520


def _summaries(telegram: TelegramServer, chat_id: int) -> int:
    return sum("Summary:" in t for t in bot_texts(telegram, chat_id))


async def test_a_slow_busy_note_never_lets_two_updates_of_a_chat_run_at_once(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    # The old processor awaited the "still working" note before queueing the message; the chat's
    # lock was dropped meanwhile, so a third message started at once beside the second.
    openai_server.delay_s = 2.0
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article?n=1"))
        await telegram_server.wait_for(lambda: openai_server.requests)
        # The busy note (the next sendMessage) is rate limited: it is sent only after a wait.
        telegram_server.fail_next("sendMessage", description="Too Many Requests", retry_after=3)
        telegram_server.send_message(CHAT, article_server.url("/article?n=2"))
        await wait_for_text(telegram_server, "Summary:", CHAT)
        telegram_server.send_message(CHAT, article_server.url("/plain"))
        await telegram_server.wait_for(lambda: _summaries(telegram_server, CHAT) == 3, timeout=30)
    assert openai_server.max_in_flight == 1
    fetched = [seen.path for seen in article_server.requests]
    assert fetched == ["/article?n=1", "/article?n=2", "/plain"]


async def test_one_flooding_chat_does_not_hold_up_the_others(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    # The old processor gave each waiting update a slot: one chat's 520 messages took all 512
    # while waiting for their chat's lock, and another chat waited for a slot behind them.
    openai_server.delay_s = 0.3
    other = 2002
    async with make_bot():
        for n in range(FLOOD):
            telegram_server.send_message(CHAT, article_server.url(f"/article?n={n}"))
        telegram_server.send_message(other, article_server.url("/plain"))
        await wait_for_text(telegram_server, "Summary:", other, timeout=30)
        done_in_flooding_chat = _summaries(telegram_server, CHAT)
    assert done_in_flooding_chat < FLOOD - 512  # served beside the flood, not behind its slots


async def test_requests_that_waited_while_the_bot_was_down_get_a_note(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    stale_chat = 2002
    # Sent while no bot ran: Telegram kept them, dated when the users wrote.
    telegram_server.send_message(CHAT, article_server.url("/article"))
    telegram_server.updates[-1]["message"]["date"] -= 1000  # past REQUEST_MAX_AGE_S (900)
    telegram_server.send_message(stale_chat, article_server.url("/plain"))
    telegram_server.updates[-1]["message"]["date"] -= 2 * 86400
    async with make_bot():
        await wait_for_text(telegram_server, "Summary:", CHAT)
        await wait_for_text(telegram_server, "over a day old", stale_chat)
    assert "I was down" in bot_texts(telegram_server, CHAT)[0]
    assert len(bot_texts(telegram_server, stale_chat)) == 1  # the note, and no summary
    assert [seen.path for seen in article_server.requests] == ["/article"]
