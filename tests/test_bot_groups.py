"""In groups the bot speaks only when spoken to: commands, mentions, and replies to it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI, all_messages

GROUP = -100777
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}


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


@pytest.mark.parametrize(
    ("privacy_mode", "opening"),
    [(False, "@summary_test_bot {link}"), (True, "/summarize@summary_test_bot {link}")],
)
async def test_any_member_follows_up_by_replying_to_the_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    privacy_mode: bool,
    opening: str,
) -> None:
    # Privacy mode on: Telegram delivers only commands and replies to the bot; that suffices.
    telegram_server.privacy_mode = privacy_mode
    telegram_server.group(GROUP, members=[ALICE, BOB])
    openai_server.responder = lambda body: (
        "Volunteers count them." if "Who counts" in all_messages(body) else "Summary: eels."
    )
    async with make_bot():
        link = article_server.url("/article")
        telegram_server.send_message(
            GROUP, opening.format(link=link), user=ALICE, chat_type="supergroup"
        )
        summary = await wait_for_text(telegram_server, "Summary:", GROUP)
        question = telegram_server.send_message(
            GROUP,
            "Who counts the eels?",
            user=BOB,
            chat_type="supergroup",
            reply_to_message_id=summary["message_id"],
        )
        answer = await wait_for_text(telegram_server, "Volunteers count them.", GROUP)
    assert answer["reply_to_message"]["message_id"] == question["message_id"]
    prompt = all_messages(openai_server.requests[1])
    assert "Who counts the eels?" in prompt
    assert ARTICLE_LAST_PHRASE in prompt
    # Group replies use edits of a placeholder, never private-chat drafts.
    assert telegram_server.calls_of("sendMessageDraft") == []


async def test_summarize_commands_name_the_bot_or_reply_to_a_link(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    link = article_server.url("/article")
    telegram_server.group(GROUP, members=[ALICE, BOB])
    async with make_bot():
        shared = telegram_server.send_message(
            GROUP, f"look {link}", user=BOB, chat_type="supergroup"
        )
        telegram_server.send_message(
            GROUP, f"/summarize@other_bot {link}?other", user=ALICE, chat_type="supergroup"
        )
        command = telegram_server.send_message(
            GROUP,
            "/summarize",
            user=ALICE,
            chat_type="supergroup",
            reply_to_message_id=shared["message_id"],
        )
        summary = await wait_for_text(telegram_server, "Summary:", GROUP)
        telegram_server.send_message(
            GROUP, f"/summarize@summary_test_bot {link}?bob", user=BOB, chat_type="supergroup"
        )
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) == 2)
    assert len(openai_server.requests) == 2  # the other bot's command was not ours
    assert summary["reply_to_message"]["message_id"] == command["message_id"]
    assert all("Summary:" in text for text in bot_texts(telegram_server, GROUP))


async def test_every_link_is_summarized_quietly_when_the_group_asks(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    async with make_bot():
        await _turn_on_every_link(telegram_server)
        telegram_server.send_message(
            GROUP, f"broken {article_server.url('/status/404')}", user=BOB, chat_type="supergroup"
        )
        telegram_server.send_message(GROUP, "nice weather", user=BOB, chat_type="supergroup")
        shared = telegram_server.send_message(
            GROUP, f"read {article_server.url('/article')}", user=BOB, chat_type="supergroup"
        )
        summary = await wait_for_text(telegram_server, "Summary:", GROUP)
    # Nothing about the broken link, no placeholder, no chat action: only the summary.
    assert bot_texts(telegram_server, GROUP)[1:] == [summary["text"]]
    assert summary["reply_to_message"]["message_id"] == shared["message_id"]
    assert len(telegram_server.calls_of("sendMessage")) == 2  # the settings, the summary
    assert telegram_server.calls_of("sendChatAction") == []
    assert len(openai_server.requests) == 1


async def test_errors_are_told_only_to_those_who_addressed_the_bot(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.group(GROUP, members=[ALICE])
    async with make_bot():
        telegram_server.send_message(
            GROUP,
            f"@summary_test_bot {article_server.url('/status/404')}",
            user=ALICE,
            chat_type="supergroup",
        )
        await wait_for_text(telegram_server, "404", GROUP)


async def _turn_on_every_link(telegram_server: TelegramServer) -> None:
    """Alice, an admin, turns "summarize every link" on in /settings."""
    telegram_server.send_message(GROUP, "/settings", user=ALICE, chat_type="supergroup")
    menu = await wait_for_text(telegram_server, "Group settings", GROUP)
    query = telegram_server.press_button(
        GROUP, menu["message_id"], "settings:every_link:on", user=ALICE
    )
    await telegram_server.wait_for(lambda: query in telegram_server.callback_answers)
