"""A group's shared links are collected in silence, and /digest reads them back: each article
once with its line and a link to the message that shared it, unreadable links at the end."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import ALICE, BOB, GROUP, button_labels, links, say, story
from tests.servers.openai_server import FakeOpenAI, prompt_of


def _line(body: dict[str, Any]) -> str:
    """The fake model's digest line names the article it read."""
    prompt = prompt_of(body)
    return "Eels return to the lake." if "eels" in prompt.lower() else "Something else happened."


async def test_a_digest_lists_each_article_once_and_the_unreadable_last(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, members=[ALICE, BOB])
    openai_server.responder = _line
    article = article_server.url("/article")
    ferry = story(article_server, "/ferry")
    missing = article_server.url("/missing")
    async with make_bot():
        first = say(telegram_server, f"look {article}")
        say(telegram_server, f"again {article}?utm_source=chat", user=BOB)
        say(telegram_server, f"and {ferry}", user=BOB)
        say(telegram_server, f"broken {missing}")
        say(telegram_server, f"{article}#comments", user=BOB)
        say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    # Collecting is silent: the digest is the group's only message from the bot.
    assert len(bot_texts(telegram_server, GROUP)) == 1
    text = digest["text"]
    assert text.index(ARTICLE_TITLE) < text.index("Something else happened.")
    assert "Eels return to the lake." in text
    assert "shared 3 times" in text
    assert article in links(digest)
    assert f"https://t.me/c/1234567/{first['message_id']}" in links(digest)
    # The unreadable link comes last, with the reason.
    assert text.index("Could not read") > text.index("Something else happened.")
    assert missing in text.split("Could not read")[1]
    # One call per distinct readable article; the article is data between delimiters.
    assert len(openai_server.requests) == 2
    assert all("<article>" in prompt_of(body) for body in openai_server.requests)
    assert digest["reply_to_message"]["text"] == "/digest"
    assert telegram_server.calls_of("sendChatAction")  # "typing..." while it reads


async def test_the_next_digest_starts_where_the_last_ended_and_uses_the_cache(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, members=[ALICE, BOB])
    openai_server.responder = _line
    async with make_bot():
        say(telegram_server, f"/summarize {article_server.url('/article')}")
        await wait_for_text(telegram_server, "Eels", GROUP)
        say(telegram_server, "/digest")
        await wait_for_text(telegram_server, "Digest", GROUP)
        say(telegram_server, "/digest")
        empty = await wait_for_text(telegram_server, "No links were shared", GROUP)
        say(telegram_server, "/digest 24h")
        await telegram_server.wait_for(
            lambda: sum("Digest" in t for t in bot_texts(telegram_server, GROUP)) == 2
        )
    assert empty["reply_to_message"]["text"] == "/digest"
    # The summary and one digest line; the second 24h digest took its line from the cache.
    assert len(openai_server.requests) == 2


async def test_a_topic_digests_its_own_links_and_public_groups_link_by_name(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, forum=True, username="eelwatch", members=[ALICE, BOB])
    eels = telegram_server.create_topic(GROUP, "Eels", user=ALICE)
    other = telegram_server.create_topic(GROUP, "Other", user=BOB)
    ferry = story(article_server, "/ferry")
    async with make_bot():
        shared = say(telegram_server, article_server.url("/article"), message_thread_id=eels)
        say(telegram_server, ferry, message_thread_id=other)
        say(telegram_server, "/digest 3d", message_thread_id=eels)
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert digest["message_thread_id"] == eels
    assert ARTICLE_TITLE in digest["text"]
    assert ferry not in links(digest)
    assert f"https://t.me/eelwatch/{shared['message_id']}" in links(digest)


async def test_an_admin_turns_collecting_off(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    async with make_bot():
        say(telegram_server, "/settings")
        menu = await wait_for_text(telegram_server, "Group settings", GROUP)
        labels = button_labels(menu["reply_markup"])
        assert "— Collect shared links for /digest —" in labels
        query = telegram_server.press_button(
            GROUP, menu["message_id"], "settings:collect:off", user=ALICE
        )
        await telegram_server.wait_for(lambda: query in telegram_server.callback_answers)
        say(telegram_server, article_server.url("/article"), user=BOB)
        say(telegram_server, "/digest", user=BOB)
        await wait_for_text(telegram_server, "No links were shared", GROUP)


async def test_a_long_digest_is_split_at_items(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, members=[ALICE])
    openai_server.responder = lambda body: "A long line about the ferry story. " * 5
    links = [story(article_server, f"/story/{n}", n) for n in range(40)]
    async with make_bot():
        for link in links:
            say(telegram_server, link)
        say(telegram_server, "/digest")
        await telegram_server.wait_for(
            lambda: any(t.startswith("(1/") for t in bot_texts(telegram_server, GROUP)), timeout=30
        )
        first = bot_texts(telegram_server, GROUP)[0]
        total = int(first.split("/", 1)[1].split(")", 1)[0])
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) == total)
    parts = bot_texts(telegram_server, GROUP)
    assert total >= 2
    assert [part.split(" ", 1)[0] for part in parts] == [
        f"({n}/{total})" for n in range(1, total + 1)
    ]
    assert all(len(part) <= 4096 for part in parts)
    # Items are whole: each numbered item sits in one message with its line and its link.
    for n in range(1, 41):
        item_start = re.compile(rf"(?:^\(\d+/\d+\) |\n){n}\. ")
        holding = [part for part in parts if item_start.search(part)]
        assert len(holding) == 1
        item = holding[0].split(f"{n}. ", 1)[1]
        assert "A long line" in item.split("\n")[1]


async def test_without_a_model_lines_are_key_sentences_labelled(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, members=[ALICE])
    async with make_bot(llm=False):
        say(telegram_server, article_server.url("/article"))
        say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert "No model wrote these lines" in digest["text"]
    assert ARTICLE_TITLE in digest["text"]


@pytest.mark.parametrize(
    ("chat_type", "reply"), [("supergroup", "/digest 24h"), ("private", "/digest @channel")]
)
async def test_digest_usage_and_private_chats(
    make_bot: BotFactory, telegram_server: TelegramServer, chat_type: str, reply: str
) -> None:
    chat = GROUP if chat_type == "supergroup" else ALICE["id"]
    async with make_bot():
        telegram_server.send_message(chat, "/digest 2w", user=ALICE, chat_type=chat_type)
        answer = await wait_for_text(telegram_server, reply, chat)
    assert "Digest" not in answer["text"]
