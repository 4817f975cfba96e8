"""Handlers around the main ones: messages without text, edits, /cancel with its queue, a
document's caption that asks a question, and a summary language typed by name.

A mixin of `Handlers` (bot.telegram.handlers), which supplies the service, the work queue and
the catalog-worded replies.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram.inputs import is_question, without_mention
from bot.telegram.settings_menu import language_code_of, language_name
from bot.telegram.work import WorkQueue, conversation_of, current_request

if TYPE_CHECKING:
    from bot.core.service import Service
    from bot.core.store.types import StoredArticle

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
LANGUAGE_PROMPT_S = 600.0  # how long "type any language" waits for the language's name


class LanguagePrompts:
    """Who was asked to type a summary language, per chat, until they answer or it expires.

    Kept in memory like a paste being collected: after a restart the user taps again.
    """

    def __init__(self, window_s: float = LANGUAGE_PROMPT_S) -> None:
        self._window_s = window_s
        self._asked: dict[tuple[int, int], float] = {}

    def ask(self, chat_id: int, user_id: int) -> None:
        """The user's next message in the chat names a language."""
        moment = time.monotonic()
        self._asked = {key: until for key, until in self._asked.items() if until > moment}
        self._asked[(chat_id, user_id)] = moment + self._window_s

    def answered(self, chat_id: int, user_id: int) -> bool:
        """True once for the message that answers the question (within the window)."""
        until = self._asked.pop((chat_id, user_id), None)
        return until is not None and until > time.monotonic()


def refused_by_chat(update: object, error: object) -> bool:
    """Log once, at INFO, a chat that blocked or removed the bot: nobody is left to tell."""
    if not isinstance(error, Forbidden):
        return False
    chat = update.effective_chat if isinstance(update, Update) else None
    log.info("chat %s refused the bot (%s); this request ends", chat and chat.id, error)
    return True


class MiscHandlers:
    """The callbacks for stickers and the like, edited messages and /cancel."""

    if TYPE_CHECKING:  # supplied by Handlers
        language_prompts: LanguagePrompts

        @property
        def work(self) -> WorkQueue | None:
            """The durable work queue."""

        @property
        def service(self) -> Service:
            """The core service."""

        async def _say(
            self, update: Update, key: str, *, html_mode: bool = False, **params: object
        ) -> None: ...

        async def message(self, update: Update, context: Context) -> None:
            """A text or captioned message."""

        async def _answer(self, update: Update, stored: StoredArticle, question: str) -> None: ...

    async def cancel(self, update: Update, context: Context) -> None:
        """/cancel: drop the conversation's queued requests, stop the one in flight (it runs on
        arrival, not queued) and say how many were dropped."""
        if self.work is None:
            return
        conversation = conversation_of(update)
        # Before the cancel: the stopped request's successor must not start meanwhile.
        dropped = await self.work.drop_queued(conversation)
        stopped = await self.work.cancel(conversation)
        if dropped:
            await self._say(update, "queue_dropped", count=dropped)
        elif not stopped:
            await self._say(update, "nothing_to_cancel")

    async def unreadable(self, update: Update, context: Context) -> None:
        """A sticker, photo, voice message, location... in a private chat: what the bot reads."""
        await self._say(update, "unreadable")

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command the bot does not have, or one for another bot, in a private chat."""
        await self._say(update, "unknown_command")

    async def edited(self, update: Update, context: Context) -> None:
        """An edit of the conversation's latest message (a broken link fixed) is a new request;
        edits of older messages are not."""
        record = current_request()
        message = update.edited_message
        if record is None or message is None or self.work is None:
            return
        if await self.work.edits_latest(record.request, message.message_id):
            await self.message(update, context)
        else:
            log.info("ignoring an edit of an older message (request %s)", update.update_id)

    async def stale_command(self, update: Update, context: Context) -> None:
        """An edit into a command counts, like any edit, only for the conversation's latest
        message: an edit of an older one goes no further (ApplicationHandlerStop)."""
        record = current_request()
        message = update.edited_message
        if record is None or message is None or self.work is None:
            return
        if not await self.work.edits_latest(record.request, message.message_id):
            log.info(
                "ignoring a command edited into an older message (request %s)", update.update_id
            )
            raise ApplicationHandlerStop

    async def _caption_question(self, update: Update) -> None:
        """Answer the question a document's caption asks, once the document was summarized."""
        message = update.effective_message
        if message is None or not message.caption:
            return
        question = without_mention(message.caption, update.get_bot().username)
        if not is_question(question):
            return  # a description of the file: the summary was all that was asked
        # The summary linked the user's message to the document's article; no link, no summary.
        stored = await self.service.article_for_message(message.chat_id, message.message_id)
        if stored is not None:
            await self._answer(update, stored, question)

    async def _ask_for_language(self, update: Update) -> None:
        """ "Type any language" was tapped: ask for its name; the next message gives it."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        if query.message is not None:
            self.language_prompts.ask(query.message.chat.id, query.from_user.id)
            await self._say(update, "settings.language.ask")

    async def _typed_language(self, update: Update) -> bool:
        """Set the summary language a user typed when asked for it; False for other messages."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return False
        if not self.language_prompts.answered(message.chat_id, user.id):
            return False
        typed = without_mention(message.text, update.get_bot().username)
        code = language_code_of(typed)
        if code is None:
            await self._say(update, "settings.language.unknown", typed=typed[:40])
            return True
        prefs = await self.service.prefs(user.id)
        await self.service.save_prefs(user.id, dataclasses.replace(prefs, language=code))
        await self._say(update, "settings.language.set", name=language_name(code))
        return True
