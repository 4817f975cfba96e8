"""Channels end to end: posts collected where the bot is an admin (edits replace them), a channel
connected by name or by a forwarded post after the Bot API checks, /channels, /disconnect, and
/digest @channel in private: each link an item linked to its post, long text posts too."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts
from tests.servers.chats import ALICE_EN as ALICE
from tests.servers.chats import BOB_EN as BOB
from tests.servers.chats import NOTE, PUBLIC, ask, links, reply
from tests.servers.openai_server import FakeOpenAI, prompt_of
from tests.test_extract import STORY

PRIVATE = -1007770002


def _line(body: dict[str, Any]) -> str:
    """The fake model's digest line names what it read."""
    prompt = prompt_of(body).lower()
    if "eels" in prompt:
        return "Eels return to the lake."
    return "The north pier closes for repairs." if "harbour" in prompt else "A ferry story."


async def _forward(
    telegram_server: TelegramServer, post: dict[str, Any], fragment: str, user: dict[str, Any]
) -> dict[str, Any]:
    """The user forwards a channel post to the bot; its new reply holding `fragment`."""
    channel, post_id = post["chat"]["id"], post["message_id"]
    return await reply(
        telegram_server,
        fragment,
        lambda: telegram_server.forward_channel_post(user["id"], channel, post_id, user=user),
        user,
    )


async def test_a_connected_channel_s_digest_links_each_item_to_its_post(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.channel(PUBLIC, username="EelNews", title="Eel news", creator=ALICE)
    openai_server.responder = _line
    article = article_server.url("/article")
    ferry = article_server.add_page(
        "/ferry", "\n\n".join(["The ferry story.", *STORY]).encode(), "text/plain; charset=utf-8"
    )
    async with make_bot():
        linked = telegram_server.send_channel_post(PUBLIC, f"Read this: {article}")
        note = telegram_server.send_channel_post(PUBLIC, NOTE)
        fixed = telegram_server.send_channel_post(PUBLIC, "A link, soon")
        telegram_server.send_channel_post(PUBLIC, "Good morning!")  # too short to be an item
        telegram_server.edit_message(PUBLIC, fixed["message_id"], f"The ferry: {ferry}")
        connected = await ask(telegram_server, "/connect @eelnews", "is connected")
        await ask(telegram_server, "/connect @EelNews", "already connected")
        listed = await ask(telegram_server, "/channels", "Your channels")
        digest = await ask(telegram_server, "/digest @eelnews 3d", "Digest of")
        gone = await ask(telegram_server, "/disconnect @eelnews", "is disconnected")
        await ask(telegram_server, "/channels", "No channels connected")
        await ask(telegram_server, f"/digest {PUBLIC}", "not one of your channels")
    assert "scheduled" not in gone["text"]  # none was set
    assert "/digest @EelNews" in connected["text"]
    assert "@EelNews: /digest @EelNews" in listed["text"]
    text, urls = digest["text"], links(digest)
    assert ARTICLE_TITLE in text
    assert "Eels return to the lake." in text
    assert "A ferry story." in text  # the edit replaced the post, with its link
    assert "The north pier closes for repairs." in text  # a post without urls, read as text
    assert "Good morning" not in text
    assert {article, ferry} <= set(urls)
    for post in (linked, note, fixed):
        assert f"https://t.me/EelNews/{post['message_id']}" in urls
    assert len(openai_server.requests) == 3


async def test_a_forwarded_post_connects_a_private_channel(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
) -> None:
    telegram_server.channel(PRIVATE, title="Harbour notes", admins=[ALICE])
    openai_server.responder = _line
    async with make_bot():
        post = telegram_server.send_channel_post(PRIVATE, NOTE)
        # Bob is no admin: his forward is only summarized, and connects nothing.
        await _forward(telegram_server, post, "north pier", BOB)
        await ask(telegram_server, "/channels", "No channels connected", BOB)
        await _forward(telegram_server, post, "Harbour notes is connected", ALICE)
        await ask(telegram_server, f"/digest {PUBLIC}", "not one of your channels")
        await ask(telegram_server, f"/digest {PRIVATE} 2w", "/digest 24h")
        digest = await ask(telegram_server, f"/digest {PRIVATE}", "Digest of")
        # The next digest starts where this one ended: nothing was posted since.
        await ask(telegram_server, f"/digest {PRIVATE}", "Harbour notes posted nothing")
        every = await ask(telegram_server, "/digest", "Digest of Harbour notes")
        telegram_server.set_admins(PRIVATE, [])  # Alice is no longer an admin of it
        await ask(telegram_server, f"/digest {PRIVATE}", "you are not one")
    assert not any("Only an admin" in text for text in bot_texts(telegram_server, BOB["id"]))
    assert f"https://t.me/c/7770002/{post['message_id']}" in links(digest)
    assert f"https://t.me/c/7770002/{post['message_id']}" in links(every)  # every channel


async def test_connecting_is_refused_with_the_reason(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    telegram_server.channel(PUBLIC, username="eelnews", creator=ALICE)
    telegram_server.channel(PRIVATE, username="mute", admins=[ALICE], bot_can_post=False)
    telegram_server.channel(-1007770003, username="strangers", creator=ALICE, bot_admin=False)
    async with make_bot(llm=False):
        await ask(telegram_server, "/connect @eelnews", "you are not one", BOB)
        await ask(
            telegram_server, "/connect @nosuchchannel", "can't find the channel @nosuchchannel"
        )
        await ask(telegram_server, "/connect @mute", "without the right to post")
        await ask(telegram_server, "/connect @strangers", "not an admin of @strangers")
        await ask(telegram_server, "/connect", "forward me one of its posts")
        await ask(telegram_server, "/connect t.me/Strangers", "not an admin of @strangers")
        post = telegram_server.send_channel_post(PRIVATE, NOTE)
        await _forward(telegram_server, post, "@mute but without the right", ALICE)
        await ask(telegram_server, "/channels", "No channels connected")
        await ask(telegram_server, "/digest", "You follow no channels and have none connected")
