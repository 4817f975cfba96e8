"""The webhook server of `summarybot run`: an update is acknowledged only once it is stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiohttp

from bot.playground.emulator.server import TelegramServer
from bot.playground.emulator.webhook import FAILED, deliver_webhooks
from tests.servers.bot_runner import bot_texts
from tests.test_run import _bot_process, _exit_code_after_sigterm, _free_port

CHAT = 1001
SECRET = "s3cret-value"


def _webhook_env(port: int) -> dict[str, str]:
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


def _refuse_requests(database: Path, refuse: bool) -> None:
    """Make the database itself refuse (or accept again) new requests: a real store failure."""
    with sqlite3.connect(database) as connection:
        if refuse:
            connection.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON requests"
                " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
            )
        else:
            connection.execute("DROP TRIGGER refuse")


async def test_an_update_the_store_refused_is_redelivered_and_answered_once(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    async with (
        deliver_webhooks(telegram_server, [hook]) as delivery,
        _bot_process(telegram_server, tmp_path, **_webhook_env(port)) as process,
    ):
        await telegram_server.wait_for(lambda: telegram_server.webhook, timeout=30)
        assert telegram_server.webhook is not None
        assert telegram_server.webhook["secret_token"] == SECRET
        _refuse_requests(tmp_path / "bot.db", refuse=True)
        telegram_server.send_message(CHAT, "/help")
        await telegram_server.wait_for(lambda: len(delivery.deliveries) >= 2, timeout=30)
        assert not telegram_server.messages(CHAT)  # not stored: not acknowledged, not answered
        _refuse_requests(tmp_path / "bot.db", refuse=False)
        await telegram_server.wait_for(lambda: telegram_server.messages(CHAT), timeout=30)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    statuses = [d.status for d in delivery.deliveries]
    assert statuses[-1] == 200
    assert set(statuses[:-1]) <= {500, FAILED}  # FAILED: before the server listened
    assert 500 in statuses
    assert len(bot_texts(telegram_server, CHAT)) == 1
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert SECRET not in log


async def test_a_body_that_is_no_update_gets_400_without_a_traceback(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with _bot_process(telegram_server, tmp_path, **_webhook_env(port)) as process:
        await telegram_server.wait_for(lambda: telegram_server.webhook, timeout=30)
        async with aiohttp.ClientSession() as client:
            for body in (b"{not json", b"[1, 2]", b'{"update_id": "x"}'):
                async with client.post(hook, data=body, headers=headers) as response:
                    assert response.status == 400
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
