"""Channels: their posts collected where the bot is an admin, connecting one to an admin's
private chat (`/connect @channel` or a forwarded post), `/channels`, `/disconnect` and
`/digest @channel` there.

Every channel the bot administers has its posts kept: someone added the bot on purpose.
Connecting says who may ask for the channel's digests in private, checked with the Bot API.
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import timedelta

from telegram import (
    Bot,
    Chat,
    ChatFullInfo,
    ChatMember,
    ChatMemberAdministrator,
    Message,
    MessageOriginChannel,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.core.digest.chats import UserChannels
from bot.core.digest.period import parse_period
from bot.core.errors import ChannelNameError, PostError, SummarybotError
from bot.core.follow.reader import channel_key
from bot.core.store.channel_types import ChannelPost, ConnectedChannel
from bot.telegram.channel_render import channel_handle, channel_name
from bot.telegram.channels_digest import send_channels_digest
from bot.telegram.handlers import Context, Handlers
from bot.telegram.inputs import read_message
from bot.telegram.preview_digest import send_preview_digest
from bot.telegram.render import escape
from bot.telegram.stream import reply_html
from bot.texts import clip, text

log = logging.getLogger(__name__)

_ADMINS = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
_NAME = re.compile(r"^(?:https?://)?(?:t\.me/|@)?([A-Za-z][A-Za-z0-9_]{3,31})$")


class ChannelHandlers:
    """Channel posts collected, and channels connected to their admins' private chats."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    async def collect(self, update: Update, context: Context) -> None:
        """Keep a channel post (an edit replaces it), for the channel's digests."""
        post = update.channel_post or update.edited_channel_post
        if post is None:
            return
        kept = ChannelPost(
            channel=str(post.chat_id),
            post_id=post.message_id,
            posted_at=post.date,
            text=post.text or post.caption or "",
            links=tuple(read_message(post).links),
        )
        try:
            await self.handlers.service.digests.collect_posts([kept])
        except SummarybotError as exc:
            log.warning("could not keep a channel post: %s", exc)

    async def connect_command(self, update: Update, context: Context) -> None:
        """/connect @channel in a private chat."""
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        ui = await self.handlers.ui_language(update)
        if message.chat.type != ChatType.PRIVATE:
            await reply_html(message, text("channel.private_only", ui))
            return
        args = context.args or []
        match = _NAME.match(args[0]) if len(args) == 1 else None
        if match is None:
            await reply_html(message, text("channel.connect_usage", ui))
            return
        try:
            chat = await message.get_bot().get_chat(f"@{match.group(1)}")
        except TelegramError:
            await reply_html(message, text("channel.unknown", ui, name=f"@{match.group(1)}"))
            return
        await self._connect(message, chat, ui, quiet=False)

    async def forwarded(self, update: Update, context: Context) -> None:
        """A channel post forwarded by one of its admins connects the channel (the post is
        summarized besides, as usual); anyone else just gets the summary."""
        message = update.effective_message
        if message is None or not isinstance(message.forward_origin, MessageOriginChannel):
            return
        ui = await self.handlers.ui_language(update)
        await self._connect(message, message.forward_origin.chat, ui, quiet=True)

    async def _connect(
        self, message: Message, chat: Chat | ChatFullInfo, ui: str, *, quiet: bool
    ) -> None:
        """Check that the user and the bot administer the channel, then connect it. `quiet`
        (a forwarded post) says nothing unless both are admins of it."""
        user, name = message.from_user, _name(chat)
        if user is None:
            return
        if chat.type != ChatType.CHANNEL:
            await reply_html(message, text("channel.not_channel", ui, name=name))
            return
        bot = message.get_bot()
        try:
            member = await bot.get_chat_member(chat.id, user.id)
            me = await bot.get_chat_member(chat.id, bot.id)
        except TelegramError:  # the bot is not in the channel, so it cannot see its members
            if not quiet:
                await reply_html(message, text("channel.bot_not_admin", ui, name=name))
            return
        problem = _problem(member.status, me)
        if problem is not None:
            if not quiet or problem == "channel.bot_cannot_post":
                await reply_html(message, text(problem, ui, name=name))
            return
        connected = ConnectedChannel(
            user.id, str(chat.id), chat.username, chat.title or name, self.handlers.now()
        )
        digests = self.handlers.service.digests
        handle = _handle(connected)
        if await digests.connect_channel(connected):
            days = self.handlers.service.retention.days
            reply = text("channel.connected", ui, name=name, days=days, handle=handle)
            await reply_html(message, reply)
        elif not quiet:
            await reply_html(message, text("channel.already", ui, name=name, handle=handle))

    async def channels_command(self, update: Update, context: Context) -> None:
        """/channels: the channels this user connected."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ui = await self.handlers.ui_language(update)
        if message.chat.type != ChatType.PRIVATE:  # a user's channels are not the group's
            await reply_html(message, text("channel.private_only", ui))
            return
        connected = await self.handlers.service.digests.connected_channels(user.id)
        if not connected:
            await reply_html(message, text("channel.list_empty", ui))
            return
        lines = [f"• {channel_name(c)}: /digest {_handle(c)}" for c in connected]
        await reply_html(message, "\n".join([text("channel.list", ui), *lines]))

    async def disconnect_command(self, update: Update, context: Context) -> None:
        """/disconnect @channel."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ui = await self.handlers.ui_language(update)
        if not context.args:
            await reply_html(message, text("channel.disconnect_usage", ui))
            return
        channel = await self.find(user.id, context.args[0])
        if channel is None:
            await reply_html(
                message, text("channel.not_connected", ui, name=escape(clip(context.args[0])))
            )
            return
        ended = await self.handlers.service.digests.disconnect_channel(user.id, channel.channel)
        reply = "channel.disconnected_scheduled" if ended.schedule else "channel.disconnected"
        await reply_html(message, text(reply, ui, name=channel_name(channel)))

    async def private_digest(self, update: Update, context: Context) -> None:
        """/digest in a private chat: `/digest [period]` for every followed and connected
        channel, `/digest @channel [period]` for one of them."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        args = list(context.args or [])
        period = parse_period(" ".join(args))
        if args and period is None:  # a channel's name first, or a usage note
            await self._one_digest(update, user.id, args)
            return
        check = functools.partial(still_admin, message.get_bot())
        covered = await self.handlers.service.digests.user_channels(user.id, check)
        await send_channels_digest(self.handlers, update, covered, period)

    async def _one_digest(self, update: Update, user_id: int, args: list[str]) -> None:
        """`/digest name [period]`: the connected channel's digest, else the followed one's,
        else any public channel's read from its preview, else why none."""
        assert update.effective_message is not None
        name, period = args[0], parse_period(" ".join(args[1:]))
        if len(args) > 1 and period is None:
            await self._tell(update, "digest.private_usage")
            return
        channel = await self.find(user_id, name)
        if channel is None and await self._followed_digest(update, user_id, name, period):
            return
        if channel is None and (key := _public_key(name)) is not None:
            await send_preview_digest(self.handlers, update, key, period)
            return
        if channel is None or not await still_admin(update.effective_message.get_bot(), channel):
            await self._digest_problem(update, channel, name)
            return
        empty = functools.partial(text, "channel.digest_empty", name=channel_name(channel))
        one = UserChannels([], [channel])
        await send_channels_digest(self.handlers, update, one, period, channel.channel, empty)

    async def _followed_digest(
        self, update: Update, user_id: int, name: str, period: timedelta | None
    ) -> bool:
        """Digest the followed channel `name` names (as /follow takes it: @name or a t.me link);
        False when the user follows no such one."""
        key = _public_key(name)
        if key is None or key not in await self.handlers.service.follows.following(user_id):
            return False
        await send_channels_digest(self.handlers, update, UserChannels([key], []), period, key)
        return True

    async def _digest_problem(
        self, update: Update, channel: ConnectedChannel | None, name: str
    ) -> None:
        """Say why `/digest name` gives no digest: not a channel's name, not one of the user's
        channels, or the user no longer its admin."""
        if channel is not None:
            await self._tell(update, "channel.not_admin", name=channel_name(channel))
        elif _NAME.match(name) or name.lstrip("-").isdigit():
            await self._tell(update, "channel.not_connected", name=escape(clip(name)))
        else:
            await self._tell(update, "digest.private_usage")

    async def _tell(self, update: Update, key: str, **params: str) -> None:
        """Reply with the catalog's sentence `key` in the user's language."""
        assert update.effective_message is not None
        ui = await self.handlers.ui_language(update)
        await reply_html(update.effective_message, text(key, ui, **params))

    async def find(self, user_id: int, handle: str) -> ConnectedChannel | None:
        """The user's connected channel named by @name (any case) or by its id."""
        wanted = handle.strip().lower().removeprefix("@")
        for channel in await self.handlers.service.digests.connected_channels(user_id):
            if wanted in {(channel.username or "").lower(), channel.channel}:
                return channel
        return None


