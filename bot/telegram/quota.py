"""Fair use in the chat: the rate limit, the words of a budget refusal, and the confirmation a
very long article asks for before it is summarized."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.config import Settings
from bot.core.models import Article
from bot.core.service import Service
from bot.core.store.types import UserPrefs
from bot.core.store.usage_types import Unit
from bot.core.usage.budgets import BudgetLine, Clock, Estimate, Refusal, Requester
from bot.core.usage.rate import RateLimiter
from bot.texts import text

CONFIRM_PREFIX = "confirm"


class ConfirmationNeeded(Exception):
    """The article is long: the reply asks whether to summarize it, with a button."""

    def __init__(self, question: str, markup: InlineKeyboardMarkup) -> None:
        super().__init__(question)
        self.question = question
        self.markup = markup


class Quota:
    """The rate limit and the confirmation threshold, on the service's clock."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.clock = clock
        self.confirm_above = settings.confirm_above_tokens
        self.priced = settings.price() is not None
        self._rate = RateLimiter(settings.rate_limit_per_minute, clock)

    def rate_wait(self, update: Update) -> int | None:
        """Count the user's request; the seconds to wait when they sent too many, else None."""
        user = update.effective_user
        return self._rate.acquire(user.id) if user is not None else None

    async def confirm_long(
        self,
        service: Service,
        saved: tuple[int, Article],
        prefs: UserPrefs,
        who: Requester | None,
        ui: str,
    ) -> None:
        """Raise ConfirmationNeeded when the article's summary would cost over the threshold."""
        if self.confirm_above is None or who is None or service.llm is None:
            return
        article_id, article = saved
        expected = await service.summary_estimate(article, prefs)
        if expected.tokens <= self.confirm_above:
            return
        data = f"{CONFIRM_PREFIX}:{article_id}:{who.user_id}"
        button = InlineKeyboardButton(text("confirm.button", ui), callback_data=data)
        question = text("confirm.ask", ui, estimate=self.estimate_words(expected, ui))
        raise ConfirmationNeeded(question, InlineKeyboardMarkup([[button]]))

    def estimate_words(self, expected: Estimate, ui: str) -> str:
        """ "12,000 tokens (~$0.01)", the cost left out when the model's price is unknown."""
        tokens = amount(expected.tokens, Unit.TOKENS, ui)
        return f"{tokens} (~{amount(expected.usd, Unit.USD, ui)})" if self.priced else tokens

    def refusal_html(self, refusal: Refusal | None, ui: str) -> str:
        """What was used, the limit and when it resets, above the extractive reply; "" if none."""
        if refusal is None:
            return ""
        line = refusal.line
        params = {
            "budget": text(f"budget.{line.scope}.{line.period}", ui),
            "used": amount(line.used, line.unit, ui),
            "limit": amount(line.limit, line.unit, ui),
        }
        if line.used >= line.limit:
            said = text("budget.used_up", ui, **params)
        else:
            remaining = amount(line.limit - line.used, line.unit, ui)
            expected = amount(refusal.estimate.amount(line.unit), line.unit, ui)
            said = text("budget.too_big", ui, remaining=remaining, estimate=expected, **params)
        resets = text("budget.resets", ui, when=when(line), wait=self._wait(line.resets_at, ui))
        return html.escape(f"{said} {resets}", quote=False) + "\n\n"

    def _wait(self, moment: datetime, ui: str) -> str:
        minutes = max(1, int((moment - self.clock()).total_seconds() // 60))
        return text("budget.wait", ui, hours=minutes // 60, minutes=minutes % 60)


def requester(update: Update) -> Requester | None:
    """Who asks, for the budgets; None for an update without a user (a channel post)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None:
        return None
    if chat is None:  # inline mode: the user's own, as in their private chat
        return Requester(user.id, user.id, False)
    return Requester(user.id, chat.id, chat.type in (ChatType.GROUP, ChatType.SUPERGROUP))


def parse_confirmation(data: str) -> tuple[int, int] | None:
    """(article id, user id) of a confirmation button's data; None for other data."""
    prefix, _, rest = data.partition(":")
    article, _, user = rest.partition(":")
    if prefix != CONFIRM_PREFIX or not article.isdigit() or not user.isdigit():
        return None
    return int(article), int(user)


def amount(value: float, unit: Unit, ui: str) -> str:
    """12,000 tokens, or $0.42 (small sums with more digits, so they do not read as zero)."""
    if unit is Unit.TOKENS:
        return text("budget.tokens", ui, count=f"{round(value):,}")
    digits = 2 if value >= 0.1 or value == 0 else 4
    return text("budget.usd", ui, amount=f"{value:.{digits}f}")


def when(line: BudgetLine) -> str:
    """The moment a budget resets, as UTC date and time."""
    return line.resets_at.strftime("%Y-%m-%d %H:%M")
