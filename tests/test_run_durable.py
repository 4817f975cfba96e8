"""`summarybot run` stopped or killed with work in flight: after a restart, each request once."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import bot_texts
from tests.servers.openai_server import FakeOpenAI
from tests.test_run import _bot_process, _exit_code_after_sigterm

CHAT = 1001
USERS = 20


def _summaries(telegram: TelegramServer, chat_id: int) -> int:
    return sum("Summary:" in t for t in bot_texts(telegram, chat_id))


def _all_answered(database: Path) -> bool:
    """Every stored request is done: a reply seen in the chat may still be a preview."""
    with closing(sqlite3.connect(database)) as connection:
        (waiting,) = connection.execute(
            "SELECT count(*) FROM requests WHERE state <> 'done'"
        ).fetchone()
    return int(waiting) == 0


def _environment(llm: FakeOpenAI) -> dict[str, str]:
    # A short lease: a killed process's work is taken over a second after it died.
    return {
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-x",
        "REQUEST_LEASE_S": "1",
        "LLM_MAX_CONCURRENCY": str(USERS),  # every user's call in flight at once
    }


async def test_sigterm_leaves_queued_work_for_the_restart(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    openai_server.delay_s = 3.0
    environment = _environment(openai_server)
    async with _bot_process(telegram_server, tmp_path, **environment) as process:
        await telegram_server.wait_for_call("getUpdates", timeout=30)
        telegram_server.send_message(CHAT, article_server.url("/article?n=1"))
        await telegram_server.wait_for(lambda: openai_server.requests, timeout=15)
        telegram_server.send_message(CHAT, article_server.url("/article?n=2"))
        await telegram_server.wait_for(
            lambda: any("still working" in t for t in bot_texts(telegram_server, CHAT)), timeout=15
        )
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    # The queued message did not start after SIGTERM (the old processor ran it).
    assert [seen.path for seen in article_server.requests] == ["/article?n=1"]
    openai_server.delay_s = 0.1
    async with _bot_process(telegram_server, tmp_path, **environment) as process:
        await telegram_server.wait_for(lambda: _summaries(telegram_server, CHAT) == 2, timeout=30)
        await telegram_server.wait_for(lambda: _all_answered(tmp_path / "bot.db"), timeout=30)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    assert _summaries(telegram_server, CHAT) == 2
    fetched = [seen.path for seen in article_server.requests]
    assert fetched == ["/article?n=1", "/article?n=1", "/article?n=2"]  # redone, in order


async def test_a_killed_bot_answers_every_request_exactly_once_after_a_restart(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    openai_server.delay_s = 30.0  # every summary is in flight when the process is killed
    users = [{"id": 3000 + n, "is_bot": False, "first_name": f"U{n}"} for n in range(USERS)]
    environment = _environment(openai_server)
    async with _bot_process(telegram_server, tmp_path, **environment) as process:
        await telegram_server.wait_for_call("getUpdates", timeout=30)
        for user in users:
            url = article_server.url(f"/article?user={user['id']}")
            telegram_server.send_message(user["id"], url, user=user)
        await telegram_server.wait_for(lambda: len(openai_server.requests) >= USERS, timeout=30)
        process.kill()
    openai_server.delay_s = 0.1
    async with _bot_process(telegram_server, tmp_path, **environment) as process:
        await telegram_server.wait_for(
            lambda: all(_summaries(telegram_server, u["id"]) for u in users), timeout=60
        )
        await telegram_server.wait_for(lambda: _all_answered(tmp_path / "bot.db"), timeout=60)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    assert [_summaries(telegram_server, u["id"]) for u in users] == [1] * USERS


async def test_a_request_redone_after_a_kill_edits_its_placeholder(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    group = -100777
    openai_server.delay_s = 30.0
    environment = _environment(openai_server)
    async with _bot_process(telegram_server, tmp_path, **environment) as process:
        await telegram_server.wait_for_call("getUpdates", timeout=30)
        text = f"@summary_test_bot {article_server.url('/article')}"
        telegram_server.send_message(group, text, chat_type="supergroup")
        await telegram_server.wait_for(lambda: openai_server.requests, timeout=15)
        placeholder = telegram_server.messages(group)[0]["message_id"]  # posted at the start
        process.kill()
    openai_server.delay_s = 0.1
    async with _bot_process(telegram_server, tmp_path, **environment) as process:
        await telegram_server.wait_for(lambda: _summaries(telegram_server, group), timeout=30)
        await telegram_server.wait_for(lambda: _all_answered(tmp_path / "bot.db"), timeout=30)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    replies = telegram_server.messages(group)
    assert [m["message_id"] for m in replies] == [placeholder]  # edited, not posted again
    assert "Summary:" in replies[0]["text"]
