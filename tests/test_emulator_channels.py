"""The emulator's channels: the bot as an admin with or without the right to post, posts and
their edits, getChat by @username, and posts forwarded to a private chat, through PTB's Bot."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, MessageOriginChannel
from telegram.error import BadRequest

from bot.playground.emulator.server import TelegramServer
from tests.test_emulator_groups import _updates, bot

__all__ = ["bot"]  # the fixture, shared with test_emulator_groups

CHANNEL = -1007770001
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}


async def test_a_channel_by_username_with_its_admins(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", title="Eel news", creator=ALICE)
    chat = await bot.get_chat("@eelnews")
    assert (chat.id, chat.type, chat.title, chat.username) == (
        CHANNEL,
        "channel",
        "Eel news",
        "EelNews",
    )
    assert (await bot.get_chat_member("@EelNews", 1001)).status == "creator"
    assert (await bot.get_chat_member(CHANNEL, 1002)).status == "member"
    me = await bot.get_chat_member(CHANNEL, telegram_server.bot["id"])
    assert me.status == "administrator"
    assert me.can_post_messages is True  # type: ignore[attr-defined]
    admins = await bot.get_chat_administrators(CHANNEL)
    assert [member.user.id for member in admins] == [1001, telegram_server.bot["id"]]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat("@nosuchchannel")


async def test_the_bot_without_rights_or_not_an_admin(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.channel(CHANNEL, admins=[BOB], bot_can_post=False)
    me = await bot.get_chat_member(CHANNEL, telegram_server.bot["id"])
    assert (me.status, me.can_post_messages) == ("administrator", False)  # type: ignore[attr-defined]
    bob = await bot.get_chat_member(CHANNEL, 1002)
    assert bob.can_post_messages is True  # type: ignore[attr-defined]
    telegram_server.channel(CHANNEL, bot_admin=False)
    assert (await bot.get_chat_member(CHANNEL, telegram_server.bot["id"])).status == "left"
    admins = await bot.get_chat_administrators(CHANNEL)
    assert [member.user.id for member in admins] == [1002]
    # A bot that is no admin of a channel gets none of its posts.
    telegram_server.send_channel_post(CHANNEL, "unseen")
    assert await _updates(bot) == []


async def test_posts_edits_and_a_forwarded_post(bot: Bot, telegram_server: TelegramServer) -> None:
    telegram_server.channel(CHANNEL, username="eelnews", creator=ALICE)
    post = telegram_server.send_channel_post(CHANNEL, "Eels https://example.com/eels")
    telegram_server.edit_message(CHANNEL, post["message_id"], "Eels, fixed https://example.com/e")
    forwarded = telegram_server.forward_channel_post(1001, CHANNEL, post["message_id"], user=ALICE)
    updates = await _updates(bot)
    first, edit, private = (
        updates[0].channel_post,
        updates[1].edited_channel_post,
        updates[2].message,
    )
    assert first is not None
    assert first.sender_chat is not None
    assert first.sender_chat.id == CHANNEL
    assert edit is not None
    assert edit.text == "Eels, fixed https://example.com/e"
    assert private is not None
    assert private.chat.type == "private"
    origin = private.forward_origin
    assert isinstance(origin, MessageOriginChannel)
    assert (origin.chat.id, origin.message_id) == (CHANNEL, post["message_id"])
    assert forwarded["text"] == "Eels, fixed https://example.com/e"
