"""Inline mode: `@bot <link>` in any chat offers the article's summary and posts it there.

Telegram wants the answer to an inline query at once, so a link whose summary the shared cache
holds is offered whole, and any other gets a placeholder to post. The placeholder carries an
inline keyboard, without which Telegram sends no inline_message_id: with it, choosing the
result (a chosen_inline_result update, after @BotFather's /setinlinefeedback) starts the
summary, which then replaces the placeholder. Budgets and the rate limit count the user as in
their private chat.
"""

from __future__ import annotations

import hashlib
import html
import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ChosenInlineResultHandler, InlineQueryHandler

from bot.core import trace
from bot.core.errors import SummarybotError
from bot.core.models import Summary
from bot.core.store.types import UserPrefs
from bot.telegram.handlers import Context, Handlers
from bot.telegram.inputs import links_in_text
from bot.telegram.quota import requester
from bot.telegram.render import markdown_to_telegram_html
from bot.telegram.split import split_message
from bot.telegram.updates import source_header
from bot.texts import describe_error, summary_markdown, text

log = logging.getLogger(__name__)

# The prefixes of result ids: a placeholder to fill in, or a cached summary posted whole.
PLACEHOLDER = "summarize"
CACHED = "cached"
CACHE_TIME_S = 0  # every ask is looked up again: a summary may have been cached meanwhile
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class InlineHandlers:
    """Answers inline queries and fills in the placeholders users post."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    async def query(self, update: Update, context: Context) -> None:
        """`@bot <text>`: the summary of its link (cached, or a placeholder), else a hint."""
        query = update.inline_query
        if query is None:
            return
        trace.set_kind("inline")
        prefs, ui = await self.handlers.user_prefs(query.from_user)
        links = links_in_text(query.query)
        if not links:
            hint = InlineQueryResultsButton(text("inline.hint", ui), start_parameter="inline")
            await query.answer([], cache_time=CACHE_TIME_S, is_personal=True, button=hint)
            return
        link = links[0]
        cached = await self.handlers.service.cached_summary(link, prefs)
        result = _offer_cached(link, cached, ui) if cached else _placeholder(link, ui)
        await query.answer([result], cache_time=CACHE_TIME_S, is_personal=True)

    async def chosen(self, update: Update, context: Context) -> None:
        """A posted placeholder: summarize its link and put the summary in its place (a cached
        summary, posted whole, is only counted as the cache's)."""
        chosen = update.chosen_inline_result
        if chosen is None:
            return
        trace.set_kind("summary")
        if chosen.result_id.startswith(CACHED):
            trace.cache_lookup(hit=True)
            who = requester(update)
            await self.handlers.service.note_outcome(who, failed=False)
            await self.handlers.service.note_cache_hit(who)
            return
        links = links_in_text(chosen.query)
        if chosen.inline_message_id is None or not links:
            return
        prefs, ui = await self.handlers.user_prefs(chosen.from_user)
        wait = self.handlers.quota.rate_wait(update)
        if wait is not None:
            body = html.escape(text("rate.limited", ui, seconds=wait), quote=False)
        else:
            body = await self._summary(update, links[0], prefs, ui)
        try:
            await update.get_bot().edit_message_text(
                split_message(body)[0],
                inline_message_id=chosen.inline_message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
            )
        except TelegramError as exc:  # the message was deleted meanwhile, or the chat is gone
            log.warning("could not fill in an inline message: %s", exc)

    async def _summary(self, update: Update, link: str, prefs: UserPrefs, ui: str) -> str:
        """The summary's HTML, or the friendly sentence of what went wrong."""
        service, who = self.handlers.service, requester(update)
        try:
            article = await service.read_url(link)
            summary, refusal = await service.summarize_for(article, prefs, who=who)
        except SummarybotError as exc:
            log.info("inline summary failed (%s): %s", exc.code, exc)
            trace.set_outcome(exc.code)
            await service.note_outcome(who, failed=True)
            return html.escape(describe_error(exc, ui), quote=False)
        except Exception:  # a bug or an outage: the placeholder still gets one short sentence
            log.exception("unexpected error in an inline summary")
            trace.set_outcome("error")
            await service.note_outcome(who, failed=True)
            return html.escape(text("error", ui), quote=False)
        await service.note_outcome(who, failed=False)
        header = self.handlers.quota.refusal_html(refusal, ui) + source_header(article, ui)
        return header + markdown_to_telegram_html(summary_markdown(summary, ui))


def _placeholder(link: str, ui: str) -> InlineQueryResultArticle:
    """The result to post now and fill in later; its button is what brings the message id."""
    button = InlineKeyboardButton(text("inline.open", ui), url=link)
    return InlineQueryResultArticle(
        id=f"{PLACEHOLDER}:{_digest(link)}",
        title=text("inline.title", ui),
        description=link,
        input_message_content=InputTextMessageContent(
            text("inline.working", ui, url=link), link_preview_options=_NO_PREVIEW
        ),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


def _offer_cached(link: str, summary: Summary, ui: str) -> InlineQueryResultArticle:
    """The cached summary whole, under a link to its article."""
    source = f'<a href="{html.escape(link, quote=True)}">{text("link", ui)}</a>\n\n'
    body = source + markdown_to_telegram_html(summary_markdown(summary, ui))
    return InlineQueryResultArticle(
        id=f"{CACHED}:{_digest(link)}",
        title=text("inline.cached_title", ui),
        description=link,
        input_message_content=InputTextMessageContent(
            split_message(body)[0], parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
        ),
    )


def _digest(link: str) -> str:
    """A short stand-in for the link in a result id (at most 64 bytes)."""
    return hashlib.sha256(link.encode()).hexdigest()[:32]


def add_inline_handlers(application: Application, inline: InlineHandlers) -> None:  # type: ignore[type-arg]
    """Register the inline query and chosen result handlers."""
    application.add_handler(InlineQueryHandler(inline.query))
    application.add_handler(ChosenInlineResultHandler(inline.chosen))
