"""The private `/digest` of several channels: every followed and connected one (or one followed
channel), a section each, each item linked to its post."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from telegram import Update

from bot.core.digest.chats import USER_CHANNELS, UserChannels
from bot.core.digest.period import digest_start
from bot.telegram.channel_render import channels_messages
from bot.telegram.handlers import Handlers
from bot.telegram.quota import requester
from bot.telegram.stream import Target, reply_html, typing
from bot.telegram.work import current_request
from bot.texts import text


def _nothing_posted(ui: str) -> str:
    """The note when none of the channels posted anything new."""
    return text("follow.digest_empty", ui)


async def send_channels_digest(
    handlers: Handlers,
    update: Update,
    covered: UserChannels,
    period: timedelta | None,
    marker: str = USER_CHANNELS,
    empty: Callable[[str], str] = _nothing_posted,
) -> None:
    """Digest the followed ("@name") and connected channels since `period` ago, else since the
    last digest remembered under `marker` (the scheduled digest's too, by default); channels
    with nothing new are left out, and when none had anything `empty` words the note (given
    the UI language)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    prefs, ui = await handlers.user_prefs(user)  # read once for both languages
    named = {channel.channel: channel for channel in covered.connected}
    keys = covered.keys
    if not keys:
        await reply_html(message, text("follow.digest_none", ui))
        return
    digests, moment = handlers.service.digests, handlers.now()
    since = digest_start(period, await digests.last_digest(message.chat_id, marker), moment)
    async with typing(message.get_bot(), Target(message.chat_id, message.message_id)):
        found = await digests.channels_digest(keys, since, prefs.language, requester(update))
    sections = [(named.get(digest.channel), digest) for digest in found if not digest.empty]
    parts = channels_messages(sections, since, ui) if sections else []
    for part in parts or [empty(ui)]:
        await reply_html(message, part)
    if (record := current_request()) is not None:
        await record.replied()
    await digests.mark_digest(message.chat_id, marker, moment)
