"""Channels end to end: posts collected where the bot is an admin (edits replace them), a channel
connected by name or by a forwarded post after the Bot API checks, /channels, /disconnect, and
/digest @channel in private: each link an item linked to its post, long text posts too."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.openai_server import FakeOpenAI, prompt_of
from tests.test_extract import STORY

PUBLIC, PRIVATE = -1007770001, -1007770002
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob", "language_code": "en"}
NOTE = (
    "The harbour board met on Tuesday evening. It agreed to close the north pier for repairs "
    "from June. Fishing boats will moor at the south quay meanwhile. The ferry keeps its "
    "timetable, and the board will report on the works every month until they end."
)


def _line(body: dict[str, Any]) -> str:
    """The fake model's digest line names what it read."""
    prompt = prompt_of(body).lower()
    if "eels" in prompt:
        return "Eels return to the lake."
    return "The north pier closes for repairs." if "harbour" in prompt else "A ferry story."


def _links(message: dict[str, Any]) -> list[str]:
    return [e["url"] for e in message.get("entities") or [] if e["type"] == "text_link"]


def _say(telegram_server: TelegramServer, text: str, user: dict[str, Any] = ALICE) -> None:
    telegram_server.send_message(user["id"], text, user=user)


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
        _say(telegram_server, "/connect @eelnews")
        connected = await wait_for_text(telegram_server, "is connected", ALICE["id"])
        _say(telegram_server, "/connect @EelNews")
        await wait_for_text(telegram_server, "already connected", ALICE["id"])
        _say(telegram_server, "/channels")
        listed = await wait_for_text(telegram_server, "Your channels", ALICE["id"])
        _say(telegram_server, "/digest @eelnews 3d")
        digest = await wait_for_text(telegram_server, "Digest of", ALICE["id"])
        _say(telegram_server, "/disconnect @eelnews")
        await wait_for_text(telegram_server, "is disconnected", ALICE["id"])
        _say(telegram_server, "/channels")
        await wait_for_text(telegram_server, "No channels connected", ALICE["id"])
        _say(telegram_server, "/digest @eelnews")
        await wait_for_text(telegram_server, "works in groups", ALICE["id"])
    assert "/digest @EelNews" in connected["text"]
    assert "@EelNews: /digest @EelNews" in listed["text"]
    text, links = digest["text"], _links(digest)
    assert ARTICLE_TITLE in text
    assert "Eels return to the lake." in text
    assert "A ferry story." in text  # the edit replaced the post, with its link
    assert "The north pier closes for repairs." in text  # a post without links, read as text
    assert "Good morning" not in text
    assert {article, ferry} <= set(links)
    for post in (linked, note, fixed):
        assert f"https://t.me/EelNews/{post['message_id']}" in links
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
        telegram_server.forward_channel_post(BOB["id"], PRIVATE, post["message_id"], user=BOB)
        await wait_for_text(telegram_server, "north pier", BOB["id"])
        _say(telegram_server, "/channels", BOB)
        await wait_for_text(telegram_server, "No channels connected", BOB["id"])
        telegram_server.forward_channel_post(ALICE["id"], PRIVATE, post["message_id"], user=ALICE)
        await wait_for_text(telegram_server, "Harbour notes is connected", ALICE["id"])
        _say(telegram_server, "/digest @eelnews")
        await wait_for_text(telegram_server, "not one of your channels", ALICE["id"])
        _say(telegram_server, f"/digest {PRIVATE} 2w")
        await wait_for_text(telegram_server, "/digest 24h", ALICE["id"])
        _say(telegram_server, f"/digest {PRIVATE}")
        digest = await wait_for_text(telegram_server, "Digest of", ALICE["id"])
        _say(telegram_server, "/digest")
        how = await wait_for_text(telegram_server, "channels' digests", ALICE["id"])
        telegram_server.set_admins(PRIVATE, [])  # Alice is no longer an admin of it
        _say(telegram_server, f"/digest {PRIVATE}")
        await wait_for_text(telegram_server, "you are not one", ALICE["id"])
    assert f"https://t.me/c/7770002/{post['message_id']}" in _links(digest)
    assert f"/digest {PRIVATE}" in how["text"]


async def test_connecting_is_refused_with_the_reason(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    telegram_server.channel(PUBLIC, username="eelnews", creator=ALICE)
    telegram_server.channel(PRIVATE, username="mute", admins=[ALICE], bot_can_post=False)
    telegram_server.channel(-1007770003, username="strangers", creator=ALICE, bot_admin=False)
    async with make_bot(llm=False):
        _say(telegram_server, "/connect @eelnews", BOB)
        await wait_for_text(telegram_server, "you are not one", BOB["id"])
        _say(telegram_server, "/connect @nosuchchannel")
        await wait_for_text(telegram_server, "can't find the channel @nosuchchannel", ALICE["id"])
        _say(telegram_server, "/connect @mute")
        await wait_for_text(telegram_server, "without the right to post", ALICE["id"])
        _say(telegram_server, "/connect @strangers")
        await wait_for_text(telegram_server, "not an admin of @strangers", ALICE["id"])
        _say(telegram_server, "/connect")
        await wait_for_text(telegram_server, "forward me one of its posts", ALICE["id"])
        post = telegram_server.send_channel_post(PRIVATE, NOTE)
        telegram_server.forward_channel_post(ALICE["id"], PRIVATE, post["message_id"], user=ALICE)
        await wait_for_text(telegram_server, "@mute but without the right", ALICE["id"])
        _say(telegram_server, "/channels")
        await wait_for_text(telegram_server, "No channels connected", ALICE["id"])
        _say(telegram_server, "/digest")
        await wait_for_text(telegram_server, "works in groups", ALICE["id"])
