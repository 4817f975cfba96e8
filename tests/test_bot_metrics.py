"""Watching the bot run: /metrics and /healthz over HTTP, and one log line per request."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.core.errors import ConfigError
from bot.core.usage.prices import known_price
from bot.log import configure_logging
from bot.playground.emulator.server import TelegramServer
from bot.telegram.app import SummaryBot, build_bot
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import bot_settings, wait_for_text
from tests.servers.openai_server import FakeOpenAI

CHAT = 1001
SUMMARY = "**Eels are back.**\n\n- Eleven thousand counted\n- Weir removed"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def watched_settings(
    telegram: TelegramServer, llm: FakeOpenAI, tmp_path: Path, **overrides: Any
) -> Settings:
    """The test bot's settings with the metrics server on a free port."""
    database = tmp_path / "bot.db"
    return bot_settings(telegram, llm, database, metrics_port=free_port(), **overrides)


@pytest.fixture
def settings(
    telegram_server: TelegramServer, openai_server: FakeOpenAI, tmp_path: Path
) -> Settings:
    """The test bot's settings with the metrics server on a free port."""
    return watched_settings(telegram_server, openai_server, tmp_path)


@asynccontextmanager
async def watched_bot(settings: Settings) -> AsyncIterator[SummaryBot]:
    """The bot as `summarybot run` starts it (post_init starts the metrics server)."""
    bot = build_bot(settings, paste_window_s=0.3, stream_interval_s=0.05)
    async with bot.polling(timeout_s=0.2):
        yield bot
        await bot.work.drain()


async def get(settings: Settings, path: str) -> tuple[int, str]:
    """GET a path of the metrics server."""
    url = f"http://127.0.0.1:{settings.metrics_port}{path}"
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


async def scrape(settings: Settings) -> Samples:
    """Every sample of /metrics by name and labels."""
    status, body = await get(settings, "/metrics")
    assert status == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def summarize_once(
    telegram: TelegramServer, article_server: ArticleServer, bot: SummaryBot
) -> None:
    """Send a link and wait until its summary is out and the request is counted."""
    telegram.send_message(CHAT, f"look {article_server.url('/article')}")
    await wait_for_text(telegram, "Eels are back.", CHAT)
    await bot.work.drain()  # the request is counted as it ends


@pytest.fixture(autouse=True)
def _model_writes_a_summary(openai_server: FakeOpenAI) -> None:
    openai_server.responder = lambda body: SUMMARY


