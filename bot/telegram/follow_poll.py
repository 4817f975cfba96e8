"""The followed channels' poll loop, started and stopped with the bot: every tick it reads the
channels that are due and tells their followers, once, of a channel that stopped working."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.core.errors import ChannelMissingError, NoPreviewError, SummarybotError
from bot.core.follow.poller import PollOutcome
from bot.core.ticks import tick_forever
from bot.telegram.handlers import Handlers
from bot.telegram.render import escape
from bot.telegram.settings_menu import chat_ui_language
from bot.telegram.tasks import cancel_and_wait
from bot.texts import text

log = logging.getLogger(__name__)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class FollowPolling:
    """Polls followed channels every `tick_s`; the poller's own clock says which are due."""

    def __init__(self, handlers: Handlers, bot: Bot, tick_s: float) -> None:
        self.handlers, self.bot, self.tick_s = handlers, bot, tick_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking."""
        ticking = tick_forever(self.tick, self.tick_s, "poll followed channels")
        self._task = asyncio.create_task(ticking, name="follow-polling")

    async def stop(self) -> None:
        """Stop ticking; a channel claimed but unread is read at its next slot."""
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)

    async def tick(self) -> None:
        """Poll the channels due now and tell whom each outcome says to tell."""
        for outcome in await self.handlers.service.poller.poll_due():
            for chat_id in outcome.tell:
                await self._tell(chat_id, outcome)

    async def _tell(self, chat_id: int, outcome: PollOutcome) -> None:
        ui = await chat_ui_language(self.handlers.service, chat_id)  # a follower's private chat
        note = text(_note(outcome.error), ui, name=escape(outcome.channel))
        try:
            await self.bot.send_message(
                chat_id, note, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
            )
        except TelegramError as exc:  # a follower who blocked the bot: the others are told
            log.warning("could not tell %s about %s: %s", chat_id, outcome.channel, exc)


def _note(error: SummarybotError | None) -> str:
    """What followers are told: the channel is gone, shows no preview, or keeps failing."""
    if isinstance(error, ChannelMissingError):
        return "follow.vanished"
    return "follow.gone" if isinstance(error, NoPreviewError) else "follow.failing"
