"""The composition root: build the python-telegram-bot Application and run it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.core.digest.scheduler import SchedulerConfig
from bot.core.errors import ConfigError
from bot.core.llm.client import OpenAIChatLLM
from bot.core.store import clock
from bot.core.store.types import Store
from bot.core.usage.budgets import Clock
from bot.ops.metrics import Metrics
from bot.ops.report import report_request
from bot.ops.server import OpsServer
from bot.telegram.access import AccessGate
from bot.telegram.channels import ChannelHandlers, add_channel_handlers
from bot.telegram.digest import DigestHandlers, add_digest_handlers
from bot.telegram.follow import FollowHandlers, add_follow_handlers
from bot.telegram.follow_poll import FollowPolling
from bot.telegram.forget import ForgetHandlers, add_forget_handlers
from bot.telegram.groups import GroupHandlers, add_group_handlers
from bot.telegram.handlers import Handlers
from bot.telegram.inline import InlineHandlers, add_inline_handlers
from bot.telegram.intake import Intake
from bot.telegram.limits import SharedRateLimiter
from bot.telegram.pastes import PasteCollector
from bot.telegram.quota import CONFIRM_PREFIX
from bot.telegram.request import AiohttpRequest
from bot.telegram.schedules import ScheduledDigests, ScheduleHandlers, add_schedule_handlers
from bot.telegram.startup import explained_startup_failures
from bot.telegram.stream import PreviewPacer
from bot.telegram.tasks import cancel_and_wait
from bot.telegram.usage_commands import UsageCommands
from bot.telegram.webhook import serving_webhook
from bot.telegram.work import WorkQueue
from bot.texts import CATALOG, DEFAULT_LANGUAGE, text

log = logging.getLogger(__name__)

COMMANDS = (
    "start",
    "help",
    "summarize",
    "ask",
    "digest",
    "digest_schedule",
    "settings",
    "usage",
    "reset",
    "forget",
    "cancel",
    "channels",
    "follow",
    "following",
    "unfollow",
)
MAX_CONCURRENT_UPDATES = 512  # conversations served at once; each waits mostly on the network
POLL_TIMEOUT_S = 10.0  # how long one getUpdates call waits for news
# Connections to the Bot API: 32 carry ~300 calls/s at a 100 ms round trip, ten times
# Telegram's message limit. Bursts wait for a free connection rather than fail.
BOT_API_CONNECTIONS = 32
BOT_API_POOL_TIMEOUT_S = 30.0
NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (send /newbot), "
    "then put TELEGRAM_BOT_TOKEN=<the token it gives you> in .env (see .env.example)."
)


@dataclass
class SummaryBot:
    """The Application, the intake that stores its updates and the queue that runs them."""

    application: Application  # type: ignore[type-arg]
    intake: Intake
    work: WorkQueue
    metrics: Metrics
    ops: OpsServer | None = None  # /healthz and /metrics, with METRICS_PORT
    digests: ScheduledDigests | None = None  # the scheduled digests' loop
    follow_polling: FollowPolling | None = None  # the followed channels' poll loop
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)

    @contextlib.asynccontextmanager
    async def polling(self, timeout_s: float = POLL_TIMEOUT_S) -> AsyncIterator[Application]:  # type: ignore[type-arg]
        """Run with our own long polling, which acknowledges only stored updates, then stop."""
        async with self._running() as application:
            # A webhook left behind would make getUpdates fail: polling replaces it.
            await application.bot.delete_webhook()
            poller = asyncio.create_task(self.intake.poll(timeout_s), name="long-polling")
            try:
                yield application
            finally:
                await cancel_and_wait(poller)

    @contextlib.asynccontextmanager
    async def webhook(self, settings: Settings) -> AsyncIterator[Application]:  # type: ignore[type-arg]
        """Run our webhook server, which answers 200 only for stored updates, then stop."""
        async with (
            self._running() as application,
            serving_webhook(self.intake, application.bot, settings),
        ):
            yield application

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[Application]:  # type: ignore[type-arg]
        """The Application started (hooks included) until the block ends; then work in flight
        is given back to the store, to be redone after the restart (here or by a replica)."""
        application = self.application
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)  # signal handlers from here on
            await application.start()
            try:
                yield application
            finally:
                if self.digests is not None:
                    await self.digests.stop()
                if self.follow_polling is not None:
                    await self.follow_polling.stop()
                await self.work.stop()
                await application.stop()
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)

    def request_stop(self) -> None:
        """On SIGINT/SIGTERM: stop the work at once (users are told) and stop serving."""
        log.info("stopping: giving work in flight back to the store")
        self.work.halt()
        self.stop_requested.set()


def build_bot(
    settings: Settings,
    *,
    paste_window_s: float = 1.5,
    stream_interval_s: float = 1.0,
    handle_signals: bool = False,
    now: Clock = clock.now,
) -> SummaryBot:
    """The bot: handlers, durable per-conversation ordered work, rate limits, clients opened
    at start; `now` tells the time to budgets, rate limits and notices."""
    if settings.telegram_bot_token is None:
        raise ConfigError(NO_TOKEN)
    pastes = PasteCollector(paste_window_s)
    handlers = Handlers(settings, pastes, PreviewPacer(stream_interval_s), now)
    base = settings.telegram_api_base_url
    metrics = Metrics(settings.price())
    # For the bot as a whole: each process takes its share (the work queue counts them).
    limiter = SharedRateLimiter(settings.telegram_max_messages_per_second)
    bot: SummaryBot | None = None

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        await handlers.open()
        assert bot is not None
        if isinstance(handlers.service.llm, OpenAIChatLLM):
            bot.metrics.watch_slots(handlers.service.llm.slots)
        bot.work.start(_store(handlers))
        await _register_commands(application)
        if settings.metrics_port is not None:
            bot.ops = _ops_server(bot, _store(handlers))
            await bot.ops.start(settings.metrics_listen, settings.metrics_port)
        if handle_signals:
            _stop_on_signals(bot)
        if bot.digests is not None:  # posts by itself: only once a SIGTERM stops it cleanly
            bot.digests.start()
        if bot.follow_polling is not None:
            bot.follow_polling.start()
        _freeze_startup_objects()

    async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
        assert bot is not None
        await bot.work.stop()

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        assert bot is not None
        if bot.ops is not None:
            await bot.ops.stop()
        await handlers.close()

    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .request(
            AiohttpRequest(
                BOT_API_CONNECTIONS,
                pool_timeout=BOT_API_POOL_TIMEOUT_S,
                on_error=metrics.telegram_error,
            )
        )
        # Long polling holds its one connection; the Bot adds the poll time to its read timeout.
        .get_updates_request(AiohttpRequest(1, on_error=metrics.telegram_error))
        .rate_limiter(limiter)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .updater(None)  # our own polling and webhook acknowledge only stored updates
    )
    application = builder.build()
    gate = AccessGate(settings.access_policy(), lambda: handlers.service, now)
    work = WorkQueue(
        application,
        settings.work_config(MAX_CONCURRENT_UPDATES),
        timedelta(seconds=settings.request_max_age_s),
        gate.only_admitted(handlers.late_note),
        functools.partial(report_request, metrics=metrics),
        limiter.share,
    )
    intake = Intake(application, work, pastes, gate.only_admitted(handlers.still_working))
    handlers.work = work
    scheduling = SchedulerConfig(settings.digest_schedule_tick_s, settings.request_lease_s)
    digests = ScheduledDigests(handlers, application.bot, scheduling)
    polling = FollowPolling(handlers, application.bot, settings.follow_poll_tick_s)
    bot = SummaryBot(application, intake, work, metrics, digests=digests, follow_polling=polling)
    _add_handlers(application, handlers, gate)
    return bot


def _ops_server(bot: SummaryBot, store: Store) -> OpsServer:
    """Ready when the store and the Bot API answer; the queue's depth counted at each scrape."""
    checks = {"store": store.open_requests, "telegram": bot.application.bot.get_me}
    return OpsServer(bot.metrics, store.open_requests, checks)


