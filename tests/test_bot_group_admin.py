"""A group's /settings and /reset belong to its admins (anonymous ones too), and an upgrade to
a supergroup keeps the group's settings and conversations."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.groups import ANONYMOUS_ADMIN
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import button_labels
from tests.servers.openai_server import FakeOpenAI, all_messages

GROUP = -100321
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}
OLGA: dict[str, Any] = {"id": 1003, "is_bot": False, "first_name": "Olga"}
ADMINS_ONLY = "Only this group's admins"


def _say(telegram_server: TelegramServer, text: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("chat_id", GROUP)
    return telegram_server.send_message(
        kwargs.pop("chat_id"), text, chat_type="supergroup", **kwargs
    )


def _menus(telegram_server: TelegramServer, chat_id: int = GROUP) -> list[dict[str, Any]]:
    return [m for m in telegram_server.messages(chat_id) if "Group settings" in m["text"]]


async def _press(
    telegram_server: TelegramServer, menu: dict[str, Any], data: str, user: dict[str, Any]
) -> dict[str, Any]:
    """A user presses a button of the settings menu; returns the bot's answer to the press."""
    query = telegram_server.press_button(menu["chat"]["id"], menu["message_id"], data, user=user)
    await telegram_server.wait_for(lambda: query in telegram_server.callback_answers)
    return telegram_server.callback_answers[query]


async def test_only_admins_change_a_groups_settings(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    telegram_server.group(GROUP, creator=OLGA, admins=[ALICE], members=[BOB])
    async with make_bot():
        _say(telegram_server, "/settings", user=BOB)
        note = await wait_for_text(telegram_server, ADMINS_ONLY, GROUP)
        _say(telegram_server, "/settings@summary_test_bot", user=ALICE)
        menu = await telegram_server.wait_for(lambda: _menus(telegram_server))
        refused = await _press(telegram_server, menu[0], "settings:every_link:on", BOB)
        saved = await _press(telegram_server, menu[0], "settings:every_link:on", ALICE)
        again = await _press(telegram_server, menu[0], "settings:length:short", ALICE)
        _say(telegram_server, "/settings", user=OLGA)  # the creator is an admin too
        await telegram_server.wait_for(lambda: len(_menus(telegram_server)) == 2)
    assert note["reply_to_message"]["from"]["id"] == BOB["id"]
    labels = button_labels(menu[0]["reply_markup"])
    assert "— Summarize every link posted —" in labels
    assert ADMINS_ONLY in refused["text"]
    assert refused["show_alert"] is True
    assert saved["text"] == again["text"] == "Saved."
    ticked = [
        button["text"]
        for row in telegram_server.messages(GROUP)[1]["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"].startswith("✓")
    ]
    assert "✓ On" in ticked
    assert "✓ Short" in ticked
    # Alice's status was asked once for her /settings and both presses: it is kept a minute.
    asked = [p["user_id"] for p in telegram_server.calls_of("getChatMember")]
    assert asked.count(ALICE["id"]) == 1


async def test_an_anonymous_admin_counts_as_an_admin(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    telegram_server.group(GROUP, admins=[ALICE])
    async with make_bot():
        _say(telegram_server, "/settings", anonymous=True)
        await telegram_server.wait_for(lambda: _menus(telegram_server))
        _say(telegram_server, "/reset", anonymous=True)
        await wait_for_text(telegram_server, "I forgot our conversation", GROUP)
    assert ADMINS_ONLY not in " ".join(bot_texts(telegram_server, GROUP))
    assert ANONYMOUS_ADMIN["id"] not in [
        p["user_id"] for p in telegram_server.calls_of("getChatMember")
    ]


async def test_only_admins_reset_a_group(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    async with make_bot():
        _say(telegram_server, f"/summarize {article_server.url('/article')}", user=BOB)
        await wait_for_text(telegram_server, "Summary:", GROUP)
        _say(telegram_server, "/reset", user=BOB)
        await wait_for_text(telegram_server, ADMINS_ONLY, GROUP)
        _say(telegram_server, "/ask who counts them?", user=BOB)  # the article is still there
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)
        _say(telegram_server, "/reset", user=ALICE)
        await wait_for_text(telegram_server, "I forgot our conversation", GROUP)
        _say(telegram_server, "/ask and now?", user=BOB)
        await wait_for_text(telegram_server, "Send me a link or an article first", GROUP)
    assert len(openai_server.requests) == 2


async def test_an_upgraded_group_keeps_its_settings_and_articles(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    old, new = -4321, -1004321
    telegram_server.group(old, "group", admins=[ALICE], members=[BOB])
    async with make_bot():
        telegram_server.send_message(old, "/settings", user=ALICE, chat_type="group")
        menu = await telegram_server.wait_for(lambda: _menus(telegram_server, old))
        await _press(telegram_server, menu[0], "settings:every_link:on", ALICE)
        telegram_server.send_message(
            old, f"/summarize {article_server.url('/article')}", user=BOB, chat_type="group"
        )
        await wait_for_text(telegram_server, "Summary:", old)
        telegram_server.migrate_to_supergroup(old, new, user=ALICE)
        _say(telegram_server, "@summary_test_bot who counts them?", user=BOB, chat_id=new)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)
        # "Summarize every link" came along: a link posted without a word to the bot.
        # (The article summarized once already comes from the cache: no third call.)
        _say(telegram_server, f"see {article_server.url('/article')}", user=BOB, chat_id=new)
        await wait_for_text(telegram_server, ARTICLE_TITLE, new)  # a summary's source line
    question = all_messages(openai_server.requests[1])
    assert "who counts them?" in question
    assert ARTICLE_LAST_PHRASE in question
