"""In groups the bot speaks only when spoken to: commands, mentions, and replies to it."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.openai_server import FakeOpenAI, all_messages

GROUP = -100777
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}


async def test_group_messages_not_addressed_to_the_bot_are_ignored(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        telegram_server.send_message(
            GROUP, f"see {article_server.url('/article')}", user=ALICE, chat_type="supergroup"
        )
        telegram_server.send_message(
            GROUP, "/help@summary_test_bot", user=ALICE, chat_type="supergroup"
        )
        await telegram_server.wait_for(lambda: telegram_server.messages(GROUP))
    assert openai_server.requests == []
    assert len(telegram_server.messages(GROUP)) == 1  # only the /help reply


async def test_mention_and_reply_in_a_group_are_answered(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        telegram_server.send_message(
            GROUP,
            f"@summary_test_bot {article_server.url('/article')}",
            user=ALICE,
            chat_type="supergroup",
        )
        summary = await wait_for_text(telegram_server, "Summary:", GROUP)
        telegram_server.send_message(
            GROUP,
            "Who counts the eels?",
            user=ALICE,
            chat_type="supergroup",
            reply_to_message_id=summary["message_id"],
        )
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)
    question = all_messages(openai_server.requests[1])
    assert "Who counts the eels?" in question
    assert ARTICLE_LAST_PHRASE in question
    # Group replies use edits of a placeholder, never private-chat drafts.
    assert telegram_server.calls_of("sendMessageDraft") == []
