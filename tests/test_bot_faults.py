"""The bot when things go wrong: bad links, a failing LLM, Telegram faults, restarts, load."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI, all_messages

CHAT = 1001


@pytest.mark.parametrize(
    ("path", "reply"),
    [
        ("/status/402", "paywall"),
        ("/status/404", "does not exist"),
        ("/huge", "too large"),
        ("/binary", "not image/png"),
    ],
)
async def test_bad_pages_get_a_friendly_reply(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    path: str,
    reply: str,
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url(path))
        message = await wait_for_text(telegram_server, reply, CHAT)
    assert "Traceback" not in message["text"]
    assert openai_server.requests == []


async def test_private_address_is_refused_and_never_contacted(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(fetch_allow_private_networks=False):
        telegram_server.send_message(CHAT, article_server.url("/article"))
        message = await wait_for_text(telegram_server, "private or local network", CHAT)
    assert article_server.connections == 0
    assert "FETCH_ALLOW_PRIVATE_NETWORKS" not in message["text"]  # a setting only the owner has


async def test_llm_down_falls_back_to_a_labelled_extractive_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.fail_next(500, times=10)
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        message = await wait_for_text(telegram_server, "extractive summary", CHAT)
    assert "glass eels" in message["text"]


async def test_no_llm_configured_still_summarizes_and_answers(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(llm=False):
        telegram_server.send_message(CHAT, article_server.url("/article"))
        summary = await wait_for_text(telegram_server, "Extractive summary", CHAT)
        telegram_server.send_message(
            CHAT,
            "How many eels did the volunteers count?",
            reply_to_message_id=summary["message_id"],
        )
        answer = await wait_for_text(telegram_server, "No AI model", CHAT)
    assert "eleven thousand" in answer["text"]
    assert openai_server.requests == []


async def test_rate_limited_send_is_retried_and_delivered(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.reject_drafts = True
    telegram_server.fail_next("sendMessage", retry_after=1)
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await wait_for_text(telegram_server, "Summary:", CHAT)
    sends = telegram_server.calls_of("sendMessage")
    assert len(sends) >= 2  # the 429, then the retry


async def test_rejected_formatting_is_sent_as_plain_text(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: "**Bold gist.**\n\n- point one"
    telegram_server.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        retry_after=None,
    )
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        message = await wait_for_text(telegram_server, "Bold gist.", CHAT)
    assert not message.get("entities") or all(e["type"] != "bold" for e in message["entities"])
    assert "point one" in message["text"]


async def test_message_not_modified_is_harmless(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.reject_drafts = True
    telegram_server.fail_next(
        "editMessageText",
        error_code=400,
        description="Bad Request: message is not modified: specified new message content and "
        "reply markup are exactly the same as a current content and reply markup of the message",
        retry_after=None,
        times=50,
    )
    openai_server.stream_s = 0.5
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(
            lambda: len(telegram_server.calls_of("editMessageText")) >= 1
        )
        telegram_server.send_message(CHAT, "/help")
        await wait_for_text(telegram_server, "What I do", CHAT)
    assert not any("went wrong" in t for t in bot_texts(telegram_server, CHAT))


async def test_unexpected_telegram_error_gets_one_short_reply_and_a_log(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    openai_server.responder = lambda body: "Final words."
    telegram_server.fail_next(
        "sendMessage", error_code=400, description="Bad Request: odd failure", retry_after=None
    )
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        message = await wait_for_text(telegram_server, "went wrong", CHAT)
    assert "Traceback" not in message["text"]
    assert any(record.exc_info for record in caplog.records)


async def test_follow_up_survives_a_restart(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        summary = await wait_for_text(telegram_server, "Summary:", CHAT)
    openai_server.responder = lambda body: "After the restart: eleven thousand."
    async with make_bot():
        telegram_server.send_message(
            CHAT, "How many were counted?", reply_to_message_id=summary["message_id"]
        )
        await wait_for_text(telegram_server, "After the restart", CHAT)
    prompt = all_messages(openai_server.requests[-1])
    assert "How many were counted?" in prompt
    assert ARTICLE_LAST_PHRASE in prompt


async def test_cancel_stops_the_work_in_flight(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.delay_s = 3.0
    telegram_server.reject_drafts = True
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
        telegram_server.send_message(CHAT, "/cancel")
        await wait_for_text(telegram_server, "Stopped.", CHAT)
    assert not any("Summary:" in t for t in bot_texts(telegram_server, CHAT))


async def test_busy_chat_gets_a_note_and_its_queue_in_order(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.delay_s = 0.5
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
        telegram_server.send_message(CHAT, article_server.url("/plain"))
        await wait_for_text(telegram_server, "still working", CHAT)
        await telegram_server.wait_for(
            lambda: sum("Summary:" in t for t in bot_texts(telegram_server, CHAT)) == 2
        )
    assert openai_server.max_in_flight == 1  # one chat never runs parallel LLM calls


async def test_chats_are_served_concurrently(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.delay_s = 1.0
    users = [{"id": 2000 + n, "is_bot": False, "first_name": f"U{n}"} for n in range(8)]
    async with make_bot():
        for user in users:  # each its own link: one article would be summarized once
            link = article_server.url(f"/article?for={user['id']}")
            telegram_server.send_message(user["id"], link, user=user)
        await telegram_server.wait_for(
            lambda: all(
                any("Summary:" in t for t in bot_texts(telegram_server, u["id"])) for u in users
            ),
            timeout=10,
        )
    assert openai_server.max_in_flight == len(users)  # every chat's call was in flight at once


async def test_the_token_never_reaches_a_log_line(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.log import RedactingFilter

    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RedactingFilter([telegram_server.token]))
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await wait_for_text(telegram_server, "Summary:", CHAT)
        await asyncio.sleep(0.1)
    assert caplog.records
    assert telegram_server.token not in caplog.text


async def test_under_heavy_load_replies_are_fetched_whole(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    # Previews this far apart would not feel like streaming: the bot asks for the whole reply.
    async with make_bot(stream_interval_s=3.0):
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await wait_for_text(telegram_server, "Summary:", CHAT)
    assert openai_server.requests[0].get("stream") in (None, False)
    assert telegram_server.calls_of("sendMessageDraft") == []
    assert telegram_server.calls_of("sendChatAction")
