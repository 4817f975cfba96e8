"""The heavy requests of `bench/concurrency.py --heavy`: a huge article and a 200-link digest."""

from __future__ import annotations

from typing import Any

from bench._pages import page_html
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.openai_server import FakeOpenAI

HEAVY_CHAT = 99_999
DIGEST_GROUP = -100_999_999
DIGEST_LINKS = 200
HUGE_KB = 1_200  # about 300,000 tokens of article text
HEAVY_LEAD_S = 3.0  # the digest's 200 pages are read before its model calls start


def user(chat_id: int) -> dict[str, Any]:
    """A private-chat user whose id is the chat id."""
    return {"id": chat_id, "is_bot": False, "first_name": f"U{chat_id}", "language_code": "en"}


def heavy_pages(telegram: TelegramServer, web: ArticleServer, first: int) -> None:
    """The huge article, and a group whose members share DIGEST_LINKS links (sent now)."""
    web.add_page("/huge", page_html(first, HUGE_KB), "text/html; charset=utf-8")
    telegram.privacy_mode = False
    telegram.group(DIGEST_GROUP, members=[user(HEAVY_CHAT)])
    for index in range(DIGEST_LINKS):
        page = web.add_page(
            f"/digest/{index}", page_html(first + 1 + index, 5), "text/html; charset=utf-8"
        )
        telegram.send_message(
            DIGEST_GROUP, f"look {page}", user=user(HEAVY_CHAT), chat_type="supergroup"
        )


def print_heavy(telegram: TelegramServer, llm: FakeOpenAI) -> None:
    """What the heavy requests got while the burst was served (they need not have finished)."""
    sent = telegram.calls_of("sendMessage")
    replies = {
        chat: sum(1 for p in sent if p.get("chat_id") == chat)
        for chat in (HEAVY_CHAT, DIGEST_GROUP)
    }
    print(
        f"heavy requests: {len(llm.requests)} model calls in all; messages to the huge "
        f"article's user {replies[HEAVY_CHAT]}, to the digest's group {replies[DIGEST_GROUP]}"
    )
