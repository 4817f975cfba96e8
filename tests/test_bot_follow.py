"""Following public channels end to end, against the page server playing t.me: /follow,
/following, /unfollow, the poll loop told by an injected clock, and the private /digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.follow.poller import next_slot
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import ALICE_EN as ALICE
from tests.servers.chats import BOB_EN as BOB
from tests.servers.chats import PUBLIC, ask, links, local_technews, tme
from tests.servers.openai_server import FakeOpenAI

GROUP = -1004440001
T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
# Later than any next poll, counted from the tick that polled (the back-off is capped at a day).
DUE_AGAIN = timedelta(hours=25)


async def test_follow_following_and_unfollow(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(llm=False, **tme(article_server)):
        assert "no channels yet" in (await ask(telegram_server, "/following", "yet"))["text"]
        followed = await ask(telegram_server, "/follow https://t.me/TechNews", "follow")
        assert followed["text"].startswith("You follow @technews.")
        assert "already" in (await ask(telegram_server, "/follow @technews", "@technews"))["text"]
        no_preview = await ask(telegram_server, "/follow @gonechan", "t.me")
        assert no_preview["text"].startswith("@gonechan is on Telegram but shows no public posts")
        missing = await ask(telegram_server, "/follow t.me/NoSuchChan", "t.me")
        assert missing["text"].startswith("There is no @nosuchchan on Telegram")
        bad = await ask(telegram_server, "/follow not-a-channel!", "name")
        assert "not a public channel's name" in bad["text"]
        assert "/follow @channel" in (await ask(telegram_server, "/follow", "Send"))["text"]
        listed = await ask(telegram_server, "/following", "Channels you follow")
        assert listed["text"].splitlines()[1:] == ["• @technews"]
        gone = await ask(telegram_server, "/unfollow @technews", "no longer")
        assert gone["text"] == "You no longer follow @technews."
        again = await ask(telegram_server, "/unfollow @technews", "do not follow")
        assert "@technews" in again["text"]
        assert "yet" in (await ask(telegram_server, "/following", "yet"))["text"]
    assert [seen.path for seen in article_server.requests].count("/s/technews") == 2


async def test_follow_in_a_group_says_where_it_works(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(llm=False, **tme(article_server)):
        before = len(telegram_server.messages(GROUP))
        telegram_server.send_message(GROUP, "/follow @technews", user=ALICE, chat_type="supergroup")

        def note() -> dict[str, Any] | None:
            new = telegram_server.messages(GROUP)[before:]
            return next((m for m in new if "private chat" in m.get("text", "")), None)

        assert "/follow @channel" in (await telegram_server.wait_for(note, timeout=10))["text"]
    assert article_server.requests == []


class Clock:
    """The bot's clock, moved by the test: it says when channels are due."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


