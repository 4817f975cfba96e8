"""`summarybot run` as a real process: long polling, the webhook server, and SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import aiohttp
import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.openai_server import FakeOpenAI

CHAT = 1001


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _spawn(environment: dict[str, str], cwd: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start `python -m bot run`; starting a process does not block for long."""
    command = [sys.executable, "-m", "bot", "run"]
    return subprocess.Popen(command, env=environment, cwd=cwd, stdout=log, stderr=log)


@asynccontextmanager
async def _bot_process(
    telegram: TelegramServer, tmp_path: Path, *, log_name: str = "bot.log", **env: str
) -> AsyncIterator[subprocess.Popen[bytes]]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE_URL": telegram.root,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "FETCH_ALLOW_PRIVATE_NETWORKS": "true",
        "LOG_LEVEL": "DEBUG",
        "PTB_TIMEDELTA": "true",
    } | env
    log = (tmp_path / log_name).open("wb")
    process = _spawn(environment, tmp_path, log)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        await asyncio.to_thread(process.wait)
        log.close()


async def _exit_code_after_sigterm(process: subprocess.Popen[bytes], within_s: float) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(asyncio.to_thread(process.wait), within_s)


async def test_polling_bot_answers_and_stops_on_sigterm(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    async with _bot_process(telegram_server, tmp_path) as process:
        await telegram_server.wait_for_call("getUpdates", timeout=30)
        telegram_server.send_message(CHAT, "/start")
        await telegram_server.wait_for(lambda: telegram_server.messages(CHAT), timeout=15)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "I read articles for you" in telegram_server.messages(CHAT)[0]["text"]
    assert telegram_server.token not in log


async def test_sigterm_while_polling_starts_still_stops_the_bot(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    # deleteWebhook comes after post_init (signals handled) and before the Application runs.
    telegram_server.slow_method("deleteWebhook", 1.0)
    async with _bot_process(telegram_server, tmp_path) as process:
        await telegram_server.wait_for_call("deleteWebhook", timeout=30)
        assert await _exit_code_after_sigterm(process, within_s=30) == 0


async def test_sigterm_abandons_slow_work_cleanly(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    openai_server.delay_s = 60
    async with _bot_process(
        telegram_server, tmp_path, OPENAI_BASE_URL=openai_server.base_url, OPENAI_API_KEY="sk-x"
    ) as process:
        await telegram_server.wait_for_call("getUpdates", timeout=30)
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests, timeout=15)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert any("restarting" in m["text"] for m in telegram_server.messages(CHAT))


async def test_webhook_server_takes_updates_with_the_secret_only(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    async with _bot_process(
        telegram_server,
        tmp_path,
        WEBHOOK_URL=hook,
        WEBHOOK_SECRET="s3cret-value",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    ) as process:
        await telegram_server.wait_for(lambda: telegram_server.webhook, timeout=30)
        assert telegram_server.webhook is not None
        assert telegram_server.webhook["url"] == hook
        telegram_server.chat(CHAT)
        message = telegram_server.new_message(
            CHAT,
            {"id": CHAT, "is_bot": False, "first_name": "Alice"},
            text="/help",
            entities=[{"type": "bot_command", "offset": 0, "length": 5}],
        )
        update = {"update_id": 1, "message": message}
        async with aiohttp.ClientSession() as client:
            assert await _post_when_up(client, hook, update, secret="wrong") == 403
            assert await _post_when_up(client, hook, update, secret="s3cret-value") == 200
        await telegram_server.wait_for(lambda: telegram_server.calls_of("sendMessage"), timeout=15)
        assert len(telegram_server.calls_of("sendMessage")) == 1
        assert await _exit_code_after_sigterm(process, within_s=15) == 0


async def _post_when_up(
    client: aiohttp.ClientSession, url: str, update: dict[str, Any], secret: str
) -> int:
    """POST an update and return the status, retrying while the webhook server starts."""
    for _ in range(100):
        try:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with client.post(url, json=update, headers=headers) as response:
                return response.status
        except aiohttp.ClientConnectorError:
            await asyncio.sleep(0.1)
    raise AssertionError("the webhook server never started")


async def _failed_start(telegram_server: TelegramServer, tmp_path: Path, **env: str) -> str:
    """The log of a bot that cannot start; checks it ends in one line of ours and status 2."""
    async with _bot_process(telegram_server, tmp_path, **env) as process:
        status = await asyncio.wait_for(asyncio.to_thread(process.wait), 60)
    assert status == 2
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert log.strip().splitlines()[-1].startswith("summarybot: ")
    assert "Traceback" not in log
    assert " ERROR " not in log  # the last line says it all: no library's account before it
    return log


async def test_rejected_token_exits_with_one_clear_line(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    log = await _failed_start(telegram_server, tmp_path, TELEGRAM_BOT_TOKEN="999:WRONG-token")
    assert "@BotFather" in log.strip().splitlines()[-1]
    assert "WRONG-token" not in log  # PTB puts the token in its error; the log redacts it


async def test_unreachable_bot_api_exits_with_one_clear_line(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    unreachable = f"http://127.0.0.1:{_free_port()}"
    log = await _failed_start(telegram_server, tmp_path, TELEGRAM_API_BASE_URL=unreachable)
    assert "TELEGRAM_API_BASE_URL" in log.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent/dir/bot.db",
        f"postgresql://test:pass-word@127.0.0.1:{_free_port()}/test",  # nothing listens there
    ],
)
async def test_an_unusable_database_exits_with_one_line_naming_the_variable(
    telegram_server: TelegramServer, tmp_path: Path, database_url: str
) -> None:
    log = await _failed_start(telegram_server, tmp_path, DATABASE_URL=database_url)
    assert "DATABASE_URL" in log.strip().splitlines()[-1]
    assert "pass-word" not in log


def _process_state(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent id, None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, parent = stat.rpartition(")")[2].split()[:2]  # the name may hold spaces
    return state, int(parent)


def _descendants(root: int) -> set[int]:
    """Every live process below `root`."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (state := _process_state(int(entry.name))) is not None:
            parents[int(entry.name)] = state[1]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie has exited; its reaping is not its doing)."""
    return {pid for pid in pids if (state := _process_state(pid)) is not None and state[0] != "Z"}


async def test_extraction_processes_exit_when_the_bot_is_killed(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    async with _bot_process(telegram_server, tmp_path, EXTRACT_WORKERS="2") as process:
        await telegram_server.wait_for_call("getUpdates", timeout=30)
        extraction = _descendants(process.pid)
        assert len(extraction) >= 3  # the forkserver and two workers
        process.kill()  # SIGKILL: the bot cannot clean up after itself
        await asyncio.to_thread(process.wait)
    for _ in range(300):  # they notice within about a second
        if not _running(extraction):
            break
        await asyncio.sleep(0.1)
    assert _running(extraction) == set()
