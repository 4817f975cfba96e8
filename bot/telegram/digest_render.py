"""A digest as Telegram HTML: each article's title linked to its source, its line, and a link to
the message that shared it; split into numbered messages at item boundaries."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from telegram import Chat

from bot.core.digest.build import Digest, DigestEntry, Shared, Unreadable
from bot.core.digest.topics import group_by_topic
from bot.telegram.render import escape, safe_url
from bot.telegram.split import MAX_MESSAGE_LENGTH, split_message, visible_length
from bot.texts import describe_error, text

# Room kept in every part for its "(12/34) " number.
_NUMBER_ROOM = 10


def message_link(chat: Chat, message_id: int | None) -> str | None:
    """The t.me link of a message: by username in a public chat, by id in a private supergroup;
    None in a basic group (its messages have no links)."""
    if message_id is None:
        return None
    if chat.username:
        return f"https://t.me/{chat.username}/{message_id}"
    raw = str(chat.id)
    if raw.startswith("-100"):
        return f"https://t.me/c/{raw.removeprefix('-100')}/{message_id}"
    return None


def digest_messages(
    digest: Digest,
    chat: Chat,
    since: datetime,
    ui: str,
    limit: int = MAX_MESSAGE_LENGTH,
    lead: Sequence[str] = (),
) -> list[str]:
    """The digest's messages: any `lead` blocks (its recap), a header, the articles, the
    unreadable links, then any label."""
    header = text("digest.title", ui, count=len(digest.entries), since=when(since))
    blocks = [*lead, header, *digest_blocks(digest, chat, ui)]
    if digest.extractive:
        blocks.append(f"<i>{escape(text('digest.extractive', ui))}</i>")
    return pack(blocks, limit)


def digest_blocks(digest: Digest, chat: Chat, ui: str) -> list[str]:
    """The articles (by topic), then the links that could not be read."""
    blocks = _entries(digest, chat, ui)
    if digest.unreadable:
        blocks.append(text("digest.unreadable", ui))
        blocks += [_unreadable(item, chat, ui) for item in digest.unreadable]
    return blocks


def _entries(digest: Digest, chat: Chat, ui: str) -> list[str]:
    """The items, numbered; under topic headings when there are several topics."""
    topics = group_by_topic(digest.entries)
    blocks: list[str] = []
    for topic in topics:
        for index, entry in enumerate(topic.entries):
            block = _entry(len(blocks) + 1, entry, chat, ui)
            if index == 0 and len(topics) > 1:  # the heading stays with its first item
                label = topic.label.capitalize() if topic.label else text("digest.other", ui)
                block = f"<b>{escape(label)}</b> · {len(topic.entries)}\n{block}"
            blocks.append(block)
    return blocks


def _entry(number: int, entry: DigestEntry, chat: Chat, ui: str) -> str:
    title = escape(" ".join((entry.title or entry.url).split()))
    href = safe_url(entry.url)
    head = f'<a href="{html.escape(href, quote=True)}">{title}</a>' if href else title
    line = escape(entry.line.text)
    return f"<b>{number}.</b> {head}\n{line}\n{_shared_note(entry.shared, chat, ui)}"


def _unreadable(item: Unreadable, chat: Chat, ui: str) -> str:
    url = escape(item.shared.first.url)
    reason = escape(describe_error(item.error, ui))
    return f"• {url}: {reason} ({_shared_note(item.shared, chat, ui)})"


def _shared_note(shared: Shared, chat: Chat, ui: str) -> str:
    """ "shared 3 times", linked to the first message that shared it when it has a link."""
    if shared.times > 1:
        label = escape(text("digest.shared_times", ui, count=shared.times))
    else:
        label = escape(text("digest.shared", ui))
    link = message_link(chat, shared.first.message_id)
    return f'<a href="{html.escape(link, quote=True)}">{label}</a>' if link else label


def when(moment: datetime) -> str:
    """A digest's start as its header shows it."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def pack(blocks: list[str], limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Blocks joined into messages within `limit`, cut only between blocks (a block too long
    for a message on its own is cut inside), numbered "(i/n) " when there are several."""
    room = limit - _NUMBER_ROOM
    parts: list[str] = []
    current = ""
    for block in blocks:
        for piece in split_message(block, room) if visible_length(block) > room else [block]:
            joined = f"{current}\n\n{piece}" if current else piece
            if current and visible_length(joined) > room:
                parts.append(current)
                current = piece
            else:
                current = joined
    if current:
        parts.append(current)
    if len(parts) == 1:
        return parts
    return [f"({number}/{len(parts)}) {part}" for number, part in enumerate(parts, start=1)]
