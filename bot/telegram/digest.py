"""What a group shares, collected quietly, and `/digest [period]` to read it back.

Collecting is not replying: every group message with links is recorded (unless an admin
turned collecting off) without a word to the group, in a handler group of its own so that
the message is handled as usual besides.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.config import Settings
from bot.core.digest.chats import DigestSent
from bot.core.digest.period import digest_start, parse_period
from bot.core.digest.recap import Recap
from bot.core.errors import SummarybotError
from bot.core.store.types import ChatSettings, KeptMessage, SharedLink
from bot.telegram.addressing import posted_as_the_group, topic_of
from bot.telegram.channels import ChannelHandlers
from bot.telegram.digest_render import digest_messages
from bot.telegram.handlers import Context, Handlers
from bot.telegram.inputs import MAX_LINKS_PER_MESSAGE, read_message
from bot.telegram.quota import requester
from bot.telegram.recap_render import recap_blocks
from bot.telegram.split import html_to_plain
from bot.telegram.stream import Target, typing
from bot.telegram.work import current_request
from bot.texts import normalize_language, text

log = logging.getLogger(__name__)

# Runs before the handlers that answer (group 0), whatever they do with the message.
COLLECT_GROUP = -1
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class DigestHandlers:
    """Collecting a group's links, and its /digest."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    async def collect(self, update: Update, context: Context) -> None:
        """Record the links of a group message, and its text when recaps are on."""
        message = update.effective_message
        if message is None:
            return
        urls = read_message(message).links[:MAX_LINKS_PER_MESSAGE]
        kept = _kept(message)
        if not urls and kept is None:
            return
        service = self.handlers.service
        try:
            settings = await service.chat_settings(message.chat_id)
            if urls and settings.collect:
                await service.digests.collect_links([_shared(message, url) for url in urls])
            if kept is not None and recaps_on(settings, self.handlers.settings):
                await service.digests.keep_messages([kept])
        except SummarybotError as exc:  # the message is still answered; the digest misses it
            log.warning("could not collect a message for the digest: %s", exc)

    async def digest_command(self, update: Update, context: Context) -> None:
        """/digest [24h|3d|7d]: what this group or topic shared in that time."""
        message = update.effective_message
        if message is None:
            return
        if message.chat.type == ChatType.PRIVATE:  # /digest @channel, for connected channels
            await ChannelHandlers(self.handlers).private_digest(update, context)
            return
        service = self.handlers.service
        settings = await service.chat_settings(message.chat_id)
        ui = chat_ui(update, settings)
        period = parse_period(" ".join(context.args)) if context.args else None
        if context.args and period is None:
            await message.reply_text(text("digest.usage", ui))
            return
        topic, moment = topic_of(message), datetime.now(UTC)
        since = digest_start(
            period, await service.digests.last_digest(message.chat_id, topic), moment
        )
        # Reading every shared article takes a while: "typing..." shows it is under way.
        target = Target(message.chat_id, message.message_id, topic or None, private=False)
        async with typing(update.get_bot(), target):
            digest = await service.digests.digest(
                message.chat_id, topic, since, settings.prefs.language, requester(update)
            )
            recap = await self._recap(message.chat_id, topic, since, settings, update)
        lead = recap_blocks(recap, message.chat, ui, self.handlers.quota)
        if not digest.empty or lead:
            parts = digest_messages(digest, message.chat, since, ui, lead=lead)
        else:
            parts = [text("digest.empty", ui)]
        posted = [
            await message.reply_text(
                part, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
            )
            for part in parts
        ]
        if digest.entries or (recap is not None and recap.topics):
            said = html_to_plain("\n\n".join(parts))  # what follow-up answers are told it said
            sent = DigestSent(
                [post.message_id for post in posted],
                title=said.split("\n", 1)[0],
                text=said,
                recapped=recap.messages if recap is not None else (),
            )
            await service.digests.remember(message.chat_id, topic, digest, sent)
        record = current_request()
        if record is not None:
            await record.replied()
        await service.digests.mark_digest(message.chat_id, topic, moment)

    async def _recap(
        self, chat_id: int, topic: int, since: datetime, settings: ChatSettings, update: Update
    ) -> Recap | None:
        if not recaps_on(settings, self.handlers.settings):
            return None
        return await self.handlers.service.digests.recap(
            chat_id, topic, since, settings.prefs.language, requester(update)
        )


def _shared(message: Message, url: str) -> SharedLink:
    user = None if posted_as_the_group(message) else message.from_user
    return SharedLink(
        chat_id=message.chat_id,
        thread_id=topic_of(message),
        message_id=message.message_id,
        url=url,
        shared_by=user.id if user is not None else None,
        shared_at=message.date,
    )


def _kept(message: Message) -> KeptMessage | None:
    """The message's text to keep for recaps; None for commands and messages without text."""
    body = message.text or message.caption
    if not body or body.startswith("/"):
        return None
    author = None if posted_as_the_group(message) else message.from_user
    return KeptMessage(
        chat_id=message.chat_id,
        thread_id=topic_of(message),
        message_id=message.message_id,
        author=author.full_name if author is not None else None,
        text=body,
        sent_at=message.date,
    )


def recaps_on(settings: ChatSettings, defaults: Settings) -> bool:
    """Whether the chat keeps its messages' texts: its admins' choice, else the bot's default."""
    return defaults.group_recaps_default if settings.recaps is None else settings.recaps


def chat_ui(update: Update, settings: ChatSettings) -> str:
    """The language to answer in: the chat's choice, else the sender's."""
    user = update.effective_user
    return normalize_language(settings.prefs.ui_language or (user.language_code if user else None))


def add_digest_handlers(application: Application, digests: DigestHandlers) -> None:  # type: ignore[type-arg]
    """Collecting in groups (a handler group of its own) and the /digest command."""
    shared = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & (filters.TEXT | filters.CAPTION)
    application.add_handler(MessageHandler(shared, digests.collect), group=COLLECT_GROUP)
    application.add_handler(CommandHandler("digest", digests.digest_command))
