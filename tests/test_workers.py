"""Extraction in worker processes: same articles, same typed errors, a pool that survives."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.core.errors import (
    ExtractionError,
    NotAnArticleError,
    SummarybotError,
    UnreadableDocumentError,
)
from bot.core.extract.html import extract_html, extract_page
from bot.core.extract.workers import (
    MAX_DEFAULT_WORKERS,
    WORKER_NICENESS,
    ExtractionPool,
    default_workers,
)
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher
from bot.core.reading.sources import article_from_document, article_from_url
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts
from tests.servers.openai_server import FakeOpenAI
from tests.test_extract import STORY
from tests.test_extract_gate import NAV_ONLY
from tests.test_extract_pdf import make_pdf, wrapped_lines


@pytest.fixture
async def pool() -> AsyncIterator[ExtractionPool]:
    """A started pool of one worker process."""
    extraction = ExtractionPool(workers=1)
    await extraction.start()
    yield extraction
    await extraction.aclose()


async def until(condition: Callable[[], bool]) -> None:
    """Wait until `condition()` holds, however long a busy machine takes."""
    while True:
        if condition():
            return
        await asyncio.sleep(0.01)


async def wait_until_gone(extraction: ExtractionPool, pid: int) -> None:
    """Wait until the pool has seen worker `pid` die."""
    await until(lambda: pid not in extraction.pids())


def touch_and_sleep(path: str, seconds: float) -> None:
    """A job that says it has started (by creating `path`), then holds its worker."""
    Path(path).touch()
    time.sleep(seconds)


async def test_pool_starts_its_workers_up_front(pool: ExtractionPool) -> None:
    pids = pool.pids()
    assert len(pids) == 1
    assert os.getpid() not in pids


async def test_workers_run_below_the_event_loops_priority(pool: ExtractionPool) -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    for pid in pool.pids():
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + WORKER_NICENESS)


async def test_page_through_the_pool_is_the_same_article(
    pool: ExtractionPool, article_server: ArticleServer
) -> None:
    async with SafeFetcher(FetchPolicy(allow_private_networks=True)) as fetcher:
        page = await fetcher.fetch(article_server.url("/article"))
        article = await article_from_url(article_server.url("/article"), fetcher, pool)
    assert article == extract_page(page)
    assert article.title == ARTICLE_TITLE
    assert ARTICLE_LAST_PHRASE in article.text


async def test_pdf_through_the_pool_is_the_same_article(pool: ExtractionPool) -> None:
    pdf = make_pdf(wrapped_lines(STORY), title="Bike lanes for the north")
    article = await pool.run(article_from_document, pdf, "story.pdf", "application/pdf")
    assert article == article_from_document(pdf, "story.pdf", "application/pdf")
    assert article.title == "Bike lanes for the north"


def in_process_error(function: Callable[..., Any], *args: object) -> SummarybotError:
    """The typed error `function(*args)` raises here, in this process."""
    with pytest.raises(SummarybotError) as caught:
        function(*args)
    return caught.value


@pytest.mark.parametrize(
    ("function", "args", "kind"),
    [
        (extract_html, (NAV_ONLY,), NotAnArticleError),
        (
            article_from_document,
            (b"%PDF-1.4 not really a PDF", "broken.pdf"),
            UnreadableDocumentError,
        ),
    ],
)
async def test_typed_errors_cross_the_process_boundary(
    pool: ExtractionPool,
    function: Callable[..., Any],
    args: tuple[object, ...],
    kind: type[Exception],
) -> None:
    expected = in_process_error(function, *args)
    with pytest.raises(kind) as caught:
        await pool.run(function, *args)
    error = caught.value
    assert isinstance(error, SummarybotError)
    assert type(error) is type(expected)
    assert (error.code, str(error), error.details) == (
        expected.code,
        str(expected),
        expected.details,
    )
    if kind is UnreadableDocumentError:
        assert error.details == {"kind": "PDF"}


async def test_a_worker_killed_while_idle_costs_no_request(pool: ExtractionPool) -> None:
    [pid] = pool.pids()
    os.kill(pid, signal.SIGKILL)
    await wait_until_gone(pool, pid)
    article = await pool.run(extract_html, f"<html><body><p>{' '.join(STORY)}</p></body></html>")
    assert article.text.startswith("The city council voted 7-2")
    assert pool.pids()
    assert pid not in pool.pids()


async def test_a_worker_killed_mid_request_fails_that_request_only(
    pool: ExtractionPool, tmp_path: Path
) -> None:
    [pid] = pool.pids()
    started = tmp_path / "started"
    request = asyncio.ensure_future(pool.run(touch_and_sleep, str(started), 60))
    await until(started.exists)  # the worker has taken the job
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(ExtractionError, match="stopped unexpectedly"):
        await request
    article = await pool.run(extract_html, f"<html><body><p>{' '.join(STORY)}</p></body></html>")
    assert article.text.startswith("The city council voted 7-2")


async def test_a_closed_pool_refuses_work() -> None:
    extraction = ExtractionPool(workers=1)
    await extraction.start()
    await extraction.aclose()
    await extraction.aclose()  # twice is fine
    with pytest.raises(ExtractionError):
        await extraction.run(time.sleep, 0)


async def test_zero_workers_extract_in_a_thread_of_this_process() -> None:
    extraction = ExtractionPool(workers=0)
    await extraction.start()
    html = f"<html><body><p>{' '.join(STORY)}</p></body></html>"
    assert await extraction.run(extract_html, html) == extract_html(html)
    assert await extraction.run(os.getpid) == os.getpid()
    assert extraction.pids() == []
    with pytest.raises(NotAnArticleError):
        await extraction.run(extract_html, NAV_ONLY)
    await extraction.aclose()


def test_extract_workers_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().extract_workers is None
    assert ExtractionPool(None).workers >= 1
    monkeypatch.setenv("EXTRACT_WORKERS", "0")
    assert load_settings().extract_workers == 0
    monkeypatch.setenv("EXTRACT_WORKERS", "")
    assert load_settings().extract_workers is None


async def test_bot_summarizes_a_link_with_a_worker_process(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: "**Eels are back.**\n\n- Eleven thousand counted"
    async with make_bot(extract_workers=1):
        telegram_server.send_message(2002, article_server.url("/article"))
        await telegram_server.wait_for(
            lambda: any("Eels are back." in t for t in bot_texts(telegram_server, 2002))
        )
    summary = next(t for t in bot_texts(telegram_server, 2002) if "Eels are back." in t)
    assert summary.startswith(ARTICLE_TITLE)


def test_default_worker_count_is_bounded() -> None:
    # A container on a big host must not start one extraction process per host CPU.
    assert 1 <= default_workers() <= MAX_DEFAULT_WORKERS


async def test_a_ctrl_c_for_the_process_group_leaves_the_workers_to_their_owner(
    pool: ExtractionPool,
) -> None:
    # A terminal's Ctrl+C reaches every process of the group: the workers must not die of it
    # (each printed a KeyboardInterrupt traceback); the bot stops them itself.
    [pid] = pool.pids()
    os.kill(pid, signal.SIGINT)
    assert await pool.run(os.getpid) == pid