def _store(handlers: Handlers) -> Store:
    store = handlers.service.store
    if store is None:
        raise ConfigError("the bot needs DATABASE_URL to keep its requests")
    return store


def _add_handlers(application: Application, handlers: Handlers, gate: AccessGate) -> None:  # type: ignore[type-arg]
    # Before every handler, collecting (group -1) included.
    application.add_handler(TypeHandler(Update, gate.check), group=-2)
    stale = filters.UpdateType.EDITED_MESSAGE & filters.COMMAND  # PTB runs edited commands
    application.add_handler(MessageHandler(stale, handlers.stale_command), group=-1)
    usage = UsageCommands(handlers, gate.policy)
    application.add_handler(CommandHandler("usage", usage.usage))
    application.add_handler(CommandHandler("stats", usage.stats))
    application.add_handler(CommandHandler("limit", usage.limit))
    # A confirmation button first: in groups too, where the group's buttons take the rest.
    pattern = f"^{CONFIRM_PREFIX}:"
    application.add_handler(CallbackQueryHandler(handlers.confirm_button, pattern=pattern))
    groups = GroupHandlers(handlers)
    add_forget_handlers(application, ForgetHandlers(groups))
    add_group_handlers(application, groups)
    add_schedule_handlers(application, ScheduleHandlers(handlers, groups.by_admin))
    add_digest_handlers(application, DigestHandlers(handlers))
    add_inline_handlers(application, InlineHandlers(handlers))
    add_channel_handlers(application, ChannelHandlers(handlers))
    add_follow_handlers(application, FollowHandlers(handlers))
    application.add_handler(CommandHandler("start", handlers.start))
    application.add_handler(CommandHandler("help", handlers.help))
    application.add_handler(CommandHandler("summarize", handlers.summarize_command))
    application.add_handler(CommandHandler("ask", handlers.ask_command))
    application.add_handler(CommandHandler("settings", handlers.settings_command))
    application.add_handler(CommandHandler("reset", handlers.reset))
    application.add_handler(CommandHandler("cancel", handlers.cancel))
    # Every other button press, even stale or foreign data, reaches it and gets answered.
    application.add_handler(CallbackQueryHandler(handlers.settings_button))
    # New messages (and edits, below); channel posts are not requests to the bot.
    new = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(new & filters.Document.ALL, handlers.document))
    readable = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    application.add_handler(MessageHandler(new & readable, handlers.message))
    # A user fixing the link they just sent; edits of older messages are dropped in there.
    edit = filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(edit, handlers.edited))
    # In groups an unknown command may be another bot's: there it is left alone.
    unknown = new & filters.ChatType.PRIVATE & filters.COMMAND
    application.add_handler(MessageHandler(unknown, handlers.unknown_command))
    other = new & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(other, handlers.unreadable))
    application.add_error_handler(handlers.on_error)


