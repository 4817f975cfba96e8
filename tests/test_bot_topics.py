"""Forum topics: replies stay in their topic and quote what they answer, and each topic keeps
its own latest article and conversation."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.openai_server import FakeOpenAI, all_messages
from tests.test_extract import STORY

FORUM = -100888
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}


def _in_topic(telegram_server: TelegramServer, topic: int) -> list[dict[str, Any]]:
    return [m for m in telegram_server.messages(FORUM) if m.get("message_thread_id") == topic]


async def test_topics_keep_their_own_articles_and_replies(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    lanes = article_server.add_page("/lanes", "\n\n".join(STORY).encode(), "text/plain")
    telegram_server.group(FORUM, forum=True, members=[ALICE, BOB])
    eels = telegram_server.create_topic(FORUM, "Eels", user=ALICE)
    bikes = telegram_server.create_topic(FORUM, "Bikes", user=BOB)

    def say(text: str, topic: int, user: dict[str, Any] = ALICE) -> dict[str, Any]:
        return telegram_server.send_message(
            FORUM, text, user=user, chat_type="supergroup", message_thread_id=topic
        )

    async with make_bot():
        asked = say(f"@summary_test_bot {article_server.url('/article')}", eels)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 1)
        say(f"@summary_test_bot {lanes}", bikes, BOB)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)
        # Questions that reply to nothing go to the latest article of their own topic.
        say("@summary_test_bot who counts them?", eels)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 3)
        say("@summary_test_bot what does it cost?", bikes, BOB)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 4)
        await wait_for_text(telegram_server, "Summary:", FORUM)

    eels_question, bikes_question = (all_messages(r) for r in openai_server.requests[2:])
    assert ARTICLE_LAST_PHRASE in eels_question
    assert "bicycle lanes" not in eels_question
    assert "bicycle lanes" in bikes_question
    assert ARTICLE_LAST_PHRASE not in bikes_question
    assert "who counts them?" not in bikes_question  # no history shared across topics
    summary = _in_topic(telegram_server, eels)[0]
    assert summary["reply_to_message"]["message_id"] == asked["message_id"]
    assert len(_in_topic(telegram_server, eels)) == len(_in_topic(telegram_server, bikes)) == 2
    assert len(telegram_server.messages(FORUM)) == 4  # nothing in General
    threads = {call.get("message_thread_id") for call in telegram_server.calls_of("sendChatAction")}
    assert threads <= {eels, bikes}


async def test_chatter_in_a_topic_the_bot_opened_is_not_a_reply_to_it(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(FORUM, forum=True, members=[BOB])
    # Every message in a topic replies, for Telegram, to the topic's first message: here the bot's.
    topic = telegram_server.create_topic(FORUM, "Reading list", user=telegram_server.bot)
    async with make_bot():
        telegram_server.send_message(
            FORUM,
            f"chatter {article_server.url('/article')}",
            user=BOB,
            chat_type="supergroup",
            message_thread_id=topic,
        )
        telegram_server.send_message(
            FORUM, "/help", user=BOB, chat_type="supergroup", message_thread_id=topic
        )
        await telegram_server.wait_for(lambda: len(_in_topic(telegram_server, topic)) == 2)
    assert openai_server.requests == []
    assert "/summarize" in _in_topic(telegram_server, topic)[-1]["text"]
