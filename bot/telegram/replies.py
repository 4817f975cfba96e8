"""Replies that take a while: a placeholder, "typing...", the text streamed in, then the final
message, linked to its article; failures worded briefly, never a traceback.

A mixin of `Handlers` (bot.telegram.handlers), which supplies the service, the quota, the pacer,
the work queue and the catalog-worded `_say`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import Update

from bot.core import trace
from bot.core.errors import SummarybotError
from bot.core.llm.client import DeltaCallback
from bot.telegram.quota import ConfirmationNeeded, Quota, requester
from bot.telegram.stream import Placeholder, PreviewPacer, ReplyStream, typing
from bot.telegram.updates import chat_id_of as _chat_id
from bot.telegram.updates import message_of as _message
from bot.telegram.updates import target_of as _target
from bot.telegram.work import WorkQueue, current_request
from bot.texts import describe_error, text

if TYPE_CHECKING:
    from bot.core.service import Service

log = logging.getLogger(__name__)

# Produces a reply's final HTML and the id of the article it is about, streaming on the way.
Work = Callable[[DeltaCallback | None], Awaitable[tuple[str, int]]]


class StreamedReplies:
    """Runs the work behind a reply while the chat sees it under way."""

    if TYPE_CHECKING:  # supplied by Handlers
        quota: Quota
        pacer: PreviewPacer
        work: WorkQueue | None

        @property
        def service(self) -> Service:
            """The core service."""

        async def _say(
            self, update: Update, key: str, *, html_mode: bool = False, **params: object
        ) -> None: ...

    async def _streamed_reply(
        self,
        update: Update,
        placeholder: str,
        ui: str,
        work: Work,
        *,
        link_request: bool = False,
        quiet: bool = False,
    ) -> None:
        """Run `work` while its reply streams in; link every message of the reply (and with
        `link_request`, the user's message too) to the article. `quiet`: unasked for, so
        no placeholder, no "typing..." and no word of a failure, only the finished reply."""
        wait = self.quota.rate_wait(update)
        if wait is not None:
            if not quiet:
                await self._say(update, "rate.limited", seconds=wait)
            return
        record = current_request()
        posted = (
            Placeholder(record.request.placeholder_id, record.placeholder_posted)
            if record
            else Placeholder()
        )
        stream = ReplyStream(
            update.get_bot(), _target(update), text(placeholder, ui), self.pacer, posted
        )
        done = await _quietly(work) if quiet else await self._shown(update, stream, ui, work)
        if done is None:
            return
        body, article_id = done
        sent = await stream.finish(body)
        await self.service.note_outcome(requester(update), failed=False)
        if record is not None:
            await record.replied()
        linked = [message.message_id for message in sent]
        if link_request:
            linked.append(_message(update).message_id)
        # One store call (one statement) for every link: each call costs the event loop a hop.
        await self.service.link_messages(_chat_id(update), linked, article_id)

    async def _shown(
        self, update: Update, stream: ReplyStream, ui: str, work: Work
    ) -> tuple[str, int] | None:
        """Run `work` showing it under way; None when it failed (the user is told briefly)."""
        async with self._working(update, stream.showing):
            await stream.start()
            try:
                return await work(stream.push if self.pacer.worth_streaming() else None)
            except ConfirmationNeeded as ask:
                sent = await stream.fail(ask.question)
                await sent[-1].edit_reply_markup(ask.markup)
                return None
            except SummarybotError as exc:
                log.info("request failed (%s): %s", exc.code, exc)
                trace.set_outcome(exc.code)
                await stream.fail(describe_error(exc, ui))
                await self.service.note_outcome(requester(update), failed=True)
            except asyncio.CancelledError:
                await stream.fail(text(self._cancel_reason(), ui))
                raise
            except Exception:
                # A bug or an outage we did not foresee: log the whole story, and replace the
                # placeholder with one short sentence rather than leave it spinning.
                log.exception("unexpected error while replying")
                trace.set_outcome("error")
                await stream.fail(text("error", ui))
                await self.service.note_outcome(requester(update), failed=True)
        return None

    @contextlib.asynccontextmanager
    async def _working(self, update: Update, shown: asyncio.Event) -> AsyncIterator[None]:
        """Until the reply shows: "typing..."; messages queued behind this get a note."""
        record = current_request()
        if record is not None:
            await record.working_slowly()
        async with typing(update.get_bot(), _target(update), until=shown):
            yield

    def _cancel_reason(self) -> str:
        stopping = self.work is not None and self.work.stopping
        return "restarting" if stopping else "cancelled"


async def _quietly(work: Work) -> tuple[str, int] | None:
    """Run work nobody asked for in so many words: a failure is only logged."""
    try:
        return await work(None)
    except SummarybotError as exc:
        log.info("an unasked-for summary failed (%s): %s", exc.code, exc)
    except Exception:
        log.exception("unexpected error in an unasked-for summary")
    return None
