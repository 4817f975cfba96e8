"""Streaming a reply into a chat: a draft or an edited placeholder, then the full final text.

The LLM's text arrives in small pieces; `ReplyStream.push` only records it, and a background
task shows the latest text at a pace Telegram accepts (about one update per second per chat),
so a slow or rate-limited Telegram call never stalls reading the LLM's stream; a preview
yields to the replies when Telegram's budget is short (`bot.telegram.limits`). In private
chats the preview uses `sendMessageDraft`; when a server rejects it the stream falls back to
editing a placeholder message. `finish` always delivers the whole text, split into parts of
at most 4096 characters, and falls back to plain text if Telegram rejects the formatting.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Bot, Chat, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.core.trace import stage
from bot.telegram.limits import progress
from bot.telegram.render import render_partial_markdown
from bot.telegram.split import html_to_plain, split_message
from bot.telegram.tasks import cancel_and_wait

log = logging.getLogger(__name__)

_PREVIEW_LIMIT = 4000  # characters of a preview; the final text is split properly instead
# Previews further apart than this no longer feel like streaming (a reply takes a few seconds).
USEFUL_PREVIEW_INTERVAL_S = 2.0
_draft_ids = itertools.count(1)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PlaceholderCallback = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Target:
    """Where a reply goes: the chat, the message it answers, and the forum topic if any."""

    chat_id: int
    reply_to: int | None = None
    thread_id: int | None = None
    private: bool = True


class PreviewPacer:
    """Shares preview updates among all replies streaming at once.

    Each preview is a Bot API call that costs CPU and counts against Telegram's limits, so
    when many replies stream together each one is previewed less often: together they make
    at most `max_per_second` previews, and one reply at most one per `min_interval_s`.
    """

    def __init__(self, min_interval_s: float = 1.0, max_per_second: float = 20.0) -> None:
        self.min_interval_s = min_interval_s
        self.max_per_second = max_per_second
        self.streaming = 0
        # Once a server refuses drafts, later replies edit a message without asking again.
        self.drafts_refused = False

    def interval(self) -> float:
        """Seconds one reply waits between two previews, given how many are streaming."""
        return max(self.min_interval_s, self.streaming / self.max_per_second)

    def worth_streaming(self) -> bool:
        """False when so many replies stream that each would barely get a preview.

        Reading a streamed completion costs several times the CPU of a whole one, so under
        such load replies are fetched whole and "typing..." shows until they are sent.
        """
        return self.interval() <= USEFUL_PREVIEW_INTERVAL_S


@dataclass(frozen=True)
class Placeholder:
    """The placeholder an earlier attempt at this reply posted, and who records a new one."""

    earlier: int | None = None
    on_posted: PlaceholderCallback | None = None


class ReplyStream:
    """One reply being written: preview updates while streaming, the full text at the end."""

    def __init__(
        self,
        bot: Bot,
        target: Target,
        placeholder: str,
        pacer: PreviewPacer,
        posted: Placeholder = Placeholder(),
    ) -> None:
        self._bot = bot
        self._target = target
        self._placeholder = placeholder
        self._posted = posted
        self._pacer = pacer
        # A retry edits the earlier attempt's placeholder rather than post a second one.
        self._use_draft = target.private and not pacer.drafts_refused and posted.earlier is None
        self._draft_id = next(_draft_ids)
        self._message: Message | None = None  # the placeholder, when editing
        self._markdown = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self.showing = asyncio.Event()  # set once the reply's own text is on screen
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Show that work has begun and start the preview updater.

        In private chats the typing action shows the work until the first draft arrives;
        elsewhere a placeholder message appears at once and is edited as the text grows.
        """
        if self._posted.earlier is not None:
            self._message = await self._reuse(self._posted.earlier)
        elif not self._use_draft:
            self._message = await self._post(self._placeholder, html=False)
        self._pacer.streaming += 1
        self._pump = asyncio.create_task(self._run_pump(), name="reply-stream")

    async def push(self, delta: str) -> None:
        """Add a streamed piece of Markdown; the preview catches up in the background."""
        self._markdown += delta
        self._changed.set()

    async def finish(self, html: str) -> list[Message]:
        """Stop previewing and deliver `html` in full (split if long); returns the messages."""
        await self._stop_pump()
        parts = split_message(html)
        sent: list[Message] = []
        with stage("send"):
            for index, part in enumerate(parts):
                if index == 0 and self._message is not None:
                    sent.append(await self._replace_placeholder(part))
                else:
                    sent.append(await self._send_one(part, html=True))
        return sent

    async def fail(self, text: str) -> list[Message]:
        """Replace the preview with a short plain message (an error or a cancellation)."""
        await self._stop_pump()
        if self._message is not None:
            with contextlib.suppress(TelegramError):
                return [await self._edit(self._message, text, html=False)]
        return [await self._send_one(text, html=False)]

    async def _run_pump(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            started = time.monotonic()
            await self._show(render_partial_markdown(self._markdown[:_PREVIEW_LIMIT]))
            await asyncio.sleep(max(0.0, self._pacer.interval() - (time.monotonic() - started)))

    async def _show(self, html: str) -> None:
        if not html or html == self._shown:
            return
        try:
            if self._use_draft:
                if not await self._draft(html):
                    self._use_draft = False
                    self._pacer.drafts_refused = True
                    self._message = await self._post(html, html=True)
            elif self._message is not None:
                with progress():  # skipped when the budget is short: the replies go first
                    await self._edit(self._message, html, html=True)
            self._shown = html
            self.showing.set()
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))  # the next update carries more text
        except TelegramError as exc:
            log.debug("preview update skipped: %s", exc)  # previews are best effort

    async def _draft(self, html: str) -> bool:
        try:
            await self._bot.send_message_draft(
                self._target.chat_id,
                self._draft_id,
                html,
                message_thread_id=self._target.thread_id,
                parse_mode=ParseMode.HTML if html else None,
            )
        except BadRequest as exc:
            log.info("drafts rejected (%s); editing a placeholder instead", exc.message)
            return False
        return True

    async def _replace_placeholder(self, part: str) -> Message:
        assert self._message is not None
        try:
            return await self._edit(self._message, part, html=True)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return self._message
            if "can't parse entities" not in exc.message.lower():
                raise
            log.warning("Telegram rejected our formatting (%s); sending plain text", exc.message)
            return await self._edit(self._message, html_to_plain(part), html=False)

    async def _post(self, text: str, *, html: bool) -> Message:
        """Send the message that the preview edits, and let the caller record it."""
        message = await self._send_one(text, html=html)
        if self._posted.on_posted is not None:
            await self._posted.on_posted(message.message_id)
        return message

    async def _reuse(self, message_id: int) -> Message:
        """The earlier attempt's placeholder, showing the placeholder again; a new one if gone."""
        chat_type = ChatType.PRIVATE if self._target.private else ChatType.SUPERGROUP
        earlier = Message(message_id, datetime.now(UTC), Chat(self._target.chat_id, chat_type))
        try:
            return await self._edit(earlier, self._placeholder, html=False)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return earlier
            log.info("the earlier placeholder is gone (%s); posting a new one", exc.message)
            return await self._post(self._placeholder, html=False)

    async def _send_one(self, text: str, *, html: bool) -> Message:
        try:
            return await self._bot.send_message(
                self._target.chat_id,
                text,
                parse_mode=ParseMode.HTML if html else None,
                message_thread_id=self._target.thread_id,
                reply_parameters=self._reply_parameters(),
                link_preview_options=_NO_PREVIEW,
            )
        except BadRequest as exc:
            if not html or "can't parse entities" not in exc.message.lower():
                raise
            log.warning("Telegram rejected our formatting (%s); sending plain text", exc.message)
            return await self._send_one(html_to_plain(text), html=False)

    async def _edit(self, message: Message, text: str, *, html: bool) -> Message:
        edited = await self._bot.edit_message_text(
            text,
            chat_id=message.chat_id,
            message_id=message.message_id,
            parse_mode=ParseMode.HTML if html else None,
            link_preview_options=_NO_PREVIEW,
        )
        return edited if isinstance(edited, Message) else message

    def _reply_parameters(self) -> ReplyParameters | None:
        if self._target.reply_to is None:
            return None
        return ReplyParameters(self._target.reply_to, allow_sending_without_reply=True)

    async def _stop_pump(self) -> None:
        if self._pump is not None:
            await cancel_and_wait(self._pump)
            self._pump = None
            self._pacer.streaming -= 1


@contextlib.asynccontextmanager
async def typing(
    bot: Bot, target: Target, every_s: float = 4.5, until: asyncio.Event | None = None
) -> AsyncIterator[None]:
    """Show "typing..." in the chat until the block ends or `until` is set (~5 s per call)."""

    async def keep_typing() -> None:
        # Once the streamed text itself shows progress, more chat actions would only cost calls.
        while until is None or not until.is_set():
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(
                    target.chat_id, ChatAction.TYPING, message_thread_id=target.thread_id
                )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(every_s):  # wait_for would swallow a cancel
                    await (until or asyncio.Event()).wait()

    task = asyncio.create_task(keep_typing(), name="typing")
    try:
        yield
    finally:
        await cancel_and_wait(task)


async def reply_html(message: Message, reply: str) -> None:
    """Answer the message with HTML text, without a link preview."""
    await message.reply_text(reply, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW)


def _seconds(retry_after: object) -> float:
    total_seconds = getattr(retry_after, "total_seconds", None)
    return float(total_seconds()) if callable(total_seconds) else float(retry_after)  # type: ignore[arg-type]
