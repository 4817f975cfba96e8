"""`/digest @channel [period]` for a public channel the user neither follows nor connected: its
posts read from its web preview there and then, and kept nowhere."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.core.errors import SummarybotError
from bot.telegram.channel_render import channels_messages
from bot.telegram.handlers import Handlers
from bot.telegram.quota import requester
from bot.telegram.render import escape
from bot.telegram.stream import Target, reply_html, typing
from bot.telegram.work import current_request
from bot.texts import describe_error, text

# Without a period, a channel nobody follows is digested over the last day.
DEFAULT_PERIOD = timedelta(days=1)


async def send_preview_digest(
    handlers: Handlers, update: Update, key: str, period: timedelta | None
) -> None:
    """Digest the public channel `key` ("@name") over `period` (a day by default), read from
    its preview now; a failed read is told in a sentence, and a tip says how to follow it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    prefs, ui = await handlers.user_prefs(user)
    wait = handlers.quota.rate_wait(update)  # each ask reads t.me and maybe the model
    if wait is not None:
        await reply_html(message, escape(text("rate.limited", ui, seconds=wait)))
        return
    since = handlers.now() - (period or DEFAULT_PERIOD)
    previews = handlers.service.previews
    try:
        async with typing(message.get_bot(), Target(message.chat_id, message.message_id)):
            digest = await previews.digest(key, since, prefs.language, requester(update))
    except SummarybotError as exc:
        await reply_html(message, escape(describe_error(exc, ui)))
        return
    tip = text("digest.preview_tip", ui, name=escape(key))
    if digest.empty:
        parts = [text("channel.digest_empty", ui, name=escape(key)) + "\n\n" + tip]
    else:
        parts = channels_messages([(None, digest)], since, ui, tail=[tip])
    for part in parts:
        await reply_html(message, part)
    if (record := current_request()) is not None:
        await record.replied()