@pytest.fixture
def log_lines(settings: Settings) -> Iterator[io.StringIO]:
    """The bot's log (DEBUG) as `summarybot run` writes it with LOG_FORMAT=json."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("DEBUG", settings.secrets(), log_format="json", stream=buffer)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def test_a_summary_moves_the_counters_and_histograms(
    settings: Settings,
    telegram_server: TelegramServer,
    article_server: ArticleServer,
) -> None:
    async with watched_bot(settings) as bot:
        before = await scrape(settings)
        await summarize_once(telegram_server, article_server, bot)
        after = await scrape(settings)
    assert value(after, "summarybot_requests_total", kind="summary", outcome="ok") == 1
    assert value(before, "summarybot_requests_total", kind="summary", outcome="ok") == 0
    for stage in ("fetch", "extract", "llm", "send"):
        count = value(after, "summarybot_stage_duration_seconds_count", stage=stage)
        assert count - value(before, "summarybot_stage_duration_seconds_count", stage=stage) >= 1
        assert value(after, "summarybot_stage_duration_seconds_sum", stage=stage) > 0
    assert value(after, "summarybot_request_duration_seconds_count", kind="summary") == 1
    assert value(after, "summarybot_llm_tokens_total", type="prompt") > 100
    assert value(after, "summarybot_llm_tokens_total", type="completion") > 0
    assert value(after, "summarybot_queue_requests", state="pending") == 0
    assert ("summarybot_queue_requests", frozenset({("state", "running")})) in after
    assert all(name.startswith("summarybot_") for name, _ in after)


async def test_llm_and_telegram_errors_are_counted_by_kind(
    settings: Settings,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.fail_next(503)  # retried once (llm_max_retries=1), then it answers
    telegram_server.fail_next("sendMessage")  # a 429: PTB's rate limiter waits and retries
    async with watched_bot(settings) as bot:
        await summarize_once(telegram_server, article_server, bot)
        samples = await scrape(settings)
    assert value(samples, "summarybot_llm_errors_total", kind="llm.unavailable") == 1
    assert value(samples, "summarybot_telegram_errors_total", kind="rate_limited") == 1


async def test_no_secret_in_any_metric_or_log_line(
    settings: Settings,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    log_lines: io.StringIO,
) -> None:
    openai_server.fail_next(401)  # the key is refused: error lines that could quote it
    async with watched_bot(settings) as bot:
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
        await bot.work.drain()
        _, metrics = await get(settings, "/metrics")
    lines = log_lines.getvalue().splitlines()
    assert len(lines) > 10
    for secret in (telegram_server.token, "sk-test", telegram_server.token.split(":")[1]):
        assert secret not in metrics
        assert all(secret not in line for line in lines), secret
    assert all(json.loads(line)["level"] for line in lines)  # every line is one JSON object


async def test_one_log_line_per_request_with_its_stages_and_tokens(
    settings: Settings,
    telegram_server: TelegramServer,
    article_server: ArticleServer,
    log_lines: io.StringIO,
) -> None:
    async with watched_bot(settings) as bot:
        telegram_server.send_message(CHAT, "/start")
        await telegram_server.wait_for(lambda: telegram_server.messages(CHAT))
        await summarize_once(telegram_server, article_server, bot)
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    served = [entry for entry in entries if entry["logger"] == "bot.requests"]
    assert [(e["kind"], e["outcome"], e["chat"]) for e in served] == [
        ("command", "ok", CHAT),
        ("summary", "ok", CHAT),
    ]
    summary: dict[str, Any] = served[1]
    assert set(summary["stages"]) == {"fetch", "extract", "llm", "send"}
    assert summary["stages"]["llm"]["calls"] == 1
    assert summary["tokens"]["prompt"] > 100
    assert summary["seconds"] >= summary["stages"]["llm"]["seconds"]
    assert summary["request_id"] != served[0]["request_id"]
    assert summary["message"].startswith(f"request id={summary['request_id']} chat={CHAT}")
    assert " llm=" in summary["message"]


async def test_healthz_is_ready_only_while_the_store_and_the_bot_api_answer(
    settings: Settings, telegram_server: TelegramServer
) -> None:
    async with watched_bot(settings) as bot:
        assert await get(settings, "/healthz") == (200, "ok\n")
        telegram_server.fail_next("getMe", error_code=502, description="Bad Gateway")
        status, reason = await get(settings, "/healthz")
        assert (status, reason.strip()) == (503, "telegram: NetworkError")
        assert await get(settings, "/healthz") == (200, "ok\n")  # it answers again
        await bot.work.dispatcher.store.close()
        status, reason = await get(settings, "/healthz")
        assert (status, reason.strip()) == (503, "store: StoreError")
        assert (await get(settings, "/metrics"))[0] == 200  # still scraped, with old depths


async def test_no_metrics_server_without_metrics_port(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    settings = bot_settings(telegram_server, None, tmp_path / "bot.db")
    async with watched_bot(settings) as bot:
        assert bot.ops is None


async def test_the_metrics_server_stops_with_the_bot(settings: Settings) -> None:
    async with watched_bot(settings):
        assert (await get(settings, "/healthz"))[0] == 200
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(settings, "/healthz")


async def test_a_metrics_port_in_use_names_the_setting(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = bot_settings(telegram_server, None, tmp_path / "bot.db", metrics_port=port)
        with pytest.raises(ConfigError, match=f"METRICS_PORT: cannot listen on 127.0.0.1:{port}"):
            async with watched_bot(settings):
                pass


async def test_the_cost_of_the_tokens_is_counted_at_the_model_price(
    settings: Settings, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with watched_bot(settings) as bot:
        await summarize_once(telegram_server, article_server, bot)
        samples = await scrape(settings)
    price = known_price(settings.llm_model)
    assert price is not None
    prompt = value(samples, "summarybot_llm_tokens_total", type="prompt")
    completion = value(samples, "summarybot_llm_tokens_total", type="completion")
    cost = value(samples, "summarybot_llm_cost_usd_total")
    assert cost > 0
    assert abs(cost - price.usd(int(prompt), int(completion))) < 1e-12


async def test_the_summary_cache_counts_a_miss_then_a_hit(
    settings: Settings, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with watched_bot(settings) as bot:
        await summarize_once(telegram_server, article_server, bot)
        first = await scrape(settings)
        telegram_server.send_message(CHAT + 1, f"again {article_server.url('/article')}")
        await telegram_server.wait_for(lambda: len(telegram_server.messages(CHAT + 1)) >= 1)
        await bot.work.drain()
        second = await scrape(settings)
    assert value(first, "summarybot_summary_cache_misses_total") == 1
    assert value(first, "summarybot_summary_cache_hits_total") == 0
    assert value(second, "summarybot_summary_cache_misses_total") == 1
    assert value(second, "summarybot_summary_cache_hits_total") == 1


async def scrape_until(settings: Settings, name: str, expected: float) -> Samples:
    """Scrape until the sample `name` (no labels) reads `expected`; fail after a deadline."""
    deadline = time.monotonic() + 10.0
    while value(samples := await scrape(settings), name) != expected:
        assert time.monotonic() < deadline, f"{name} = {value(samples, name)}, not {expected}"
        await asyncio.sleep(0.02)
    return samples


async def test_the_llm_slots_are_scraped_as_they_stand(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    settings = watched_settings(telegram_server, openai_server, tmp_path, llm_max_concurrency=2)
    chats = (CHAT, CHAT + 1, CHAT + 2)
    openai_server.hold()  # the model answers nothing yet: two calls in flight, one waiting
    async with watched_bot(settings) as bot:
        idle = await scrape(settings)
        for chat in chats:  # another address each, or the cache would make one call of them
            telegram_server.send_message(chat, article_server.url(f"/article?n={chat}"))
        busy = await scrape_until(settings, "summarybot_llm_slots_waiting", 1)
        openai_server.release()
        for chat in chats:
            await wait_for_text(telegram_server, "Eels are back.", chat)
        await bot.work.drain()
        done = await scrape(settings)
    slots = ("limit", "in_use", "waiting")
    assert [value(idle, f"summarybot_llm_slots_{name}") for name in slots] == [2, 0, 0]
    assert [value(busy, f"summarybot_llm_slots_{name}") for name in slots] == [2, 2, 1]
    assert [value(done, f"summarybot_llm_slots_{name}") for name in slots] == [2, 0, 0]
    assert len(openai_server.requests) == len(chats)
