"""Group chats: their /settings and /reset are for admins only, and an upgrade to a supergroup
takes the group's settings, articles and conversations along.

Admin status comes from getChatMember and is kept for a minute, so a burst of button presses
costs one call; an anonymous admin posts as the group itself and cannot be looked up, which is
proof enough.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup, Update, User
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.store.types import ChatSettings
from bot.telegram import settings_menu
from bot.telegram.addressing import posted_as_the_group, topic_of
from bot.telegram.digest import recaps_on
from bot.telegram.handlers import Context, Handlers
from bot.telegram.schedule_words import settings_line
from bot.texts import normalize_language, text

log = logging.getLogger(__name__)

ADMIN_CACHE_S = 60.0
_CACHE_PRUNE_AT = 4096  # entries; expired ones are dropped once the cache is this big
_ADMINS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


class AdminCheck:
    """Whether a user administers a chat, asked of Telegram and remembered briefly."""

    def __init__(
        self, ttl_s: float = ADMIN_CACHE_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._known: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """True for the chat's creator and administrators; False when Telegram cannot say."""
        now = self._clock()
        known = self._known.get((chat_id, user_id))
        if known is not None and known[0] > now:
            return known[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("could not look up a member of chat %s: %s", chat_id, exc)
            return False
        admin = member.status in _ADMINS
        if len(self._known) >= _CACHE_PRUNE_AT:
            self._known = {key: value for key, value in self._known.items() if value[0] > now}
        self._known[(chat_id, user_id)] = (now + self._ttl_s, admin)
        return admin


class GroupHandlers:
    """/settings and /reset in groups (admins only), and a group's move to a supergroup."""

    def __init__(self, handlers: Handlers, admins: AdminCheck | None = None) -> None:
        self.handlers = handlers
        self.admins = admins or AdminCheck()

    async def settings_command(self, update: Update, context: Context) -> None:
        """/settings in a group: the group's keyboard for its admins, a short note for others."""
        message = update.effective_message
        if message is None or not await self.by_admin(update):
            await self._admins_only(update)
            return
        settings = await self.handlers.service.chat_settings(message.chat_id)
        ui = _ui(update.effective_user, settings)
        scheduled = await settings_line(
            self.handlers.service.digests, message.chat_id, topic_of(message), ui
        )
        await message.reply_text(
            text("settings.group_title", ui) + scheduled,
            parse_mode=ParseMode.HTML,
            reply_markup=self._keyboard(settings, ui),
        )

    async def settings_button(self, update: Update, context: Context) -> None:
        """A tap on a group's settings keyboard: saved when an admin tapped it."""
        query = update.callback_query
        if query is None or query.message is None:
            return
        chat_id = query.message.chat.id
        settings = await self.handlers.service.chat_settings(chat_id)
        ui = _ui(query.from_user, settings)
        if not await self.admins.is_admin(update.get_bot(), chat_id, query.from_user.id):
            await query.answer(text("group.admins_only", ui), show_alert=True)
            return
        chosen = _apply_choice(settings, query.data or "")
        if chosen is None:  # a label, or stale or foreign data: still stop the button's spinner
            await query.answer()
            return
        await self.handlers.service.save_chat_settings(chat_id, chosen)
        ui = _ui(query.from_user, chosen)
        await query.answer(text("settings.saved", ui))
        markup = self._keyboard(chosen, ui)
        # Telegram refuses an edit to the same markup ("message is not modified").
        if markup != self._keyboard(settings, _ui(query.from_user, settings)):
            await query.edit_message_reply_markup(markup)

    async def reset(self, update: Update, context: Context) -> None:
        """/reset in a group: admins only (it forgets the conversation for everyone)."""
        if await self.by_admin(update):
            await self.handlers.reset(update, context)
        else:
            await self._admins_only(update)

    async def migrated(self, update: Update, context: Context) -> None:
        """A group became a supergroup: its data moves to the new chat id."""
        message = update.effective_message
        # Handled where it arrives in the new chat, so the new chat's next messages, queued
        # behind it in the same conversation, already find the moved data.
        if message is not None and message.migrate_from_chat_id is not None:
            await self.handlers.service.migrate_chat(message.migrate_from_chat_id, message.chat_id)

    def _keyboard(self, settings: ChatSettings, ui: str) -> InlineKeyboardMarkup:
        base = settings_menu.keyboard(settings.prefs, self.handlers.settings, ui)
        rows = [
            *base.inline_keyboard,
            *settings_menu.switch("every_link", settings.every_link, ui),
            *settings_menu.switch("collect", settings.collect, ui),
            *settings_menu.switch("recaps", recaps_on(settings, self.handlers.settings), ui),
        ]
        return InlineKeyboardMarkup(rows)

    async def by_admin(self, update: Update) -> bool:
        """Whether an admin sent the update (or the group itself, as an anonymous admin does)."""
        message, user = update.effective_message, update.effective_user
        if message is None:
            return False
        if posted_as_the_group(message):
            return True
        return user is not None and await self.admins.is_admin(
            update.get_bot(), message.chat_id, user.id
        )

    async def _admins_only(self, update: Update) -> None:
        message = update.effective_message
        if message is not None:
            settings = await self.handlers.service.chat_settings(message.chat_id)
            await message.reply_text(
                text("group.admins_only", _ui(update.effective_user, settings))
            )


class _GroupButtons(CallbackQueryHandler[Context, None]):
    """Button presses under a message in a group (private ones go to the private handler)."""

    def check_update(self, update: object) -> bool | object | None:
        """Only presses in groups and supergroups."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None or chat.type == ChatType.PRIVATE:
            return False
        return super().check_update(update)


def add_group_handlers(application: Application, groups: GroupHandlers) -> None:  # type: ignore[type-arg]
    """The group handlers, added before the private ones so that they win in groups."""
    in_groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler("settings", groups.settings_command, in_groups))
    application.add_handler(CommandHandler("reset", groups.reset, in_groups))
    application.add_handler(_GroupButtons(groups.settings_button))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated))


def _apply_choice(settings: ChatSettings, data: str) -> ChatSettings | None:
    every_link = settings_menu.switched(data, "every_link")
    if every_link is not None:
        return dataclasses.replace(settings, every_link=every_link)
    collect = settings_menu.switched(data, "collect")
    if collect is not None:
        return dataclasses.replace(settings, collect=collect)
    recaps = settings_menu.switched(data, "recaps")
    if recaps is not None:
        return dataclasses.replace(settings, recaps=recaps)
    prefs = settings_menu.apply_choice(settings.prefs, data)
    return None if prefs is None else dataclasses.replace(settings, prefs=prefs)


def _ui(user: User | None, settings: ChatSettings) -> str:
    return normalize_language(settings.prefs.ui_language or (user.language_code if user else None))
