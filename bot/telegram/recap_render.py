"""A digest's recap as Telegram HTML: topics in bold, their points, each citing its messages;
and the citations in answers about a digest, linked."""

from __future__ import annotations

import re

from telegram import Chat

from bot.core.digest.recap import Recap, RecapPoint
from bot.telegram.digest_render import message_link
from bot.telegram.quota import Quota
from bot.telegram.render import escape
from bot.texts import text

# Telegram makes "@name" a mention that notifies that user; a word joiner after the "@" keeps
# it readable but no longer a mention. Names are plain text (never tg://user links, the other
# way to notify), so nobody is pinged by a recap.
_WORD_JOINER = "\u2060"


def recap_blocks(recap: Recap | None, chat: Chat, ui: str, quota: Quota) -> list[str]:
    """The recap's blocks to lead the digest with: a title, then one block per topic; or why
    there is none (no model, or a budget refused it: which, and when it resets)."""
    if recap is None:
        return []
    if recap.no_model:
        return [f"<i>{escape(text('digest.recap_no_model', ui))}</i>"]
    if recap.refusal is not None:
        said = escape(text("digest.recap_budget", ui))
        return [f"{quota.refusal_html(recap.refusal, ui)}<i>{said}</i>"]
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


def link_citations(reply_html: str, chat: Chat, material: str) -> str:
    """An answer about a digest with its "[123]" citations of kept messages linked to them;
    an id the digest did not hold stays plain text."""
    held = {int(found) for found in _HELD.findall(material)}

    def link(match: re.Match[str]) -> str:
        href = message_link(chat, int(match[1])) if int(match[1]) in held else None
        return f'<a href="{href}">{match[0]}</a>' if href else match[0]

    return _CITED.sub(link, reply_html)


# The kept messages in a digest's material start their line with their id (followup.py).
_HELD = re.compile(r"^\[(\d+)\] ", re.MULTILINE)
_CITED = re.compile(r"\[(\d+)\]")
