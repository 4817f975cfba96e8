"""A digest's recap as Telegram HTML: topics in bold, their points, each citing its messages."""

from __future__ import annotations

from telegram import Chat

from bot.core.digest.recap import Recap, RecapPoint
from bot.telegram.digest_render import message_link
from bot.telegram.render import escape
from bot.texts import text

# Telegram makes "@name" a mention that notifies that user; a word joiner after the "@" keeps
# it readable but no longer a mention. Names are plain text (never tg://user links, the other
# way to notify), so nobody is pinged by a recap.
_WORD_JOINER = "\u2060"


def recap_blocks(recap: Recap | None, chat: Chat, ui: str) -> list[str]:
    """The recap's blocks to lead the digest with: a title, then one block per topic."""
    if recap is None:
        return []
    if recap.no_model:
        return [f"<i>{escape(text('digest.recap_no_model', ui))}</i>"]
    if not recap.topics:
        return []
    topics = [
        "\n".join([f"<b>{_quiet(topic.title)}</b>", *(_point(p, chat) for p in topic.points)])
        for topic in recap.topics
    ]
    return [text("digest.recap", ui), *topics]


def _point(point: RecapPoint, chat: Chat) -> str:
    citations: list[str] = []
    for message_id in point.message_ids:
        link = message_link(chat, message_id)
        # In a basic group messages have no links: the point stands without its citations.
        if link is not None:
            citations.append(f'<a href="{link}">[{len(citations) + 1}]</a>')
    return " ".join(["•", _quiet(point.text), *citations])


def _quiet(value: str) -> str:
    """Escaped text in which no @mention notifies anyone."""
    return escape(value).replace("@", "@" + _WORD_JOINER)
