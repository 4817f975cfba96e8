"""/usage (yours, or the group's for its admins), and for the bot's admins /stats and /limit."""

from __future__ import annotations

import math
from datetime import timedelta

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.core.store.usage_types import LimitKey, Period, Scope, Unit, UsageStats
from bot.core.usage.access import AccessPolicy, Party
from bot.core.usage.budgets import BOT_SUBJECT, BudgetLine, Budgets
from bot.telegram.handlers import Handlers
from bot.telegram.quota import amount, when
from bot.texts import clip, text

Context = ContextTypes.DEFAULT_TYPE
CHAT_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
THIS_CHAT = ("this", "chat", "here")
CLEARED = ("off", "none", "default")


class UsageCommands:
    """The usage and admin commands, on the handlers' service and clock."""

    def __init__(self, handlers: Handlers, policy: AccessPolicy) -> None:
        self.handlers = handlers
        self.policy = policy

    async def usage(self, update: Update, context: Context) -> None:
        """/usage: today's and this month's tokens and cost, and the limits that apply."""
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None:
            return
        ui = await self.handlers.ui_language(update)
        scope, subject = Scope.USER, user.id
        if chat.type != ChatType.PRIVATE and await self._chat_admin(update, chat.id, user.id):
            scope, subject = Scope.CHAT, chat.id
        spent, lines = await self._budgets().report(scope, subject)
        rows = [
            text(f"usage.title.{scope}", ui),
            text(
                "usage.today",
                ui,
                tokens=amount(spent.day_tokens, Unit.TOKENS, ui),
                usd=amount(spent.day_usd, Unit.USD, ui),
            ),
            text(
                "usage.month",
                ui,
                tokens=amount(spent.month_tokens, Unit.TOKENS, ui),
                usd=amount(spent.month_usd, Unit.USD, ui),
            ),
            *([_limit_row(line, ui) for line in lines] or [text("usage.no_limits", ui)]),
        ]
        await message.reply_text("\n".join(rows), parse_mode=ParseMode.HTML)

    async def stats(self, update: Update, context: Context) -> None:
        """/stats (bot admins): activity over the last day and week."""
        ui = await self._admin_language(update)
        if ui is None or update.effective_message is None:
            return
        store = self._budgets().store
        now = self.handlers.now()
        rows = [text("stats.title", ui)]
        for period, days in (("day", 1), ("week", 7)):
            stats = await store.usage_stats(now - timedelta(days=days))
            rows.append(_stats_row(text(f"stats.period.{period}", ui), stats, ui))
        await update.effective_message.reply_text("\n".join(rows), parse_mode=ParseMode.HTML)

    async def limit(self, update: Update, context: Context) -> None:
        """/limit <who> <daily|monthly> <tokens|usd> <value|off|default> (bot admins)."""
        ui = await self._admin_language(update)
        message = update.effective_message
        if ui is None or message is None:
            return
        args = [arg.lower() for arg in context.args or []]
        key = await self._limit_key(update, args) if len(args) == 4 else None
        value = _limit_value(args[3]) if key is not None else None
        if key is None or value is None:
            await message.reply_text(self._unknown_or_usage(args, key, ui))
            return
        store = self._budgets().store
        subject = (context.args or [""])[0]
        period, unit = text(f"budget.period.{key[2]}", ui), key[3].value
        if value == "default":
            await store.clear_limit(key)
            said = text("limit.default", ui, subject=subject, period=period, unit=unit)
        elif value == "off":
            await store.set_limit(key, None)
            said = text("limit.off", ui, subject=subject, period=period, unit=unit)
        else:
            await store.set_limit(key, float(value))
            limit = amount(float(value), key[3], ui)
            said = text("limit.set", ui, subject=subject, period=period, limit=limit)
        await message.reply_text(said)

    async def _limit_key(self, update: Update, args: list[str]) -> LimitKey | None:
        """The budget `/limit` names, or None when the period, unit or user is not known."""
        who, period, unit = args[:3]
        if period not in {p.value for p in Period} or unit not in {u.value for u in Unit}:
            return None
        chat = update.effective_chat
        scope_subject: tuple[Scope, int] | None = None
        if who in THIS_CHAT and chat is not None:
            private = chat.type == ChatType.PRIVATE
            scope_subject = (Scope.USER if private else Scope.CHAT, chat.id)
        elif who == "bot":
            scope_subject = (Scope.BOT, BOT_SUBJECT)
        elif who.lstrip("-").isdigit():
            number = int(who)
            scope_subject = (Scope.CHAT if number < 0 else Scope.USER, number)
        elif who.startswith("@"):
            found = await self._budgets().store.user_for_username(who[1:])
            scope_subject = (Scope.USER, found) if found is not None else None
        if scope_subject is None:
            return None
        return (*scope_subject, Period(period), Unit(unit))

    def _unknown_or_usage(self, args: list[str], key: LimitKey | None, ui: str) -> str:
        if len(args) == 4 and key is None and args[0].startswith("@"):
            return text("limit.unknown_user", ui, name=clip(args[0][1:]))
        return text("limit.usage", ui)

    async def _admin_language(self, update: Update) -> str | None:
        """The admin's language; None (after saying so) when the user is not a bot admin."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return None
        ui = await self.handlers.ui_language(update)
        if not self.policy.is_admin(Party(user.id, user.username)):
            await message.reply_text(text("admins_only", ui))
            return None
        return ui

    async def _chat_admin(self, update: Update, chat_id: int, user_id: int) -> bool:
        user = update.effective_user
        if user is not None and self.policy.is_admin(Party(user.id, user.username)):
            return True
        member = await update.get_bot().get_chat_member(chat_id, user_id)
        return member.status in CHAT_ADMINS

    def _budgets(self) -> Budgets:
        budgets = self.handlers.service.budgets
        if budgets is None:
            raise RuntimeError("the bot's budgets need its database")
        return budgets


def _limit_value(word: str) -> str | None:
    """ "off", "default", or a positive number as typed; None for anything else."""
    if word in CLEARED:
        return "default" if word == "default" else "off"
    try:
        number = float(word.replace(",", "").lstrip("$"))
    except ValueError:
        return None
    return word.replace(",", "").lstrip("$") if 0 < number < math.inf else None


def _limit_row(line: BudgetLine, ui: str) -> str:
    return text(
        "usage.limit",
        ui,
        budget=text(f"budget.{line.scope}.{line.period}", ui),
        used=amount(line.used, line.unit, ui),
        limit=amount(line.limit, line.unit, ui),
        when=when(line),
    )


def _stats_row(period: str, stats: UsageStats, ui: str) -> str:
    return text(
        "stats.line",
        ui,
        period=period,
        users=stats.users,
        chats=stats.chats,
        requests=stats.requests,
        calls=stats.llm_calls,
        tokens=f"{stats.tokens:,}",
        usd=f"{stats.cost_usd:.4f}",
        hits=stats.cache_hits,
        refused=stats.refused,
        errors=stats.errors,
    )
