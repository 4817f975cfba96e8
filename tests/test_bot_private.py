"""The bot in a private chat, end to end: emulated Telegram, fake LLM, real local web pages."""

from __future__ import annotations

from typing import Any

from tests.servers.article_server import (
    ARTICLE_BOILERPLATE,
    ARTICLE_LAST_PHRASE,
    ARTICLE_TITLE,
    ArticleServer,
)
from tests.servers.bot_runner import BotFactory
from tests.servers.openai_server import FakeOpenAI
from tests.servers.telegram_server import TelegramServer

CHAT = 1001


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in body["messages"])


def _final_texts(telegram: TelegramServer, chat_id: int = CHAT) -> list[str]:
    return [m.get("text", "") for m in telegram.messages(chat_id)]


async def test_link_gets_a_summary_with_title_site_and_link(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: "**Eels are back.**\n\n- Eleven thousand counted\n- Weir removed"
    async with make_bot():
        telegram_server.send_message(CHAT, f"look {article_server.url('/article')}")
        await telegram_server.wait_for(
            lambda: any("Eels are back." in t for t in _final_texts(telegram_server))
        )
    summary = next(m for m in telegram_server.messages(CHAT) if "Eels are back." in m["text"])
    assert summary["text"].startswith(ARTICLE_TITLE)
    links = [e["url"] for e in summary.get("entities", []) if e["type"] == "text_link"]
    assert links == [article_server.url("/article")]
    prompt = _prompt(openai_server.requests[0])
    assert ARTICLE_LAST_PHRASE in prompt
    assert all(junk not in prompt for junk in ARTICLE_BOILERPLATE)
