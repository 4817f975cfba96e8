"""`/digest_schedule`: a chat's (or topic's) digest by itself, and the loop that posts them.

In groups only admins set it (the /settings check); in a private chat `@channel ...` sets a
connected channel's (`bot.telegram.channel_schedules`); the scheduler itself lives in the core
(`bot.core.digest.scheduler`): here it gets the digest's wording and a Bot to post with.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Bot, Chat, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, CommandHandler

from bot.core.digest.channels import ChannelDigest
from bot.core.digest.scheduler import Scheduled, Scheduler, SchedulerConfig
from bot.core.errors import PostError, PostRefusedError, ScheduleError
from bot.core.store.channel_types import ConnectedChannel
from bot.core.store.schedule_types import DigestRun
from bot.telegram.addressing import topic_of
from bot.telegram.channel_render import channel_name, channels_messages
from bot.telegram.channel_schedules import ChannelSchedules, names_channel
from bot.telegram.channels import ChannelHandlers, administers
from bot.telegram.digest_render import digest_messages, when
from bot.telegram.handlers import Context, Handlers
from bot.telegram.schedule_words import describe, next_run
from bot.telegram.settings_menu import chat_ui_language
from bot.telegram.tasks import cancel_and_wait
from bot.texts import describe_error, text

log = logging.getLogger(__name__)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_GONE = ("chat not found", "message thread not found")  # the Bot API's words for a lost chat
AdminTest = Callable[[Update], Awaitable[bool]]


class ScheduleHandlers:
    """/digest_schedule [daily HH:MM ZONE | weekly DAY HH:MM ZONE | off]."""

    def __init__(self, handlers: Handlers, by_admin: AdminTest) -> None:
        self.handlers = handlers
        self.by_admin = by_admin  # the check /settings makes in groups
        self.channels = ChannelSchedules(ChannelHandlers(handlers))

    async def schedule_command(self, update: Update, context: Context) -> None:
        """Show, set or stop the digest schedule of this chat or topic."""
        message = update.effective_message
        if message is None:
            return
        digests = self.handlers.service.digests
        ui = await self.handlers.ui_language(update)
        chat_id, topic, words = message.chat_id, topic_of(message), list(context.args or [])
        private = message.chat.type == ChatType.PRIVATE
        if private and words and names_channel(words[0]) and update.effective_user is not None:
            answer = await self.channels.command(message, update.effective_user.id, words, ui)
            await message.reply_text(answer, parse_mode=ParseMode.HTML)
            return
        if not words:
            await message.reply_text(await self.current(chat_id, topic, ui))
            return
        if not private and not await self.by_admin(update):
            await message.reply_text(text("schedule.admins_only", ui))
            return
        if words == ["off"]:
            await digests.drop_schedule(chat_id, topic)
            await message.reply_text(text("schedule.off", ui))
            return
        now = self.handlers.now()
        try:
            schedule = await digests.set_schedule(chat_id, topic, words, now)
        except ScheduleError as exc:
            await message.reply_text(describe_error(exc, ui))
            return
        await message.reply_text(
            text("schedule.set", ui, schedule=describe(schedule, ui), next=next_run(schedule, now))
        )

    async def current(self, chat_id: int, topic: int, ui: str) -> str:
        """The topic's schedule and its next run, worded; or that it has none."""
        schedule = await self.handlers.service.digests.schedule(chat_id, topic)
        if schedule is None:
            return text("schedule.none", ui)
        upcoming = next_run(schedule, self.handlers.now())
        return text("schedule.current", ui, schedule=describe(schedule, ui), next=upcoming)


