"""Recaps: where its admins turned them on, a group's messages are kept and /digest starts with
a recap whose points cite the messages they come from, as links; nobody is pinged by it."""

from __future__ import annotations

from bot.playground.emulator.api import auto_entities
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import (
    ALICE,
    BOB,
    GROUP,
    INVENTED_ID,
    links,
    open_group,
    recapper,
    say,
    turn_recaps,
)
from tests.servers.openai_server import FakeOpenAI, prompt_of


async def test_recaps_are_off_by_default_and_nothing_said_meanwhile_is_kept(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    open_group(telegram_server)
    openai_server.responder = recapper
    async with make_bot():
        say(telegram_server, "shall we meet at the boathouse?", user=BOB)
        say(telegram_server, f"read {article_server.url('/article')}")
        say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
        # Turned on only now: what was said before was not kept, so there is nothing to recap.
        await turn_recaps(telegram_server, "on")
        say(telegram_server, "/digest 24h")
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
    openai_server.responder = recapper
    async with make_bot():
        await turn_recaps(telegram_server, "on")
        venue = say(telegram_server, "@bob shall we meet at the boathouse?")
        agreed = say(telegram_server, "yes, the boathouse", user=BOB)
        say(telegram_server, f"read {article_server.url('/article')}")
        say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    text = digest["text"]
    assert text.index("Recap") < text.index("The venue") < text.index(ARTICLE_TITLE)
    assert "chose the boathouse" in text
    assert "A point nobody made" not in text  # its only citation was invented
    cited = [link for link in links(digest) if "/c/1234567/" in link]
    assert cited[:2] == [
        f"https://t.me/c/1234567/{venue['message_id']}",
        f"https://t.me/c/1234567/{agreed['message_id']}",
    ]
    assert all(not link.endswith(f"/{INVENTED_ID}") for link in links(digest))
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
        say(telegram_server, "shall we meet at the boathouse?", user=BOB)
        say(telegram_server, f"read {article_server.url('/article')}")
        say(telegram_server, "/digest")
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert digest["text"].count("Recaps of the conversation need a model") == 1
    assert ARTICLE_TITLE in digest["text"]
