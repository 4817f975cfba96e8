"""The allow-lists at the door: every update passes here before any handler (PTB group -1).

In a private chat someone not allowed is told so at most once a day, then ignored (inline
mode, which has no chat, judges the user the same way and tells them nothing). A chat on
ALLOWED_CHATS serves everyone in it. Any other group is served only when one of its admins is
allowed, and then only allowed users (the others meet silence); a group with no allowed admin
hears one message and is left.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Chat, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.service import Service
from bot.core.usage.access import AccessPolicy, Party
from bot.core.usage.budgets import Clock
from bot.texts import text

log = logging.getLogger(__name__)

# A note the bot sends outside the handlers (busy, late), taking the update first.
UpdateCallback = Callable[..., Awaitable[None]]
NOTICE_EVERY = timedelta(days=1)
ADMINS_FRESH_S = 600.0  # a group's admins are asked again after this long


class AccessGate:
    """Stops updates from people and groups the allow-lists leave out."""

    def __init__(self, policy: AccessPolicy, service: Callable[[], Service], clock: Clock):
        self.policy = policy
        self._service = service
        self._clock = clock
        self._groups: dict[int, tuple[float, bool]] = {}  # chat -> (checked at, admin allowed)
        self._named: set[tuple[int, str]] = set()  # usernames already remembered

    async def check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let the update through, or stop it (ApplicationHandlerStop) after any notice."""
        if update.effective_user is not None:
            await self._remember(update.effective_user)
        if not await self._admits(update, act=True):
            raise ApplicationHandlerStop

    def only_admitted(self, callback: UpdateCallback) -> UpdateCallback:
        """`callback` (a note sent outside the handlers) for admitted updates only, silently."""

        async def gated(update: Update, *args: Any) -> None:
            if await self._admits(update, act=False):
                await callback(update, *args)

        return gated

    async def _admits(self, update: Update, *, act: bool) -> bool:
        """Whether the update may be served; with `act`, the notice or the leave it calls for."""
        user, chat = update.effective_user, update.effective_chat
        if not self.policy.restricted or user is None:
            return True
        # Inline mode has no chat: the user is judged as in their private chat, silently.
        here = Party(chat.id, chat.username) if chat else _party(user)
        if chat is None or chat.type == ChatType.PRIVATE:
            if self.policy.allows_user(_party(user)) or self.policy.allows_chat(here):
                return True
            if act and chat is not None:
                await self._turn_away(update, user)
            return False
        if self.policy.allows_chat(here) or self.policy.is_admin(_party(user)):
            return True  # bot admins are served anywhere
        if not await self._admin_allowed(update, chat):
            if act:
                await self._leave(update, chat, user)
            return False
        return self.policy.allows_user(_party(user))  # else silence in groups

    async def _admin_allowed(self, update: Update, chat: Chat) -> bool:
        """One of the group's admins is allowed (asked of Telegram, then kept a while)."""
        verdict = self._groups.get(chat.id)
        if verdict is not None and time.monotonic() - verdict[0] < ADMINS_FRESH_S:
            return verdict[1]
        try:
            members = await update.get_bot().get_chat_administrators(chat.id)
        except TelegramError as exc:
            log.warning("could not list the admins of chat %s: %s", chat.id, exc)
            return True  # unknown: stay, and serve only allowed users (the caller stops this one)
        allowed = self.policy.allows_any(_party(member.user) for member in members)
        self._groups[chat.id] = (time.monotonic(), allowed)
        return allowed

    async def _turn_away(self, update: Update, user: User) -> None:
        """Tell a user who is not allowed, at most once a day."""
        now = self._clock()
        store = self._service().store
        if store is None or not await store.first_notice_since(user.id, now, now - NOTICE_EVERY):
            return
        message = update.effective_message
        if message is not None:
            await message.reply_text(text("access.private", user.language_code, user_id=user.id))

    async def _leave(self, update: Update, chat: Chat, user: User) -> None:
        """Say why, once, and leave a group where no admin is allowed."""
        log.info("leaving chat %s: none of its admins is allowed", chat.id)
        bot = update.get_bot()
        try:
            await bot.send_message(chat.id, text("access.leaving", user.language_code))
            await bot.leave_chat(chat.id)
        except TelegramError as exc:
            log.warning("could not leave chat %s: %s", chat.id, exc)

    async def _remember(self, user: User) -> None:
        """Keep who has which @username, once per process, so admins can name users."""
        if user.username is None or (user.id, user.username) in self._named:
            return
        store = self._service().store
        if store is not None:
            await store.remember_username(user.username, user.id)
            self._named.add((user.id, user.username))


def _party(user: User) -> Party:
    return Party(user.id, user.username)
