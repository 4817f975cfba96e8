"""Thin Telegram handlers: read the update, call the core's service, reply in the user's language."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import Message, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.core import trace
from bot.core.llm.client import DeltaCallback
from bot.core.models import Article
from bot.core.service import Service
from bot.core.store import clock
from bot.core.store.types import DIGEST_SOURCE, StoredArticle, UserPrefs
from bot.core.usage.budgets import Clock
from bot.telegram import settings_menu
from bot.telegram.addressing import for_me
from bot.telegram.inputs import (
    MAX_LINKS_PER_MESSAGE,
    Intent,
    document_problem,
    links_in_text,
    read_message,
    with_forward_source,
    without_mention,
)
from bot.telegram.misc_handlers import LanguagePrompts, MiscHandlers, refused_by_chat
from bot.telegram.pastes import PasteCollector
from bot.telegram.quota import Quota, parse_confirmation, requester
from bot.telegram.recap_render import link_citations
from bot.telegram.render import markdown_to_telegram_html
from bot.telegram.replies import StreamedReplies
from bot.telegram.schedule_words import settings_line
from bot.telegram.stream import PreviewPacer
from bot.telegram.updates import chat_id_of as _chat_id
from bot.telegram.updates import message_of as _message
from bot.telegram.updates import source_header as _source_header
from bot.telegram.updates import topic_of_update as _topic
from bot.telegram.updates import user_of as _user
from bot.telegram.work import WorkQueue, current_request
from bot.texts import answer_markdown, normalize_language, summary_markdown, text

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
ArticleLoader = Callable[[], Awaitable[Article]]


class Handlers(MiscHandlers, StreamedReplies):
    """Every callback of the bot; services arrive through `open` (PTB's post_init)."""

    def __init__(
        self,
        settings: Settings,
        pastes: PasteCollector,
        pacer: PreviewPacer,
        now: Clock = clock.now,
    ):
        self.settings = settings
        self.pastes = pastes
        self.pacer = pacer
        self.now = now  # budgets' days and months, rate limits, notices
        self.quota = Quota(settings, now)
        self.work: WorkQueue | None = None
        self.language_prompts = LanguagePrompts()
        self._service: Service | None = None

    @property
    def service(self) -> Service:
        """The core service, opened at start-up."""
        if self._service is None:
            raise RuntimeError("the bot's services are not open yet")
        return self._service

    async def open(self) -> None:
        """Open the database, HTTP and LLM clients."""
        config = replace(self.settings.service_config(), clock=self.now)
        self._service = await Service.open(config)

    async def close(self) -> None:
        """Close every client."""
        if self._service is not None:
            await self._service.aclose()
            self._service = None

    # --- commands ----------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        """/start: what the bot does."""
        await self._say(update, "start")

    async def help(self, update: Update, context: Context) -> None:
        """/help: every way to use the bot."""
        await self._say(update, "help", html_mode=True, bot=context.bot.username)

    async def reset(self, update: Update, context: Context) -> None:
        """/reset: forget the conversation."""
        await self.service.reset_chat(_chat_id(update), _topic(update))
        await self._say(update, "reset_done")

    async def summarize_command(self, update: Update, context: Context) -> None:
        """/summarize [links], or as a reply to a message with links, text or a document."""
        message = _message(update)
        links = links_in_text(" ".join(context.args or []))
        if links:
            await self._summarize_links(update, links)
            return
        replied = message.reply_to_message
        if replied is None:
            await self._say(update, "summarize_usage")
            return
        if replied.document is not None:
            await self._summarize_document(update, replied)
            return
        incoming = read_message(replied)
        if incoming.links:
            await self._summarize_links(update, incoming.links)
        elif incoming.text:
            await self._summarize_text(update, incoming.text, replied)
        else:
            await self._say(update, "summarize_usage")

    async def ask_command(self, update: Update, context: Context) -> None:
        """/ask question: about the replied-to or the latest article."""
        question = " ".join(context.args or []).strip()
        if not question:
            await self._say(update, "ask_usage")
            return
        await self._ask(update, question)

    async def settings_command(self, update: Update, context: Context) -> None:
        """/settings: the inline keyboard."""
        user = _user(update)
        prefs = await self.service.prefs(user.id)
        ui = self._ui(user, prefs)
        markup = settings_menu.keyboard(prefs, self.settings, ui)
        scheduled = await settings_line(self.service.digests, user.id, 0, ui)
        await _message(update).reply_text(
            text("settings.title", ui) + scheduled, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    async def settings_button(self, update: Update, context: Context) -> None:
        """A tap on the settings keyboard: save the choice and tick it."""
        query = update.callback_query
        if query is None:
            return
        if query.data == settings_menu.TYPE_LANGUAGE:
            await self._ask_for_language(update)
            return
        prefs = await self.service.prefs(query.from_user.id)
        chosen = settings_menu.apply_choice(prefs, query.data or "")
        if chosen is None:  # a label, or stale or foreign data: still stop the button's spinner
            await query.answer()
            return
        await self.service.save_prefs(query.from_user.id, chosen)
        ui = self._ui(query.from_user, chosen)
        await query.answer(text("settings.saved", ui))
        markup = settings_menu.keyboard(chosen, self.settings, ui)
        shown = settings_menu.keyboard(prefs, self.settings, self._ui(query.from_user, prefs))
        # Telegram refuses an edit to the same markup ("message is not modified").
        if markup != shown and query.message is not None:
            await query.edit_message_reply_markup(markup)

    async def confirm_button(self, update: Update, context: Context) -> None:
        """A tap on "Summarize it" under a long article's estimate: summarize it now."""
        query = update.callback_query
        confirmed = parse_confirmation(query.data or "") if query else None
        if query is None or confirmed is None:
            return
        article_id, user_id = confirmed
        ui = await self.ui_language(update)
        stored = await self.service.article(article_id)
        if query.from_user.id != user_id or stored is None or stored.chat_id != _chat_id(update):
            await query.answer(text("confirm.not_yours" if stored else "confirm.gone", ui))
            return
        await query.answer()
        try:
            await query.edit_message_reply_markup(None)  # one summary per button
        except BadRequest:  # pressed twice: the first press took the button away
            return
        await self._summarize(update, lambda: _ready(stored.article), stored.source, stored.id)

    # --- messages ----------------------------------------------------------------------------

    async def message(self, update: Update, context: Context) -> None:
        """A text or captioned message: links, a pasted article, or a follow-up question."""
        message = _message(update)
        bot = update.get_bot()
        if not for_me(update):
            # A group may ask for every link posted in it; failures there stay silent.
            links = read_message(message).links
            if links and (await self.service.chat_settings(message.chat_id)).every_link:
                await self._summarize_links(update, links, quiet=True)
            return
        if await self._typed_language(update):
            return
        stored = await self._replied_article(update)
        incoming = read_message(message)
        incoming = replace(incoming, text=without_mention(incoming.text, bot.username))
        if stored is not None and not incoming.links and not incoming.forwarded:
            await self._answer(update, stored, incoming.text)
            return
        intent = incoming.intent()
        if intent is Intent.LINKS:
            await self._summarize_links(update, incoming.links)
        elif intent is Intent.PASTE:
            await self._summarize_text(update, await self._whole_paste(update), message)
        elif intent is Intent.QUESTION:
            # Not a reply to a known article (checked above): the question is about the latest.
            latest = await self.service.latest_article(_chat_id(update), _topic(update))
            if latest is None:
                await self._say(update, "hint")
            else:
                await self._answer(update, latest, incoming.text)
        else:
            await self._say(update, "hint")

    async def document(self, update: Update, context: Context) -> None:
        """An uploaded .txt, .html or .pdf file; a question in its caption is asked next."""
        if for_me(update):
            await self._summarize_document(update, _message(update))
            await self._caption_question(update)

    async def still_working(self, update: Update) -> None:
        """Tell a user whose chat is busy that their message is queued (in a group, the work
        in flight may be another member's: the note speaks of the chat's)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not for_me(update):
            return
        ui = self._ui(user, await self.service.prefs(user.id))
        key = "still_working" if message.chat.type == ChatType.PRIVATE else "still_working.chat"
        # A chat that blocked the bot: its queued request will end with one line in the log.
        with contextlib.suppress(Forbidden):
            await message.reply_text(text(key, ui), do_quote=True)

    async def late_note(self, update: Update, key: str) -> None:
        """Tell the sender that their request waited while the bot was down."""
        message, user = update.effective_message, update.effective_user
        if message is not None and user is not None and for_me(update):
            await self._say(update, key)

    async def on_error(self, update: object, context: Context) -> None:
        """Log the whole story; tell the user one short sentence, never a traceback."""
        if refused_by_chat(update, context.error):
            return
        log.error("unhandled error while handling an update", exc_info=context.error)
        trace.set_outcome("error")
        # Never an error into a group that did not address the bot.
        if not isinstance(update, Update) or not for_me(update):
            return
        assert update.effective_message is not None  # for_me saw it
        language = update.effective_user.language_code if update.effective_user else None
        try:
            await update.effective_message.reply_text(text("error", language))
        except Exception:  # the chat may be gone or the bot blocked; the log has the story
            log.warning("could not tell the user about the error", exc_info=True)

    # --- the work ------------------------------------------------------------------------------

    async def _summarize_links(
        self, update: Update, links: list[str], *, quiet: bool = False
    ) -> None:
        if len(links) > MAX_LINKS_PER_MESSAGE and not quiet:
            await self._say(update, "too_many_links", count=MAX_LINKS_PER_MESSAGE)
        for link in links[:MAX_LINKS_PER_MESSAGE]:
            await self._summarize(update, self._url_loader(link), link, quiet=quiet)

    def _url_loader(self, url: str) -> ArticleLoader:
        return lambda: self.service.read_url(url)

    async def _summarize_text(self, update: Update, pasted: str, holder: Message) -> None:
        async def load() -> Article:
            return with_forward_source(await self.service.read_text(pasted), holder)

        await self._summarize(update, load, "text")

    async def _summarize_document(self, update: Update, holder: Message) -> None:
        document = holder.document
        if document is None:
            return
        problem = document_problem(document)
        if problem is not None:
            await self._say(update, problem)
            return

        async def load() -> Article:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
            name = document.file_name or "document"
            return await self.service.read_document(data, name, document.mime_type)

        await self._summarize(update, load, f"document:{document.file_name or 'document'}")

    async def _summarize(
        self,
        update: Update,
        load: ArticleLoader,
        source: str,
        saved: int | None = None,
        *,
        quiet: bool = False,
    ) -> None:
        """Summarize what `load` reads; `saved`: the stored article a confirmation was for."""
        trace.set_kind("summary")
        prefs, ui = await self._prefs(update)
        chat_id, topic, who = _chat_id(update), _topic(update), requester(update)

        async def work(on_delta: DeltaCallback | None) -> tuple[str, int]:
            article = await load()
            article_id = saved
            if article_id is None:
                article_id = await self.service.save_article(
                    chat_id, article, source, thread_id=topic
                )
                await self.quota.confirm_long(self.service, (article_id, article), prefs, who, ui)
            result = await self.service.summarize_saved(article_id, article, prefs, on_delta, who)
            summary = markdown_to_telegram_html(summary_markdown(result.summary, ui))
            header = self.quota.refusal_html(result.refusal, ui) + _source_header(article, ui)
            return header + summary, article_id

        # A reply to the user's own message (the link, the paste) also reaches the article.
        await self._streamed_reply(update, "working", ui, work, link_request=True, quiet=quiet)

    async def _ask(self, update: Update, question: str) -> None:
        stored = await self._replied_article(update)
        stored = stored or await self.service.latest_article(_chat_id(update), _topic(update))
        if stored is None:
            await self._say(update, "no_article")
            return
        await self._answer(update, stored, question)

    async def _answer(self, update: Update, stored: StoredArticle, question: str) -> None:
        trace.set_kind("answer")
        prefs, ui = await self._prefs(update)

        async def work(on_delta: DeltaCallback | None) -> tuple[str, int]:
            result = await self.service.ask_in_chat(
                _chat_id(update), stored, question, prefs, on_delta, requester(update)
            )
            reply = markdown_to_telegram_html(answer_markdown(result.answer, ui))
            if stored.source == DIGEST_SOURCE:  # a reply to a digest: its citations as links
                reply = link_citations(reply, _message(update).chat, stored.article.text)
            return self.quota.refusal_html(result.refusal, ui) + reply, stored.id

        await self._streamed_reply(update, "thinking", ui, work)

    async def _whole_paste(self, update: Update) -> str:
        """Wait for the rest of a paste that Telegram split into several messages."""
        message = _message(update)
        record = current_request()
        if record is None:  # not from the queue: nothing stored behind it to merge
            return message.text or ""
        return await self.pastes.collect(message, record.store, record.request)

    async def _replied_article(self, update: Update) -> StoredArticle | None:
        replied = _message(update).reply_to_message
        if replied is None:
            return None
        return await self.service.article_for_message(_chat_id(update), replied.message_id)

    async def ui_language(self, update: Update) -> str:
        """The language the user reads the bot in."""
        return (await self._prefs(update))[1]

    async def _prefs(self, update: Update) -> tuple[UserPrefs, str]:
        """The sender's choices in a private chat; in a group, the group's (its admins')."""
        user, message = _user(update), _message(update)
        if message.chat.type == ChatType.PRIVATE:
            return await self.user_prefs(user)
        return self._resolved(user, (await self.service.chat_settings(message.chat_id)).prefs)

    async def user_prefs(self, user: User) -> tuple[UserPrefs, str]:
        """The user's own choices, as in their private chat, and the language they read."""
        return self._resolved(user, await self.service.prefs(user.id))

    def _resolved(self, user: User, prefs: UserPrefs) -> tuple[UserPrefs, str]:
        """The choices with "in my language" made the user's, and the language they read."""
        language = settings_menu.summary_language(prefs, user.language_code)
        return replace(prefs, language=language), self._ui(user, prefs)

    def _ui(self, user: User, prefs: UserPrefs) -> str:
        return normalize_language(prefs.ui_language or user.language_code)

    async def _say(
        self, update: Update, key: str, *, html_mode: bool = False, **params: object
    ) -> None:
        language = (await self._prefs(update))[1] if update.effective_user else None
        await _message(update).reply_text(
            text(key, language, **params), parse_mode=ParseMode.HTML if html_mode else None
        )


async def _ready(article: Article) -> Article:
    return article
