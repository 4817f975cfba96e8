"""Following public channels end to end, against the page server playing t.me: /follow,
/following, /unfollow, the poll loop told by an injected clock, and the private /digest."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import PAGES, ArticleServer
from tests.servers.bot_runner import BotFactory
from tests.test_bot_channels import ALICE, _ask

TME = PAGES / "tme"
GROUP = -1004440001


def _serve(server: ArticleServer, path: str, page: str) -> None:
    server.add_page(path, (TME / page).read_bytes(), "text/html; charset=utf-8")


def _tme(server: ArticleServer) -> dict[str, Any]:
    """The bot's settings pointing t.me at the page server, with its gone channel."""
    _serve(server, "s/technews", "technews.html")
    server.add_page("s/gonechan", b"", "text/html", 302, {"Location": "/gonechan"})
    _serve(server, "gonechan", "channel-page.html")
    return {"telegram_web_base_url": server.url("/")}


async def test_follow_following_and_unfollow(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(llm=False, **_tme(article_server)):
        assert "no channels yet" in (await _ask(telegram_server, "/following", "yet"))["text"]
        followed = await _ask(telegram_server, "/follow https://t.me/TechNews", "follow")
        assert followed["text"].startswith("You follow @technews.")
        assert "already" in (await _ask(telegram_server, "/follow @technews", "@technews"))["text"]
        assert (
            "public preview" in (await _ask(telegram_server, "/follow @gonechan", "t.me"))["text"]
        )
        bad = await _ask(telegram_server, "/follow not-a-channel!", "name")
        assert "not a public channel's name" in bad["text"]
        assert "/follow @channel" in (await _ask(telegram_server, "/follow", "Send"))["text"]
        listed = await _ask(telegram_server, "/following", "Channels you follow")
        assert listed["text"].splitlines()[1:] == ["• @technews"]
        gone = await _ask(telegram_server, "/unfollow @technews", "no longer")
        assert gone["text"] == "You no longer follow @technews."
        again = await _ask(telegram_server, "/unfollow @technews", "do not follow")
        assert "@technews" in again["text"]
        assert "yet" in (await _ask(telegram_server, "/following", "yet"))["text"]
    assert [seen.path for seen in article_server.requests].count("/s/technews") == 2


async def test_follow_in_a_group_says_where_it_works(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(llm=False, **_tme(article_server)):
        before = len(telegram_server.messages(GROUP))
        telegram_server.send_message(GROUP, "/follow @technews", user=ALICE, chat_type="supergroup")

        def note() -> dict[str, Any] | None:
            new = telegram_server.messages(GROUP)[before:]
            return next((m for m in new if "private chat" in m.get("text", "")), None)

        assert "/follow @channel" in (await telegram_server.wait_for(note, timeout=10))["text"]
    assert article_server.requests == []
