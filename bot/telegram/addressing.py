"""Whom a message is for: the bot is addressed in a group by a mention or a reply to it
(commands are routed by PTB), and which forum topic a message belongs to."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType


def topic_of(message: Message) -> int:
    """The message's forum topic; 0 outside topics (and in a forum's General topic)."""
    # In a plain supergroup message_thread_id names a chain of replies, not a topic.
    return (message.message_thread_id or 0) if message.is_topic_message else 0


def replied_message(message: Message) -> Message | None:
    """The message this one replies to; None for the implicit reply to a topic's first message."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    return replied


def addressed_to_bot(message: Message, bot_id: int, bot_username: str) -> bool:
    """In a group: does the message mention the bot or reply to one of its messages?"""
    replied = replied_message(message)
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mention = f"@{bot_username}".lower()
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    found = message.parse_entities(kinds) if message.text else message.parse_caption_entities(kinds)
    return any(
        value.lower() == mention or (entity.user is not None and entity.user.id == bot_id)
        for entity, value in found.items()
    )


def for_me(update: Update) -> bool:
    """Private messages always; in groups a mention of the bot or a reply to it."""
    message = update.effective_message
    if message is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    bot = update.get_bot()
    return addressed_to_bot(message, bot.id, bot.username)


def posted_as_the_group(message: Message) -> bool:
    """An anonymous admin's message: sent on behalf of the group itself."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat_id
