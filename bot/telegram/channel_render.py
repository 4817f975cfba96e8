"""A channel digest as Telegram HTML: per channel a heading, the articles its posts linked (each
linked to the post), the unreadable links, then its longer posts without links."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from telegram import Chat
from telegram.constants import ChatType

from bot.core.digest.channels import ChannelDigest, TextPost
from bot.core.store.channel_types import ConnectedChannel
from bot.telegram.digest_render import digest_blocks, message_link, pack, when
from bot.telegram.render import escape
from bot.texts import text


def channel_chat(channel: str, username: str | None = None) -> Chat:
    """A channel as a Chat for its posts' links: "@name" keys and public channels by name."""
    if channel.startswith("@"):
        return Chat(0, ChatType.CHANNEL, username=channel[1:])
    return Chat(int(channel), ChatType.CHANNEL, username=username)


def channel_name(channel: ConnectedChannel) -> str:
    """How a connected channel is named to its admin: @name, else its title (escaped)."""
    return escape(f"@{channel.username}" if channel.username else channel.title)


def channel_handle(channel: ConnectedChannel) -> str:
    """What to type after /digest or /disconnect: @name, else the channel's id."""
    return f"@{channel.username}" if channel.username else channel.channel


def channels_messages(
    sections: Sequence[tuple[ConnectedChannel | None, ChannelDigest]],
    since: datetime,
    ui: str,
    tail: Sequence[str] = (),
) -> list[str]:
    """The digest of one or several channels, a section each, then the `tail` blocks, split
    into messages; a followed channel (no connection: None) is named and linked by its "@name"
    key."""
    blocks: list[str] = []
    extractive = False
    for channel, digest in sections:
        chat = channel_chat(digest.channel, channel.username if channel else None)
        name = channel_name(channel) if channel else escape(digest.channel)
        blocks.append(text("channel.digest_title", ui, name=name, since=when(since)))
        blocks += digest_blocks(digest.links, chat, ui)
        if digest.texts:
            blocks.append(text("channel.posts", ui))
            start = len(digest.links.entries) + 1
            blocks += [_text_post(n, post, chat, ui) for n, post in enumerate(digest.texts, start)]
        extractive = extractive or digest.extractive
    if extractive:
        blocks.append(f"<i>{escape(text('digest.extractive', ui))}</i>")
    return pack([*blocks, *tail])


def _text_post(number: int, item: TextPost, chat: Chat, ui: str) -> str:
    line = escape(" ".join(item.line.text.split()))
    link = message_link(chat, item.post.post_id)
    label = escape(text("channel.post", ui))
    post = f'<a href="{html.escape(link, quote=True)}">{label}</a>' if link else label
    return f"<b>{number}.</b> {line}\n{post}"