async def test_a_poll_collects_posts_and_the_private_digest_groups_them_by_channel(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    settings = tme(article_server)
    article, longread = local_technews(article_server)
    telegram_server.channel(PUBLIC, username="EelNews", title="Eel news", creator=ALICE)
    clock = Clock()
    async with make_bot(now=clock, follow_poll_tick_s=0.05, **settings):
        await ask(telegram_server, "/follow @technews", "You follow")
        post = telegram_server.send_channel_post(PUBLIC, f"Eels: {article}")
        await ask(telegram_server, "/connect @eelnews", "is connected")
        digest = await ask(telegram_server, "/digest 7d", "Digest of")
        clock.at = T0 + DUE_AGAIN  # the same page, nothing new, read once more
        await telegram_server.wait_for(lambda: _reads(article_server) == 2, timeout=10)
        single = await ask(telegram_server, "/digest @technews 7d", "Digest of")
        # The next one starts where this one ended: nothing was posted since.
        again = await ask(telegram_server, "/digest @technews", "nothing to digest")
    text, urls = digest["text"], links(digest)
    assert text.index("Digest of @technews") < text.index("Digest of @EelNews")
    assert {article, longread} <= set(urls)
    for post_id in (101, 102):  # 103, a photo with a line, is too short to be an item
        assert f"https://t.me/technews/{post_id}" in urls
    assert f"https://t.me/EelNews/{post['message_id']}" in urls
    assert ARTICLE_TITLE in text
    assert "Your channels posted nothing" in again["text"]
    assert "Digest of @EelNews" not in single["text"]
    assert "https://t.me/technews/101" in links(single)


@pytest.mark.parametrize(
    ("ui", "done", "title"),
    [(None, "Done", "Digest of @technews"), ("ru", "Готово", "Дайджест @technews")],
    ids=["telegram-language", "chosen-ru"],
)
async def test_a_private_schedule_digests_the_followed_channels(
    ui: str | None,
    done: str,
    title: str,
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    """In the interface language chosen in /settings, when one was (Alice's Telegram speaks
    English)."""
    settings = tme(article_server)
    article, longread = local_technews(article_server)
    clock = Clock()  # 08:00; the schedule's first digest covers the day before 09:00
    fast = {"follow_poll_tick_s": 0.05, "digest_schedule_tick_s": 0.05}
    async with make_bot(now=clock, **fast, **settings):
        await ask(telegram_server, "/follow @technews", "You follow")
        if ui is not None:
            menu = await ask(telegram_server, "/settings", "Settings")
            telegram_server.press_button(ALICE["id"], menu["message_id"], f"settings:ui:{ui}")
            await telegram_server.wait_for_call("editMessageReplyMarkup")
        await ask(telegram_server, "/digest_schedule daily 09:00 UTC", done)
        clock.at = T0 + timedelta(hours=1)
        digest = await wait_for_text(telegram_server, title, ALICE["id"])
    # Only post 102 (the day before) is in the period: 101 is older, 103 too short.
    assert "https://t.me/technews/102" in links(digest)
    assert "https://t.me/technews/101" not in links(digest)
    assert longread in links(digest)
    assert article not in links(digest)
    assert "reply_to_message" not in digest  # posted by itself, not an answer


async def test_a_digest_right_after_following_has_the_channel_s_last_day(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    settings = tme(article_server)
    _, longread = local_technews(article_server)
    clock = Clock()
    async with make_bot(now=clock, follow_poll_tick_s=0.05, **settings):
        await ask(telegram_server, "/follow @technews", "You follow")
        first = await ask(telegram_server, "/digest", "Digest of")
        # The page read to follow was the first poll: the next one, at its slot, finds nothing
        # new, and the next digest starts where the first ended.
        clock.at = next_slot("@technews", T0, timedelta(hours=1))
        await telegram_server.wait_for(lambda: _reads(article_server) == 2, timeout=10)
        again = await ask(telegram_server, "/digest", "posted nothing")
        day = await ask(telegram_server, "/digest 24h", "Digest of")
    # The first digest covers a day back: post 102, not 101 (older) nor 103 (too short).
    assert "Digest of @technews" in first["text"]
    assert {"https://t.me/technews/102", longread} <= set(links(first))
    assert "https://t.me/technews/101" not in links(first)
    assert "Your channels posted nothing" in again["text"]
    assert links(day).count("https://t.me/technews/102") == 1  # kept once, polled or not


async def test_a_followed_channel_s_digest_takes_the_links_follow_takes(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    settings = tme(article_server)
    local_technews(article_server)
    async with make_bot(now=Clock(), **settings):
        await ask(telegram_server, "/follow @technews", "You follow")
        linked = await ask(telegram_server, "/digest t.me/s/technews 7d", "Digest of")
        # Under the same channel: the next one starts where this one ended.
        again = await ask(telegram_server, "/digest telegram.me/technews", "nothing to digest")
    assert "https://t.me/technews/101" in links(linked)
    assert "Your channels posted nothing" in again["text"]


@pytest.mark.parametrize(
    ("status", "headers", "note"),
    [
        (302, {"Location": "/gonechan"}, "no longer has a public preview"),  # preview off
        (302, {"Location": "/nosuchchan"}, "@technews no longer exists on Telegram"),  # deleted
        (503, {}, "I keep failing to read @technews"),  # told after a few failures
    ],
)
async def test_a_channel_that_stops_working_is_told_to_its_followers_once(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    article_server: ArticleServer,
    status: int,
    headers: dict[str, str],
    note: str,
) -> None:
    settings = tme(article_server)
    clock = Clock()
    async with make_bot(llm=False, now=clock, follow_poll_tick_s=0.05, **settings):
        await ask(telegram_server, "/follow @technews", "You follow")
        await ask(telegram_server, "/follow @technews", "You follow", BOB)
        article_server.add_page("s/technews", b"", "text/html", status, headers)
        for step in range(1, 5):  # each poll fails again, later and later
            reads = _reads(article_server)
            clock.at = T0 + step * DUE_AGAIN
            await telegram_server.wait_for(lambda r=reads: _reads(article_server) > r, timeout=10)
        for user in (ALICE, BOB):  # a last reply: the notes before it were sent
            await ask(telegram_server, "/following", "@technews", user)
    for user in (ALICE, BOB):
        assert sum(note in said for said in bot_texts(telegram_server, user["id"])) == 1


def _reads(server: ArticleServer) -> int:
    """How often the followed channel's preview was read."""
    return [seen.path for seen in server.requests].count("/s/technews")


async def test_any_public_channel_s_digest_is_read_from_its_preview_on_demand(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    settings = tme(article_server)
    article, _ = local_technews(article_server)
    async with make_bot(now=Clock(), **settings):
        first = await ask(telegram_server, "/digest @technews 7d", "Digest of")
        calls = len(openai_server.requests)
        # Nothing is remembered: the next ask reads the page again, its articles from the cache.
        again = await ask(telegram_server, "/digest t.me/s/TechNews 7d", "Digest of")
        none = await ask(telegram_server, "/following", "yet")
        no_preview = await ask(telegram_server, "/digest @gonechan", "t.me")
        missing = await ask(telegram_server, "/digest t.me/NoSuchChan 3d", "t.me")
    assert first["text"].startswith("Digest of @technews since ")
    assert {article, "https://t.me/technews/101"} <= set(links(first))
    assert first["text"].endswith(
        "Read from @technews's public page just now. /follow @technews to have it in every /digest."
    )
    assert links(again) == links(first)
    assert len(openai_server.requests) == calls
    assert _reads(article_server) == 2
    assert "no channels yet" in none["text"]
    assert no_preview["text"].startswith("@gonechan is on Telegram but shows no public posts")
    assert missing["text"].startswith("There is no @nosuchchan on Telegram")


async def test_a_public_channel_that_posted_nothing_lately_says_so_with_the_tip(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    settings = tme(article_server)
    later = Clock()
    later.at = T0 + timedelta(days=30)  # the fixture's posts are a month old by then
    async with make_bot(llm=False, now=later, **settings):
        empty = await ask(telegram_server, "/digest @technews", "posted nothing")
    assert empty["text"].startswith("@technews posted nothing to digest in that time.")
    assert "/follow @technews" in empty["text"]
