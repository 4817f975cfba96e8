"""What the handlers read off an update: its message, user, chat and reply target."""

from __future__ import annotations

import html

from telegram import Message, Update, User
from telegram.constants import ChatType

from bot.core.models import Article
from bot.telegram.addressing import topic_of
from bot.telegram.stream import Target
from bot.texts import text


def source_header(article: Article, ui: str) -> str:
    """Title, site and link above a summary, as Telegram HTML."""
    lines = [f"<b>{html.escape(article.title, quote=False)}</b>"] if article.title else []
    details = [html.escape(article.sitename, quote=False)] if article.sitename else []
    if article.url:
        details.append(f'<a href="{html.escape(article.url, quote=True)}">{text("link", ui)}</a>')
    if details:
        lines.append(" · ".join(details))
    return "\n".join(lines) + "\n\n" if lines else ""


def target_of(update: Update) -> Target:
    """Where the reply goes: the chat, as a reply to the message, in its forum topic."""
    message = message_of(update)
    return Target(
        chat_id=message.chat_id,
        reply_to=message.message_id,
        thread_id=topic_of(message) or None,
        private=message.chat.type == ChatType.PRIVATE,
    )


def message_of(update: Update) -> Message:
    """The update's message; handlers of messages only."""
    if update.effective_message is None:
        raise RuntimeError("this handler needs a message")
    return update.effective_message


def user_of(update: Update) -> User:
    """The update's sender; handlers of updates from users only."""
    if update.effective_user is None:
        raise RuntimeError("this handler needs a user")
    return update.effective_user


def chat_id_of(update: Update) -> int:
    """The chat the update's message is in."""
    return message_of(update).chat_id


def topic_of_update(update: Update) -> int:
    """The forum topic of the update's message (0 outside topics)."""
    return topic_of(message_of(update))
