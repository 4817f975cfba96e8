"""/forget: everything the bot stored for a chat deleted, once confirmed with a button (in
groups only its admins may ask)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.telegram.groups import GroupHandlers
from bot.telegram.handlers import Context
from bot.texts import text

PREFIX = "forget"
_YES, _NO = "yes", "no"


class ForgetHandlers:
    """The /forget command and its two buttons."""

    def __init__(self, groups: GroupHandlers) -> None:
        self.groups = groups
        self.handlers = groups.handlers

    async def forget_command(self, update: Update, context: Context) -> None:
        """/forget: ask first, with "Delete everything" and "Cancel" buttons for its sender."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        ui = await self.handlers.ui_language(update)
        private = message.chat.type == ChatType.PRIVATE
        if not private and not await self.groups.by_admin(update):
            await message.reply_text(text("forget.admins_only", ui))
            return
        buttons = [
            InlineKeyboardButton(text(f"forget.{answer}", ui), callback_data=_data(answer, user.id))
            for answer in (_YES, _NO)
        ]
        # In private the user's channels go too, so the question names them.
        question = text("forget.ask_private" if private else "forget.ask", ui)
        await message.reply_text(question, reply_markup=InlineKeyboardMarkup([buttons]))

    async def forget_button(self, update: Update, context: Context) -> None:
        """A tap on one of the buttons: only /forget's sender answers it."""
        query, chat = update.callback_query, update.effective_chat
        if query is None or chat is None:
            return
        ui = await self.handlers.ui_language(update)
        _, answer, user = (query.data or "").split(":")
        if user != str(query.from_user.id):
            await query.answer(text("forget.not_yours", ui))
            return
        await query.answer()
        if answer == _YES:
            await self.handlers.service.forget_chat(chat.id)
        await query.edit_message_text(
            text("forget.done" if answer == _YES else "forget.cancelled", ui)
        )


def _data(answer: str, user_id: int) -> str:
    return f"{PREFIX}:{answer}:{user_id}"


def add_forget_handlers(application: Application, forget: ForgetHandlers) -> None:  # type: ignore[type-arg]
    """/forget and its buttons (before the group's other buttons, which take the rest)."""
    application.add_handler(CommandHandler("forget", forget.forget_command))
    pattern = f"^{PREFIX}:({_YES}|{_NO}):\\d+$"
    application.add_handler(CallbackQueryHandler(forget.forget_button, pattern=pattern))
