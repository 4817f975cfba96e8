"""The webhook server: an update is acknowledged (200) only once the store has kept it.

PTB's own webhook server answers Telegram before its update processor runs, so an update
whose storing failed would be lost; here a store failure answers 500 and Telegram sends the
update again (to this replica or another one behind the load balancer).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.error import BadRequest

from bot.config import Settings
from bot.core.errors import ConfigError, StoreError
from bot.telegram.intake import Intake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # an update is a few kilobytes; anything bigger is not Telegram


class WebhookReceiver:
    """The aiohttp handler: checks the secret, parses the update, stores it, then answers."""

    def __init__(self, intake: Intake, bot: Bot, secret: str | None) -> None:
        self._intake = intake
        self._bot = bot
        self._secret = secret.encode() if secret else None

    async def receive(self, request: web.Request) -> web.Response:
        """200 once stored; 403 without the secret, 400 for a body that is no update, 500 when
        the store failed (Telegram retries)."""
        if not self._authorized(request):
            return web.Response(status=403)
        update = self._parse(await request.read())
        if update is None:
            return web.Response(status=400)
        try:
            await self._intake.accept([update])
        except StoreError as exc:
            log.warning("update %s not stored (%s): Telegram will retry", update.update_id, exc)
            return web.Response(status=500)
        return web.Response(status=200)

    def _authorized(self, request: web.Request) -> bool:
        if self._secret is None:
            return True
        given = request.headers.get(SECRET_HEADER, "").encode()
        return hmac.compare_digest(given, self._secret)  # constant time: no guessing by timing

    def _parse(self, body: bytes) -> Update | None:
        try:
            data: Any = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            return Update.de_json(data, self._bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.info("the webhook got a body that is no update (%s)", exc)
            return None


def webhook_path(url: str) -> str:
    """The path part of the public webhook URL, which the local server listens on."""
    after_host = url.split("://", 1)[-1]
    return "/" + (after_host.split("/", 1)[1] if "/" in after_host else "")


@asynccontextmanager
async def serving_webhook(intake: Intake, bot: Bot, settings: Settings) -> AsyncIterator[None]:
    """Listen on WEBHOOK_LISTEN:WEBHOOK_PORT, then tell Telegram; stop listening at the end."""
    assert settings.webhook_url is not None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_post(
        webhook_path(settings.webhook_url), WebhookReceiver(intake, bot, secret).receive
    )
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await _listen(runner, settings)
        await _set_webhook(bot, settings.webhook_url, secret)
        yield
    finally:
        await runner.cleanup()


async def _listen(runner: web.AppRunner, settings: Settings) -> None:
    host, port = settings.webhook_listen, settings.webhook_port
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Choose another "
            "WEBHOOK_PORT or WEBHOOK_LISTEN in .env."
        ) from exc
    log.info("the webhook server listens on %s:%s", host, port)


async def _set_webhook(bot: Bot, url: str, secret: str | None) -> None:
    try:
        # Updates Telegram kept while no replica ran are still wanted: they are requests.
        await bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
        )
    except BadRequest as exc:
        raise ConfigError(f"Telegram refused WEBHOOK_URL ({exc.message}). Fix it in .env.") from exc
