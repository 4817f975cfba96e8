"""Webhook delivery for the emulator: queued updates are POSTed to the bot, as Telegram does.

Telegram pushes each update to the webhook until it answers 200, retrying a failed POST; the
URLs given here play a load balancer's backends, taken round robin for every POST, so a
retried update usually lands on another replica. One chat's updates go one at a time, in
order (each waits for the previous one's 200); chats go side by side.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from bot.playground.emulator.server import TelegramServer

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POST_TIMEOUT_S = 60.0  # Telegram waits about a minute for the webhook's answer
FAILED = 0  # the status recorded when no answer came at all (refused, reset, timed out)


@dataclass(frozen=True)
class Delivery:
    """One POST of an update: where it went and the HTTP status it got (FAILED: none)."""

    update_id: int
    url: str
    status: int


class WebhookDelivery:
    """Takes updates off the emulator's queue and pushes them to the webhook URLs."""

    def __init__(self, server: TelegramServer, urls: Sequence[str], retry_s: float) -> None:
        self.deliveries: list[Delivery] = []
        self._server = server
        self._urls = list(urls)
        self._retry_s = retry_s
        self._turn = itertools.count()
        self._chats: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._client: aiohttp.ClientSession | None = None

    def acknowledged(self, update_id: int) -> bool:
        """True once some POST of the update got its 200."""
        return any(d.update_id == update_id and d.status == 200 for d in self.deliveries)

    async def run(self) -> None:
        """Deliver until cancelled: each update, once the bot set its webhook."""
        timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as self._client:
            try:
                await self._take_updates()
            finally:
                for task in self._tasks:
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _take_updates(self) -> None:
        offset = 0
        while True:
            if self._server.webhook is None:  # Telegram pushes only once setWebhook was called
                await asyncio.sleep(0.05)
                continue
            for update in await self._server.next_updates(offset, 100, 1.0):
                offset = update["update_id"] + 1  # taken: the next call drops it from the queue
                self._chat_queue(_chat_key(update)).put_nowait(update)

    def _chat_queue(self, key: str) -> asyncio.Queue[dict[str, Any]]:
        queue = self._chats.get(key)
        if queue is None:
            queue = self._chats[key] = asyncio.Queue()
            self._tasks.append(asyncio.create_task(self._deliver_chat(queue)))
        return queue

    async def _deliver_chat(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            update = await queue.get()
            for _attempt in itertools.count():  # until it got its 200, like Telegram
                if await self._post(update):
                    break
                await asyncio.sleep(self._retry_s)

    async def _post(self, update: dict[str, Any]) -> bool:
        """One POST to the next URL in turn; True when the bot answered 200."""
        assert self._client is not None
        url = self._urls[next(self._turn) % len(self._urls)]
        secret = (self._server.webhook or {}).get("secret_token")
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with self._client.post(url, json=update, headers=headers) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = FAILED
        self.deliveries.append(Delivery(update["update_id"], url, status))
        return status == 200


def _chat_key(update: dict[str, Any]) -> str:
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("chat"), dict):
            return str(value["chat"]["id"])
    return f"update:{update['update_id']}"


@asynccontextmanager
async def deliver_webhooks(
    server: TelegramServer, urls: Sequence[str], *, retry_s: float = 0.2
) -> AsyncIterator[WebhookDelivery]:
    """Push the emulator's updates to `urls` (round robin) until the block ends."""
    delivery = WebhookDelivery(server, urls, retry_s)
    task = asyncio.create_task(delivery.run(), name="webhook-delivery")
    try:
        yield delivery
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
