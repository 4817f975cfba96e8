"""The model shared between chats, end to end: a one-link chat is not kept waiting behind another
chat's long article, whose many map calls were queued for the model's slots first."""

from __future__ import annotations

import re
from pathlib import Path

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import wait_for_text
from tests.servers.openai_server import FakeOpenAI, prompt_of
from tests.test_bot_metrics import scrape, scrape_until, value, watched_bot, watched_settings

LONG_CHAT, SMALL_CHAT = 1001, 2002
SLOTS = 2
WAITING = "summarybot_llm_slots_waiting"
MAP_PROMPT = "The text below is part "  # prompts/summarize_chunk.txt


def _long_article(article_server: ArticleServer) -> str:
    """A plain-text article of a few thousand tokens: several parts at 1,000 tokens a call."""
    paragraphs = [
        f"On day {day} the harbour committee discussed item {day} of the ferry plan, "
        f"and {day * 7} residents wrote in about the timetable, the fares and the pier."
        for day in range(1, 181)
    ]
    text = "The ferry plan, day by day.\n\n" + "\n\n".join(paragraphs)
    return article_server.add_page("/ferry-plan", text.encode(), "text/plain; charset=utf-8")


async def test_a_one_link_summary_gets_a_slot_before_a_long_articles_remaining_map_calls(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    # The metrics server's slot gauges tell when a call waits for a slot.
    settings = watched_settings(
        telegram_server,
        openai_server,
        tmp_path,
        llm_max_concurrency=SLOTS,
        summary_max_call_tokens=1000,
    )
    openai_server.hold()  # the model answers nothing until both chats' calls are in line
    async with watched_bot(settings) as bot:
        telegram_server.send_message(LONG_CHAT, _long_article(article_server))
        await telegram_server.wait_for(lambda: len(openai_server.requests) == SLOTS)
        first = prompt_of(openai_server.requests[0])
        parts = int(re.findall(MAP_PROMPT + r"\d+ of (\d+)", first)[0])
        await scrape_until(settings, WAITING, parts - SLOTS)  # every other map call queued
        telegram_server.send_message(SMALL_CHAT, article_server.url("/article"))
        await scrape_until(settings, WAITING, parts - SLOTS + 1)  # the one link queued last
        openai_server.release()
        await wait_for_text(telegram_server, "Summary:", SMALL_CHAT)
        await wait_for_text(telegram_server, "Summary:", LONG_CHAT)
        await bot.work.drain()
        assert value(await scrape(settings), WAITING) == 0
    prompts = [prompt_of(body) for body in openai_server.requests]
    small = [i for i, prompt in enumerate(prompts) if ARTICLE_TITLE in prompt]
    maps = [i for i, prompt in enumerate(prompts) if prompt.startswith(MAP_PROMPT)]
    assert parts > SLOTS + 1  # map calls were left in line behind the small chat's
    assert len(maps) == parts
    assert len(small) == 1
    # The first slot freed went to the chat holding none, not to the long article's next part.
    assert small[0] == SLOTS
    assert [i for i in maps if i > small[0]] == maps[SLOTS:]
    assert len(prompts) == parts + 2  # the long article's notes were combined at the end
