"""Hostile inputs: every extraction job has a deadline, every worker a memory ceiling, a PDF a
page cap; a worker past a limit is killed and replaced, the user gets a typed error, and the
next job runs. The hostile inputs are built here, small ceilings keep the tests quick."""

from __future__ import annotations

import asyncio
import os
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import (
    ExtractionTimeoutError,
    SummarybotError,
    TooComplexError,
    TooManyPagesError,
)
from bot.core.extract.html import extract_html, extract_pdf
from bot.core.extract.pdf import MAX_PDF_PAGES
from bot.core.extract.workers import ExtractionPool, JobLimits
from bot.core.reading.sources import article_from_document
from bot.playground.emulator.server import TelegramServer
from bot.texts import describe_error
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.test_extract import STORY
from tests.test_workers import touch_and_sleep, until

# 9.5 MB of tiny elements, inside the fetch size limit: minutes of CPU and gigabytes unbounded.
TINY_ELEMENTS = "<html><body>" + "<p>a</p>" * (9_500_000 // 8) + "</body></html>"
STORY_HTML = f"<html><body><p>{' '.join(STORY)}</p></body></html>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def build_pdf(content: bytes, pages: int = 1) -> bytes:
    """A PDF of `pages` pages that all show one Flate-compressed content stream."""
    stream = zlib.compress(content, 9)
    first_page = 5
    kids = " ".join(f"{first_page + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        FONT,
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
    page += b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects += [page] * pages
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def shown_words(word: str, count: int) -> bytes:
    """A content stream that shows `word` `count` times, one line each."""
    return b"BT /F1 10 Tf 12 TL 50 760 Td " + b"(%s) Tj T* " % word.encode() * count + b"ET"


def wait_for_file(path: str) -> str:
    """A job that holds its worker until `path` exists (run in a worker, so module-level)."""
    while not os.path.exists(path):
        time.sleep(0.01)
    return Path(path).read_text()


@pytest.fixture
async def bounded() -> AsyncIterator[ExtractionPool]:
    """One worker; a job may run 5 s (the tiny-element page needs minutes)."""
    extraction = ExtractionPool(workers=1, limits=JobLimits(timeout_s=5, max_memory_mb=4096))
    await extraction.start()
    yield extraction
    await extraction.aclose()


async def test_a_job_past_its_deadline_is_killed_and_the_next_job_runs(
    bounded: ExtractionPool,
) -> None:
    [pid] = bounded.pids()
    with pytest.raises(ExtractionTimeoutError) as caught:
        await bounded.run(extract_html, TINY_ELEMENTS)
    assert caught.value.details == {"timeout_s": "5"}
    assert describe_error(caught.value).startswith("That page took me too long to read")
    assert pid not in bounded.pids()
    article = await bounded.run(extract_html, STORY_HTML)
    assert article.text.startswith("The city council voted 7-2")
    assert len(bounded.pids()) == 1


async def test_a_worker_past_its_memory_ceiling_is_killed_and_only_its_job_fails(
    tmp_path: Path,
) -> None:
    extraction = ExtractionPool(workers=2, limits=JobLimits(timeout_s=600, max_memory_mb=256))
    await extraction.start()
    release = tmp_path / "release"
    try:
        innocent = asyncio.ensure_future(extraction.run(wait_for_file, str(release)))
        await asyncio.sleep(0)  # the innocent job takes its worker first
        pids = set(extraction.pids())
        with pytest.raises(TooComplexError) as caught:
            await extraction.run(extract_html, TINY_ELEMENTS)
        assert describe_error(caught.value).startswith("That page is too complex for me")
        release.write_text("still here")
        assert await innocent == "still here"  # the other worker was left alone
        assert len(pids & set(extraction.pids())) == 1
        article = await extraction.run(extract_html, STORY_HTML)
        assert article.text.startswith("The city council voted 7-2")
    finally:
        release.touch()
        await extraction.aclose()


async def test_a_cancelled_job_frees_its_worker(tmp_path: Path) -> None:
    extraction = ExtractionPool(workers=1, limits=JobLimits(timeout_s=600))
    await extraction.start()
    try:
        [pid] = extraction.pids()
        started = tmp_path / "started"
        job = asyncio.ensure_future(extraction.run(touch_and_sleep, str(started), 600))
        await until(started.exists)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        assert pid not in extraction.pids()
        assert (await extraction.run(extract_html, STORY_HTML)).text.startswith("The city")
    finally:
        await extraction.aclose()


async def test_typed_job_errors_keep_their_worker(bounded: ExtractionPool) -> None:
    [pid] = bounded.pids()
    with pytest.raises(SummarybotError):
        await bounded.run(article_from_document, b"%PDF-1.4 not really a PDF", "broken.pdf")
    assert bounded.pids() == [pid]


def test_pages_sharing_one_content_stream_are_read_once() -> None:
    # pypdf parses a content stream once per page showing it: 8 pages, 8 parses of one stream.
    article = extract_pdf(build_pdf(shown_words("Lorem", 3000), pages=8))
    assert article.text.count("Lorem") == 3000


def test_a_pdf_decompression_bomb_is_too_complex() -> None:
    bomb = build_pdf(shown_words("Lorem", 1) + b" " * 80_000_000)  # 78 KB -> 80 MB
    assert len(bomb) < 100_000
    with pytest.raises(TooComplexError):
        extract_pdf(bomb)


def test_pdfs_past_the_page_cap_are_refused_clearly() -> None:
    content = shown_words("Lorem ipsum dolor sit amet consectetur", 30)
    assert extract_pdf(build_pdf(content, pages=MAX_PDF_PAGES)).text
    with pytest.raises(TooManyPagesError) as caught:
        extract_pdf(build_pdf(content, pages=MAX_PDF_PAGES + 1))
    assert caught.value.details == {"pages": MAX_PDF_PAGES + 1, "limit": MAX_PDF_PAGES}
    assert describe_error(caught.value, "ru").startswith(f"В этом PDF {MAX_PDF_PAGES + 1} стр.")


def test_limit_settings_reach_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().service_config().extract_limits == JobLimits(30, 1024)
    monkeypatch.setenv("EXTRACT_TIMEOUT_S", "12.5")
    monkeypatch.setenv("EXTRACT_MAX_MEMORY_MB", "512")
    assert load_settings().service_config().extract_limits == JobLimits(12.5, 512)


async def test_the_bot_tells_the_user_and_reads_the_next_link(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    hostile = article_server.add_page("/tiny", TINY_ELEMENTS.encode(), "text/html")
    async with make_bot(extract_workers=1, extract_max_memory_mb=256, extract_timeout_s=600):
        telegram_server.send_message(3003, hostile)
        await wait_for_text(telegram_server, "too complex for me to read", 3003, timeout=60)
        telegram_server.send_message(3003, article_server.url("/article"))
        await wait_for_text(telegram_server, ARTICLE_TITLE, 3003, timeout=60)
