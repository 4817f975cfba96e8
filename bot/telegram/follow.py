"""Following public channels from a private chat: `/follow`, `/following`, `/unfollow`.

A followed channel is read from its public web preview when followed, then by the poller (see
follow_poll.py); its posts reach the private `/digest` beside the connected channels'."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler

from bot.core.errors import SummarybotError
from bot.telegram.handlers import Context, Handlers
from bot.telegram.render import escape
from bot.telegram.stream import reply_html
from bot.texts import describe_error, text


class FollowHandlers:
    """The follow commands; in groups they only say where they work."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    async def follow_command(self, update: Update, context: Context) -> None:
        """/follow @name or a t.me link: the channel's preview is checked first."""
        asked = await self._asked(update, context, "follow.usage")
        if asked is None:
            return
        message, user_id, name, ui = asked
        service = self.handlers.service
        try:
            key, new = await service.follows.follow(user_id, name)
        except SummarybotError as exc:
            await reply_html(message, escape(describe_error(exc, ui)))
            return
        if new:
            minutes = int(service.follow.interval.total_seconds() // 60)
            reply = text("follow.followed", ui, name=escape(key), minutes=minutes)
            await reply_html(message, reply)
        else:
            await reply_html(message, text("follow.already", ui, name=escape(key)))

    async def unfollow_command(self, update: Update, context: Context) -> None:
        """/unfollow @name."""
        asked = await self._asked(update, context, "follow.unfollow_usage")
        if asked is None:
            return
        message, user_id, name, ui = asked
        try:
            key, was = await self.handlers.service.follows.unfollow(user_id, name)
        except SummarybotError as exc:
            await reply_html(message, escape(describe_error(exc, ui)))
            return
        reply = "follow.unfollowed" if was else "follow.not_followed"
        await reply_html(message, text(reply, ui, name=escape(key)))

    async def following_command(self, update: Update, context: Context) -> None:
        """/following: the channels this user follows."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ui = await self.handlers.ui_language(update)
        if message.chat.type != ChatType.PRIVATE:
            await reply_html(message, text("follow.private_only", ui))
            return
        keys = await self.handlers.service.follows.following(user.id)
        if not keys:
            await reply_html(message, text("follow.none", ui))
            return
        lines = [text("follow.list", ui), *(f"• {escape(k)}" for k in keys)]
        await reply_html(message, "\n".join(lines))

    async def _asked(
        self, update: Update, context: Context, usage: str
    ) -> tuple[Message, int, str, str] | None:
        """The message, user, the one channel named and the UI language; None once told why
        not (a group, or no single name)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        ui = await self.handlers.ui_language(update)
        if message.chat.type != ChatType.PRIVATE:
            await reply_html(message, text("follow.private_only", ui))
            return None
        args = context.args or []
        if len(args) != 1:
            await reply_html(message, text(usage, ui))
            return None
        return message, user.id, args[0], ui


def add_follow_handlers(application: Application, follows: FollowHandlers) -> None:  # type: ignore[type-arg]
    """The follow commands."""
    application.add_handler(CommandHandler("follow", follows.follow_command))
    application.add_handler(CommandHandler("following", follows.following_command))
    application.add_handler(CommandHandler("unfollow", follows.unfollow_command))
