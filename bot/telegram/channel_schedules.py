"""`/digest_schedule @channel ...` in a private chat: a connected channel's digest by itself,
posted here, in the channel, or in its linked discussion group.

Only an admin who connected the channel and still administers it (checked as /digest checks)
sets, shows or stops it; a channel has one schedule, whoever of its admins set it last.
"""

from __future__ import annotations

from telegram import Message
from telegram.error import TelegramError

from bot.core.digest.chats import ChatDigests
from bot.core.errors import ScheduleError
from bot.core.store.channel_types import ConnectedChannel
from bot.core.store.schedule_types import ChannelSource
from bot.telegram.channel_render import channel_name
from bot.telegram.channels import ChannelHandlers, still_admin
from bot.telegram.render import escape
from bot.telegram.schedule_words import describe, next_run
from bot.texts import clip, describe_error, text

DESTINATIONS = ("here", "channel", "group")


def names_channel(word: str) -> bool:
    """True when /digest_schedule's first word names a channel (@name or a chat id)."""
    return word.startswith("@") or word.lstrip("-").isdigit()


class ChannelSchedules:
    """A connected channel's schedule, from its admin's private chat."""

    def __init__(self, channels: ChannelHandlers) -> None:
        self.channels = channels

    @property
    def digests(self) -> ChatDigests:
        """The core's digests (the service opens with the bot, after the handlers are made)."""
        return self.channels.handlers.service.digests

    async def command(self, message: Message, user_id: int, words: list[str], ui: str) -> str:
        """The answer to `/digest_schedule @channel [schedule [where] | off]`."""
        channel = await self.channels.find(user_id, words[0])
        if channel is None:
            return text("channel.not_connected", ui, name=escape(clip(words[0])))
        if not await still_admin(message.get_bot(), channel):
            return text("schedule.channel_admins_only", ui, name=channel_name(channel))
        if len(words) == 1:
            return await self.current(channel, message.chat_id, ui)
        if words[1:] == ["off"]:
            await self.digests.drop_schedule(int(channel.channel), 0)
            return text("schedule.channel_off", ui, name=channel_name(channel))
        return await self._set(message, channel, words, ui)

    async def _set(
        self, message: Message, channel: ConnectedChannel, words: list[str], ui: str
    ) -> str:
        """Set the schedule in `words[1:]`, to the destination its last word names (or here)."""
        name, rest = channel_name(channel), words[1:]
        where = rest.pop() if rest[-1].lower() in DESTINATIONS else "here"
        source = await self._destination(message, channel, where.lower())
        if source is None:
            return text("schedule.no_group", ui, name=name)
        now = self.channels.handlers.now()
        try:
            schedule = await self.digests.set_channel_schedule(source, rest, now)
        except ScheduleError as exc:
            if type(exc) is ScheduleError:  # not a schedule at all: say how it is written
                return text("schedule.channel_usage", ui, handle=escape(words[0]))
            return escape(describe_error(exc, ui))  # it quotes the zone or time typed
        return text(
            "schedule.channel_set",
            ui,
            name=name,
            schedule=describe(schedule, ui),
            where=_where(source, message.chat_id, ui),
            next=next_run(schedule, now),
        )

    async def current(self, channel: ConnectedChannel, chat_id: int, ui: str) -> str:
        """The channel's schedule, where it goes and its next run; or that it has none."""
        name = channel_name(channel)
        found = await self.digests.channel_schedule(channel.channel)
        if found is None:
            return text("schedule.channel_none", ui, name=name)
        schedule, source = found
        return text(
            "schedule.channel_current",
            ui,
            name=name,
            schedule=describe(schedule, ui),
            where=_where(source, chat_id, ui),
            next=next_run(schedule, self.channels.handlers.now()),
        )

    async def _destination(
        self, message: Message, channel: ConnectedChannel, where: str
    ) -> ChannelSource | None:
        """Where the digest goes; None for `group` when the channel has no discussion group."""
        if where == "here":
            return ChannelSource(channel.channel, channel.user_id, message.chat_id)
        if where == "channel":  # /connect checked that the bot can post there
            return ChannelSource(channel.channel, channel.user_id, int(channel.channel))
        try:
            chat = await message.get_bot().get_chat(int(channel.channel))
        except TelegramError:
            return None
        if chat.linked_chat_id is None:
            return None
        return ChannelSource(channel.channel, channel.user_id, chat.linked_chat_id)


def _where(source: ChannelSource, chat_id: int, ui: str) -> str:
    """Where a channel's digest goes, as seen from this private chat."""
    if source.chat_id == chat_id:
        return text("schedule.to_here", ui)
    if source.chat_id == int(source.channel):
        return text("schedule.to_channel", ui)
    return text("schedule.to_private" if source.chat_id > 0 else "schedule.to_group", ui)
