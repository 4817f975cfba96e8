"""Recaps: where its admins turned them on, a group's messages are kept and /digest starts with
a recap whose points cite the messages they come from, as links; nobody is pinged by it."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.playground.emulator.api import auto_entities
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI, prompt_of
from tests.test_bot_digest import ALICE, BOB, GROUP, _links, _say

INVENTED_ID = 987654


def _recapper(body: dict[str, Any]) -> str:
    """A recap citing every message it was given, and one it was not; else a digest line."""
    prompt = prompt_of(body)
    if "<messages>" not in prompt:
        return "Eels return to the lake."
    given = [int(i) for i in re.findall(r"^\[(\d+)\]", prompt, re.MULTILINE)]
    points = [
        {"text": "@bob and Alice chose the boathouse.", "ids": [*given, INVENTED_ID]},
        {"text": "A point nobody made.", "ids": [INVENTED_ID]},
    ]
    return json.dumps({"topics": [{"title": "The venue", "points": points}]})


def open_group(telegram_server: TelegramServer) -> None:
    """The test group: Alice its admin, Bob a member, every message seen by the bot."""
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])


async def _turn_recaps(telegram_server: TelegramServer, value: str) -> None:
    _say(telegram_server, "/settings")
    menu = await wait_for_text(telegram_server, "Group settings", GROUP)
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert "— Keep messages for /digest recaps —" in labels
    query = telegram_server.press_button(
        GROUP, menu["message_id"], f"settings:recaps:{value}", user=ALICE
    )
    await telegram_server.wait_for(lambda: query in telegram_server.callback_answers)


async def test_recaps_are_off_by_default_and_nothing_said_meanwhile_is_kept(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    open_group(telegram_server)
    openai_server.responder = _recapper
    async with make_bot():
        _say(telegram_server, "shall we meet at the boathouse?", user=BOB)
        _say(telegram_server, f"read {article_server.url('/article')}")
        _say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
        # Turned on only now: what was said before was not kept, so there is nothing to recap.
        await _turn_recaps(telegram_server, "on")
        _say(telegram_server, "/digest 24h")
        await telegram_server.wait_for(
            lambda: sum("Digest" in t for t in bot_texts(telegram_server, GROUP)) == 2
        )
    assert "Recap" not in digest["text"]
    assert all("Recap" not in t for t in bot_texts(telegram_server, GROUP))
    assert not any("<messages>" in prompt_of(body) for body in openai_server.requests)


async def test_a_recap_cites_real_messages_as_links_and_pings_nobody(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    open_group(telegram_server)
    openai_server.responder = _recapper
    async with make_bot():
        await _turn_recaps(telegram_server, "on")
        venue = _say(telegram_server, "@bob shall we meet at the boathouse?")
        agreed = _say(telegram_server, "yes, the boathouse", user=BOB)
        _say(telegram_server, f"read {article_server.url('/article')}")
        _say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    text = digest["text"]
    assert text.index("Recap") < text.index("The venue") < text.index(ARTICLE_TITLE)
    assert "chose the boathouse" in text
    assert "A point nobody made" not in text  # its only citation was invented
    cited = [link for link in _links(digest) if "/c/1234567/" in link]
    assert cited[:2] == [
        f"https://t.me/c/1234567/{venue['message_id']}",
        f"https://t.me/c/1234567/{agreed['message_id']}",
    ]
    assert all(not link.endswith(f"/{INVENTED_ID}") for link in _links(digest))
    # The model saw the messages as data, authors by name; the reply mentions nobody.
    recap_prompt = next(
        prompt_of(b) for b in openai_server.requests if "<messages>" in prompt_of(b)
    )
    assert f"[{agreed['message_id']}] Bob" in recap_prompt
    assert "bob" in text
    assert not [e for e in auto_entities(text) if e["type"] == "mention"]
    assert not [e for e in digest.get("entities") or [] if e["type"] in ("mention", "text_mention")]


async def test_without_a_model_the_digest_says_recaps_need_one(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, members=[ALICE, BOB])
    async with make_bot(llm=False, group_recaps_default=True):
        _say(telegram_server, "shall we meet at the boathouse?", user=BOB)
        _say(telegram_server, f"read {article_server.url('/article')}")
        _say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert digest["text"].count("Recaps of the conversation need a model") == 1
    assert ARTICLE_TITLE in digest["text"]