def _problem(status: str, me: ChatMember) -> str | None:
    """Why the channel cannot be connected: the user or the bot is not an admin able to post."""
    if status not in _ADMINS:
        return "channel.not_admin"
    if not isinstance(me, ChatMemberAdministrator):
        return "channel.bot_not_admin"
    if not me.can_post_messages:
        return "channel.bot_cannot_post"
    return None


async def still_admin(bot: Bot, channel: ConnectedChannel) -> bool:
    """True while the user who connected the channel administers it (asked of the Bot API each
    time); False when the Bot API does not answer either."""
    try:
        return await administers(bot, channel)
    except PostError:
        return False


async def administers(bot: Bot, channel: ConnectedChannel) -> bool:
    """Whether the user who connected the channel administers it (False when the bot left it);
    raises PostError when the Bot API did not answer, so that a scheduled run tries again."""
    try:
        member = await bot.get_chat_member(int(channel.channel), channel.user_id)
    except (BadRequest, Forbidden):  # the bot was removed, or the channel is gone
        return False
    except TelegramError as exc:
        raise PostError("the Bot API did not say who administers the channel") from exc
    return member.status in _ADMINS


def _public_key(name: str) -> str | None:
    """The "@name" key of a public channel's name or t.me link; None for anything else."""
    try:
        return channel_key(name)
    except ChannelNameError:
        return None


def _handle(channel: ConnectedChannel) -> str:
    return escape(channel_handle(channel))


def _name(chat: Chat | ChatFullInfo) -> str:
    return escape(f"@{chat.username}" if chat.username else chat.title or str(chat.id))


def add_channel_handlers(application: Application, channels: ChannelHandlers) -> None:  # type: ignore[type-arg]
    """Collecting channel posts and forwarded posts (beside the answers), and the commands."""
    from bot.telegram.digest import COLLECT_GROUP  # digest.py imports this module

    posts = filters.UpdateType.CHANNEL_POSTS
    application.add_handler(MessageHandler(posts, channels.collect), group=COLLECT_GROUP)
    forwarded = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.FORWARDED
    application.add_handler(MessageHandler(forwarded, channels.forwarded), group=COLLECT_GROUP)
    application.add_handler(CommandHandler("connect", channels.connect_command))
    application.add_handler(CommandHandler("channels", channels.channels_command))
    application.add_handler(CommandHandler("disconnect", channels.disconnect_command))
