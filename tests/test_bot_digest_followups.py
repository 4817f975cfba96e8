"""Replies to a digest (any of its parts, the recap included) are answered from what it covered:
its articles and the messages it recapped."""

from __future__ import annotations

import re
from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.chats import (
    ALICE,
    BOB,
    GROUP,
    INVENTED_ID,
    links,
    open_group,
    recapper,
    say,
    story,
    turn_recaps,
)
from tests.servers.openai_server import FakeOpenAI, prompt_of


def _followups(body: dict[str, Any]) -> str:
    """Answers what the material says about the question (or that it does not say)."""
    prompt = prompt_of(body)
    if "<question>" not in prompt:
        return recapper(body)
    question = prompt.split("<question>", 1)[1].split("</question>", 1)[0]
    material = _conversation(body)
    if "venue" in question and (said := re.search(r"^\[(\d+)\] Bob: shall we", material, re.M)):
        return f"The venue they settled on: the boathouse [{said[1]}] (not [{INVENTED_ID}])."
    if "second article" in question and "Article 2: " in material and "ferry" in material:
        return "The second article is about the ferry."
    return "The digest does not say."


def _conversation(body: dict[str, Any]) -> str:
    """Every message of the request: the material leads the conversation's first message."""
    return "\n".join(str(message["content"]) for message in body["messages"])


async def test_a_reply_to_a_digest_is_answered_from_its_articles_and_messages(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    open_group(telegram_server)
    openai_server.responder = _followups
    async with make_bot():
        await turn_recaps(telegram_server, "on")
        asked = say(telegram_server, "shall we meet at the boathouse?", user=BOB)
        say(telegram_server, f"read {article_server.url('/article')}")
        say(telegram_server, f"and {story(article_server, '/ferry')}", user=BOB)
        say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
        say(
            telegram_server,
            "what did they decide about the venue?",
            user=BOB,
            reply_to_message_id=digest["message_id"],
        )
        venue = await wait_for_text(telegram_server, "settled on", GROUP)
        say(
            telegram_server,
            "tell me more about the second article",
            reply_to_message_id=digest["message_id"],
        )
        second = await wait_for_text(telegram_server, "about the ferry", GROUP)
        say(
            telegram_server,
            "how much are the tickets?",
            reply_to_message_id=second["message_id"],
        )
        uncovered = await wait_for_text(telegram_server, "does not say", GROUP)
    assert venue["reply_to_message"]["text"] == "what did they decide about the venue?"
    # A kept message the answer cites links to it; an id it was not given stays plain text.
    assert links(venue) == [f"https://t.me/c/1234567/{asked['message_id']}"]
    assert uncovered["reply_to_message"]["text"] == "how much are the tickets?"
    # The follow-ups were asked of the digest's material: its articles and the kept messages.
    prompts = [_conversation(b) for b in openai_server.requests if "<question>" in prompt_of(b)]
    assert len(prompts) == 3
    assert all("Article 1: " in p and "Bob: shall we" in p for p in prompts)


async def test_a_reply_to_an_empty_digest_is_not_a_digest_question(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    telegram_server.group(GROUP, members=[ALICE])
    openai_server.responder = _followups
    async with make_bot():
        say(telegram_server, "/digest")
        empty = await wait_for_text(telegram_server, "No links were shared", GROUP)
        say(telegram_server, "what was shared?", reply_to_message_id=empty["message_id"])
        await telegram_server.wait_for(lambda: len(telegram_server.messages(GROUP)) >= 2)
    assert not [b for b in openai_server.requests if "Article 1: " in prompt_of(b)]
