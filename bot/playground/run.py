"""`summarybot playground`: the real bot, the Bot API emulator and the chat page in one process."""

from __future__ import annotations

import os
import secrets
import sys
import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from aiohttp import web

from bot.config import Settings, load_settings
from bot.core.errors import ConfigError
from bot.playground.emulator.api import build_app
from bot.playground.emulator.server import BOT_ID, Observer, TelegramServer
from bot.playground.previews import add_preview_routes
from bot.playground.web import Playground, add_routes, friendly_errors
from bot.telegram.app import new_event_loop, run_bot
from bot.texts import text

DATABASE = Path("playground.db")  # beside, never inside, a real bot's summarybot.db
PLAYGROUND_BOT = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Summarybot",
    "username": "summarybot_playground_bot",
}


def playground_token() -> str:
    """A fresh token per run, shaped like Telegram's, so the bot's redaction treats it as one."""
    return f"{BOT_ID}:{secrets.token_urlsafe(27)}"


def playground_settings(settings: Settings, root: str, token: str) -> Settings:
    """The user's settings, pointed at the emulator, its own database, long polling and its own
    t.me (the demo channel's preview, see previews.py)."""
    return load_settings(
        **settings.model_dump()
        | {
            "telegram_bot_token": token,
            "telegram_api_base_url": root,
            "database_url": f"sqlite:///{DATABASE}",
            "webhook_url": None,
            "webhook_secret": None,
            "telegram_web_base_url": root,
            # A channel just followed is read within a second, not at the next minute.
            "follow_poll_tick_s": 1.0,
        }
    )


def llm_label(settings: Settings) -> str:
    """What answers on the page: the configured model, or the labelled no-key mode."""
    if settings.llm_configured:
        return text("playground.llm", model=settings.llm_model)
    return text("playground.no_llm")


def reset_database() -> None:
    """Forget every playground conversation (the SQLite file and its side files)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        DATABASE.with_name(DATABASE.name + suffix).unlink(missing_ok=True)


async def _serve(playground: Playground, port: int) -> str:
    """Serve the Bot API and the page on 127.0.0.1; returns the root URL."""
    app = build_app(playground.emulator)
    app.middlewares.append(friendly_errors)
    add_routes(app, playground)
    add_preview_routes(app, datetime.now(UTC))
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(
            f"Cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another port with --port."
        ) from exc
    return f"http://127.0.0.1:{runner.addresses[0][1]}"


def run_playground(
    settings: Settings, out: TextIO, *, port: int, open_browser: bool, reset: bool
) -> None:
    """Run until Ctrl+C; raises ConfigError (worded for the user) when it cannot start."""
    if reset:
        reset_database()
    token = playground_token()
    emulator = TelegramServer(token=token, bot=dict(PLAYGROUND_BOT))
    playground = Playground(emulator, llm_label(settings))
    loop = new_event_loop()
    try:
        emulator.root = loop.run_until_complete(_serve(playground, port))
    except ConfigError:
        loop.close()
        raise

    def announce() -> None:
        url = f"{emulator.root}/"
        print(f"summarybot playground: {url}  ({playground.llm_label}; Ctrl+C stops it)", file=out)
        out.flush()
        if open_browser:
            _open_browser(url, out)

    emulator.observers.append(_on_polling_start(announce))
    # The same entry as `summarybot run`: the bot cannot tell the emulator from Telegram.
    run_bot(playground_settings(settings, emulator.root, token), loop)


def _open_browser(url: str, out: TextIO) -> None:
    """Open the page in a graphical browser, never a console one that would take the terminal."""
    graphical = sys.platform != "linux" or any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY")
    )
    if not graphical or not webbrowser.open(url):
        print("No graphical browser here: open the address above yourself.", file=out)


def _on_polling_start(announce: Callable[[], None]) -> Observer:
    """Announce once polling starts (deleteWebhook): start-up is done, every message is answered."""
    announced = False

    def observe(method: str, *_: Any) -> None:
        nonlocal announced
        if method.lower() == "deletewebhook" and not announced:
            announced = True
            announce()

    return observe
