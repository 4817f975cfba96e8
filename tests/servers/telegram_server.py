"""The Bot API emulator (bot.playground.emulator) as a pytest fixture, and PTB polling against it."""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram.ext import Application

from bot.playground.emulator.server import TelegramServer, serve_telegram


@pytest.fixture
async def telegram_server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TelegramServer]:
    """A running Bot API emulator on 127.0.0.1 with a fresh state."""
    # PTB 22 warns (an error in this suite) whenever an int time period such as
    # RetryAfter.retry_after is read; opting in to timedelta values is its documented way out.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with serve_telegram() as server:
        yield server


@asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run a PTB Application against the emulator as `run_polling` would, hooks included."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=0.2))
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