async def _register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menu and the descriptions a new user sees before pressing Start, in every
    language of the catalog (English is the default)."""
    bot = application.bot
    for language in CATALOG:
        commands = [BotCommand(name, text(f"command.{name}", language)) for name in COMMANDS]
        code = None if language == DEFAULT_LANGUAGE else language
        await bot.set_my_commands(commands, language_code=code)
        await bot.set_my_description(text("bot.description", language), language_code=code)
        await bot.set_my_short_description(
            text("bot.short_description", language), language_code=code
        )


def _freeze_startup_objects() -> None:
    """Exempt what start-up built (modules, clients: ~140k objects) from garbage collection.

    They live as long as the bot, yet every full collection walked them all: a ~100 ms stall
    of the event loop, under load every few seconds (bench/concurrency.py saw the lag).
    """
    gc.collect()
    gc.freeze()


def _stop_on_signals(bot: SummaryBot) -> None:
    """On SIGINT/SIGTERM, stop the work in flight (it is redone after the restart) and stop.

    PTB's own signal handling would wait for every running update, i.e. for slow LLM calls.
    """
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, bot.request_stop)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (about half the CPU per network call), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # not built for every platform; the bot works without it
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run_bot(settings: Settings, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when WEBHOOK_URL is set.

    Raises ConfigError, worded for the person starting the bot, when Telegram rejects the
    token or cannot be reached at start-up, or the database cannot be opened.
    """
    # PTB runs on the current event loop; make it ours before PTB asks for one.
    loop = loop or new_event_loop()
    asyncio.set_event_loop(loop)
    bot = build_bot(settings, handle_signals=True)
    try:
        with explained_startup_failures(settings):
            _serve(bot, settings, loop)
    finally:
        # When start-up fails PTB skips its shutdown: close the Bot API sessions ourselves.
        loop.run_until_complete(bot.application.bot.shutdown())
        loop.close()


def _serve(bot: SummaryBot, settings: Settings, loop: asyncio.AbstractEventLoop) -> None:
    if settings.webhook_url is None:
        log.info("starting long polling")
        loop.run_until_complete(_until_stopped(bot, bot.polling()))
    else:
        log.info("starting the webhook server")
        loop.run_until_complete(_until_stopped(bot, bot.webhook(settings)))


async def _until_stopped(
    bot: SummaryBot,
    serving: contextlib.AbstractAsyncContextManager[Application],  # type: ignore[type-arg]
) -> None:
    async with serving:
        await bot.stop_requested.wait()