class ScheduledDigests:
    """The scheduler loop of this process, started and stopped with the bot."""

    def __init__(self, handlers: Handlers, bot: Bot, config: SchedulerConfig) -> None:
        self.handlers, self.bot, self.config = handlers, bot, config
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Scheduler:
        """Start ticking; the scheduler is returned for tests and benchmarks."""
        service = self.handlers.service
        assert service.store is not None  # the bot runs with a store (see app._store)
        scheduler = Scheduler(service.store, service.digests, self, self.handlers.now, self.config)
        self._task = asyncio.create_task(scheduler.run_forever(), name="digest-scheduler")
        return scheduler

    async def stop(self) -> None:
        """Stop ticking; a run cut short is resumed after its lease, here or elsewhere."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def render(self, run: DigestRun, digest: Scheduled, since: datetime) -> list[str]:
        """The digest's messages in the language of the chat it goes to; a late one says so
        first."""
        chat_id, _ = run.destination
        ui = await chat_ui_language(self.handlers.service, chat_id)
        if isinstance(digest, list):  # a private chat's channels, those with news
            sections = [(await self._named(found), found) for found in digest if not found.empty]
            parts = channels_messages(sections, since, ui)
        elif isinstance(digest, ChannelDigest):
            parts = channels_messages([(await self._channel(digest), digest)], since, ui)
        else:
            parts = digest_messages(digest, _chat(run.chat_id), since, ui)
        if run.late:
            due = text("schedule.late", ui, due=when(run.period))
            parts[0] = f"{due}\n\n{parts[0]}"
        return parts

    async def _named(self, digest: ChannelDigest) -> ConnectedChannel | None:
        """A connected channel as getChat names it; None for a followed one (named by its key)."""
        return None if digest.channel.startswith("@") else await self._channel(digest)

    async def _channel(self, digest: ChannelDigest) -> ConnectedChannel:
        """The digested channel as its digest names it (title and username from getChat)."""
        try:
            chat = await self.bot.get_chat(int(digest.channel))
        except TelegramError as exc:
            raise _post_error(exc, "the channel could not be looked up") from exc
        title = chat.title or digest.channel
        return ConnectedChannel(0, digest.channel, chat.username, title, self.handlers.now())

    async def post(self, run: DigestRun, part: str) -> None:
        """Post one part where the schedule says: the chat (in its topic if any) where it was
        set, or a channel schedule's destination. A group that became a supergroup moves there
        (the run is tried again at the new id); one that never takes it refuses the run."""
        chat_id, thread_id = run.destination
        try:
            await self.bot.send_message(
                chat_id,
                part,
                message_thread_id=thread_id or None,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
            )
        except ChatMigrated as exc:
            await self.handlers.service.migrate_chat(chat_id, exc.new_chat_id)
            raise PostError(f"the group became supergroup {exc.new_chat_id}") from exc
        except TelegramError as exc:
            raise _post_error(exc, "the part could not be posted") from exc

    async def still_admin(self, channel: ConnectedChannel) -> bool:
        """True while the user who connected the channel administers it (as /digest checks);
        raises PostError when the Bot API does not say, so the run is tried again."""
        return await administers(self.bot, channel)

    async def not_admin(self, channel: ConnectedChannel) -> None:
        """Tell the user in private that the channel's schedule stopped with their admin rights
        (a user who blocked the bot is not told)."""
        ui = await chat_ui_language(self.handlers.service, channel.user_id)
        said = text("schedule.channel_lost", ui, name=channel_name(channel))
        try:
            await self.bot.send_message(channel.user_id, said, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.info(
                "could not tell user %s their channel schedule stopped: %s", channel.user_id, exc
            )


def _post_error(exc: TelegramError, what: str) -> PostError:
    """A failed Bot API call as the scheduler takes it: PostRefusedError when it never will
    succeed (removed from the chat or blocked by its user, or the chat or topic is gone), else a
    PostError to try again."""
    gone = isinstance(exc, BadRequest) and any(g in exc.message.lower() for g in _GONE)
    if isinstance(exc, Forbidden) or gone:
        return PostRefusedError(f"{what}, and never will be: {exc.message}")
    return PostError(what)


def _chat(chat_id: int) -> Chat:
    """The chat a run posts to, as message links need it (by id: a run knows no username)."""
    return Chat(chat_id, ChatType.PRIVATE if chat_id > 0 else ChatType.SUPERGROUP)


def add_schedule_handlers(application: Application, schedules: ScheduleHandlers) -> None:  # type: ignore[type-arg]
    """The /digest_schedule command."""
    application.add_handler(CommandHandler("digest_schedule", schedules.schedule_command))
