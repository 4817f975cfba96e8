"""The emulator's groups: members and admins, forum topics, anonymous admins, upgrades to
supergroups and privacy mode, seen through python-telegram-bot's own Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, ChatMigrated

from bot.playground.emulator.groups import ANONYMOUS_ADMIN
from bot.playground.emulator.server import TelegramServer

GROUP = -100555
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}
OLGA: dict[str, Any] = {"id": 1003, "is_bot": False, "first_name": "Olga"}


@pytest.fixture
async def bot(telegram_server: TelegramServer) -> AsyncIterator[Bot]:
    """PTB's Bot talking to the emulator (no Application: the tests read updates themselves)."""
    async with Bot(
        telegram_server.token,
        base_url=f"{telegram_server.root}/bot",
        base_file_url=f"{telegram_server.root}/file/bot",
    ) as opened:
        yield opened


async def _updates(bot: Bot) -> list[Update]:
    updates = list(await bot.get_updates(timeout=0))
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


async def test_members_admins_and_creator(bot: Bot, telegram_server: TelegramServer) -> None:
    telegram_server.group(GROUP, creator=OLGA, admins=[ALICE], members=[BOB])
    telegram_server.set_member(GROUP, {"id": 1004, "is_bot": False, "first_name": "Eve"}, "kicked")
    statuses = [(await bot.get_chat_member(GROUP, user)).status for user in (1003, 1001, 1002)]
    assert statuses == ["creator", "administrator", "member"]
    assert (await bot.get_chat_member(GROUP, 1004)).status == "kicked"
    assert (await bot.get_chat_member(GROUP, 4242)).status == "member"
    admins = await bot.get_chat_administrators(GROUP)
    assert [member.user.id for member in admins] == [1001, 1003, telegram_server.bot["id"]]
    telegram_server.set_admins(GROUP, [BOB])  # replaces the administrators, not the creator
    assert (await bot.get_chat_member(GROUP, 1001)).status == "member"
    assert (await bot.get_chat_member(GROUP, 1002)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 1003)).status == "creator"


async def test_forum_topics_keep_messages_apart(bot: Bot, telegram_server: TelegramServer) -> None:
    telegram_server.group(GROUP, forum=True)
    topic = telegram_server.create_topic(GROUP, "Links", user=ALICE)
    sent = telegram_server.send_message(
        GROUP, "hello", user=ALICE, chat_type="supergroup", message_thread_id=topic
    )
    created, message = [update.effective_message for update in await _updates(bot)]
    assert created is not None
    assert created.forum_topic_created is not None
    assert message is not None
    assert message.is_topic_message
    assert message.message_thread_id == topic
    # A message that replies to nothing in a topic replies to the topic's first message.
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == topic

    reply = await bot.send_message(
        GROUP, "hi", message_thread_id=topic, reply_to_message_id=sent["message_id"]
    )
    assert reply.message_thread_id == topic
    assert reply.is_topic_message
    assert await bot.send_chat_action(GROUP, "typing", message_thread_id=topic)
    edited = await bot.edit_message_text("hi!", chat_id=GROUP, message_id=reply.message_id)
    assert not isinstance(edited, bool)
    assert edited.message_thread_id == topic
    general = await bot.send_message(GROUP, "in General")
    assert general.message_thread_id is None
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(GROUP, "lost", message_thread_id=999)
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_chat_action(GROUP, "typing", message_thread_id=999)


async def test_an_anonymous_admin_posts_as_the_group(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.group(GROUP)
    telegram_server.send_message(GROUP, "/settings", chat_type="supergroup", anonymous=True)
    (update,) = await _updates(bot)
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    assert message.from_user.id == ANONYMOUS_ADMIN["id"]
    assert message.sender_chat is not None
    assert message.sender_chat.id == GROUP


async def test_a_group_upgraded_to_a_supergroup(bot: Bot, telegram_server: TelegramServer) -> None:
    old, new = -4242, -1004242
    telegram_server.group(old, "group", admins=[ALICE])
    telegram_server.migrate_to_supergroup(old, new, user=ALICE)
    moved_to, moved_from = [update.effective_message for update in await _updates(bot)]
    assert moved_to is not None
    assert moved_to.chat.id == old
    assert moved_to.migrate_to_chat_id == new
    assert moved_from is not None
    assert moved_from.chat.id == new
    assert moved_from.chat.type == "supergroup"
    assert moved_from.migrate_from_chat_id == old
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(old, "still there?")
    assert caught.value.new_chat_id == new
    assert (await bot.get_chat_member(new, 1001)).status == "administrator"


async def test_privacy_mode_delivers_only_what_addresses_the_bot(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.privacy_mode = True
    assert not (await bot.get_me()).can_read_all_group_messages
    telegram_server.group(GROUP)
    own = await bot.send_message(GROUP, "a summary")
    texts = [
        "just chatting https://example.org/a",
        "/summarize@summary_test_bot https://example.org/b",
        "/summarize@other_bot https://example.org/c",
        "/help",
        "hey @summary_test_bot what now?",
    ]
    for text in texts:
        telegram_server.send_message(GROUP, text, user=BOB, chat_type="supergroup")
    telegram_server.send_message(
        GROUP, "and why?", user=BOB, chat_type="supergroup", reply_to_message_id=own.message_id
    )
    received = [update.effective_message for update in await _updates(bot)]
    assert [m.text for m in received if m is not None] == [
        "/summarize@summary_test_bot https://example.org/b",
        "/help",
        "hey @summary_test_bot what now?",
        "and why?",
    ]
    first = received[0]
    assert first is not None
    assert next((e.type, e.offset, e.length) for e in first.entities) == ("bot_command", 0, 27)
    mention = received[2]
    assert mention is not None
    assert mention.parse_entities(["mention"]) == {mention.entities[0]: "@summary_test_bot"}
