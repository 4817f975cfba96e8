"""Connected channels' scheduled digests end to end: set from the admin's private chat, posted
at their time to the private chat, the channel itself or its linked discussion group."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import ALICE_EN as ALICE
from tests.servers.chats import BOB_EN as BOB
from tests.servers.chats import CHANNEL, FAST, ask, digests_in, links, soon
from tests.servers.openai_server import FakeOpenAI

LINKED = -1007780002
WHERE = {"here": ALICE["id"], "channel": CHANNEL, "group": LINKED}


@pytest.mark.parametrize("where", ["here", "channel", "group"])
async def test_a_channel_s_digest_is_posted_at_its_time_where_its_admin_chose(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    where: str,
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE, linked_chat_id=LINKED)
    telegram_server.group(LINKED, admins=[ALICE])
    destination = WHERE[where]
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        telegram_server.send_channel_post(CHANNEL, f"Read this: {article_server.url('/article')}")
        await ask(telegram_server, "/connect @eelnews", "is connected")
        done = await ask(telegram_server, f"/digest_schedule @eelnews {spec} {where}", "Done")
        shown = await ask(telegram_server, "/digest_schedule @EelNews", "comes every day")
        assert digests_in(telegram_server, destination, "Digest of") == []  # not before its time
        clock.advance(minutes=2)
        digest = await wait_for_text(telegram_server, "Digest of", destination)
        clock.advance(minutes=1)
        await ask(telegram_server, "/digest_schedule @eelnews", "comes every day")
    said = {"here": "here", "channel": "in the channel", "group": "in its discussion group"}
    assert said[where] in done["text"]
    assert said[where] in shown["text"]
    assert spec.split()[1] in shown["text"]
    assert "@EelNews" in digest["text"]
    assert ARTICLE_TITLE in digest["text"]
    assert len(digests_in(telegram_server, destination, "Digest of")) == 1
    others = set(WHERE.values()) - {destination}
    assert all(digests_in(telegram_server, chat, "Digest of") == [] for chat in others)


async def test_a_channel_s_schedule_is_only_its_admins_and_off_stops_it(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE, admins=[BOB])
    async with make_bot():
        await ask(telegram_server, "/connect @eelnews", "is connected", BOB)
        await ask(telegram_server, "/digest_schedule @eelnews daily 09:00 UTC", "Done", BOB)
        telegram_server.set_member(CHANNEL, BOB, "member")
        refused = await ask(telegram_server, "/digest_schedule @eelnews off", "Only an admin", BOB)
        stranger = await ask(
            telegram_server, "/digest_schedule @eelnews daily 09:00 UTC", "not one of", ALICE
        )
        await ask(telegram_server, "/connect @eelnews", "is connected")
        shown = await ask(telegram_server, "/digest_schedule @eelnews", "comes every day")
        await ask(telegram_server, "/digest_schedule @eelnews off", "is off")
        await ask(telegram_server, "/digest_schedule @eelnews", "No digest of")
    assert "@EelNews" in refused["text"]
    assert "@eelnews" in stranger["text"]  # Alice had not connected it yet
    assert "private chat" in shown["text"]  # Bob's, not Alice's


async def test_a_channel_without_a_discussion_group_is_told_and_bad_words_explained(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE)
    async with make_bot():
        await ask(telegram_server, "/connect @eelnews", "is connected")
        group = await ask(
            telegram_server, "/digest_schedule @eelnews daily 09:00 UTC group", "discussion"
        )
        zone = await ask(telegram_server, "/digest_schedule @eelnews daily 09:00 Mars/Base", "IANA")
        usage = await ask(telegram_server, "/digest_schedule @eelnews soon", "For a channel")
        await ask(telegram_server, "/digest_schedule @eelnews", "No digest of")
    assert "@EelNews has no discussion group" in group["text"]
    assert "Mars/Base" in zone["text"]
    assert "/digest_schedule @eelnews off" in usage["text"]


WITNESSES = (-1007780003, -1007780004)


async def _witness(
    telegram_server: TelegramServer, article_server: ArticleServer, group: int, at: datetime
) -> None:
    """A group whose digest comes at `at`: once it is out, the scheduler's earlier ticks are."""
    telegram_server.group(group, admins=[ALICE])
    say = functools.partial(telegram_server.send_message, group, chat_type="supergroup", user=ALICE)
    say(f"look {article_server.url('/article')}")
    say(f"/digest_schedule daily {at:%H:%M} UTC")
    await wait_for_text(telegram_server, "Done: a digest every day", group)


async def test_disconnecting_a_channel_stops_the_schedule_its_admin_set(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE)
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        telegram_server.send_channel_post(CHANNEL, f"Read this: {article_server.url('/article')}")
        for group, minutes in zip(WITNESSES, (2, 3), strict=True):
            await _witness(
                telegram_server, article_server, group, clock() + timedelta(minutes=minutes)
            )
        await ask(telegram_server, "/connect @eelnews", "is connected")
        await ask(telegram_server, f"/digest_schedule @eelnews {spec} channel", "Done")
        said = await ask(telegram_server, "/disconnect @eelnews", "disconnected")
        gone = await ask(telegram_server, "/digest_schedule @eelnews", "not one of your")
        clock.advance(minutes=2)
        await wait_for_text(telegram_server, "Digest", WITNESSES[0])
        clock.advance(minutes=1)  # a later tick: the one at the channel's time has ended
        await wait_for_text(telegram_server, "Digest", WITNESSES[1])
        await ask(telegram_server, "/connect @eelnews", "is connected")
        shown = await ask(telegram_server, "/digest_schedule @eelnews", "@EelNews")
    assert said["text"].startswith(
        "@EelNews is disconnected, and the scheduled digest of it you set is stopped too."
    )
    assert "@eelnews" in gone["text"]
    assert shown["text"] == "No digest of @EelNews is scheduled."
    assert digests_in(telegram_server, CHANNEL, "Digest of") == []


async def test_a_channel_s_schedule_stops_when_its_admin_is_no_longer_one_who_is_told_once(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE, admins=[BOB])
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        telegram_server.send_channel_post(CHANNEL, f"Read this: {article_server.url('/article')}")
        await ask(telegram_server, "/connect @eelnews", "is connected", BOB)
        await ask(telegram_server, f"/digest_schedule @eelnews {spec} channel", "Done", BOB)
        telegram_server.set_member(CHANNEL, BOB, "member")
        clock.advance(minutes=2)
        told = await wait_for_text(telegram_server, "no longer an admin", BOB["id"])
        await ask(telegram_server, "/connect @eelnews", "is connected")  # Alice, to look
        shown = await ask(telegram_server, "/digest_schedule @eelnews", "@EelNews")
    assert "@EelNews" in told["text"]
    assert shown["text"] == "No digest of @EelNews is scheduled."
    assert digests_in(telegram_server, CHANNEL, "Digest of") == []
    assert sum("no longer an admin" in t for t in bot_texts(telegram_server, BOB["id"])) == 1
    assert openai_server.requests == []  # nothing was summarized for it


async def test_a_private_schedule_leaves_out_a_channel_its_user_no_longer_administers(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    talk = -1007780005
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE, admins=[BOB])
    telegram_server.channel(talk, username="EelTalk", creator=BOB)
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        news = telegram_server.send_channel_post(CHANNEL, f"See {article_server.url('/article')}")
        chat = telegram_server.send_channel_post(talk, f"See {article_server.url('/article')}")
        for name in ("@eelnews", "@eeltalk"):
            await ask(telegram_server, f"/connect {name}", "is connected", BOB)
        await ask(telegram_server, f"/digest_schedule {spec}", "Done", BOB)
        telegram_server.set_member(CHANNEL, BOB, "member")
        clock.advance(minutes=2)
        digest = await wait_for_text(telegram_server, "Digest of", BOB["id"])
    assert f"https://t.me/EelTalk/{chat['message_id']}" in links(digest)
    assert f"https://t.me/EelNews/{news['message_id']}" not in links(digest)
    assert "EelNews" not in digest["text"]


async def test_a_private_schedule_starts_where_the_last_digest_asked_for_ended(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE)
    clock, spec = soon()
    start = int(clock().timestamp())  # posts dated by the bot's clock, around the /digest
    async with make_bot(now=clock, **FAST):
        url = article_server.url("/article")
        old = telegram_server.send_channel_post(CHANNEL, f"Read {url}", date=start - 60)
        await ask(telegram_server, "/connect @eelnews", "is connected")
        asked = await ask(telegram_server, "/digest", "Digest of")
        new = telegram_server.send_channel_post(CHANNEL, f"Again {url}?v=2", date=start + 60)
        await ask(telegram_server, f"/digest_schedule {spec}", "Done")
        clock.advance(minutes=2)
        await telegram_server.wait_for(
            lambda: len(digests_in(telegram_server, ALICE["id"], "Digest of")) == 2
        )
    scheduled = [m for m in telegram_server.messages(ALICE["id"]) if "Digest of" in m["text"]][-1]
    old_link, new_link = (f"https://t.me/EelNews/{post['message_id']}" for post in (old, new))
    assert old_link in links(asked)
    assert new_link in links(scheduled)
    assert old_link not in links(scheduled)  # the /digest covered it


async def test_a_channel_s_run_waits_when_the_bot_api_cannot_say_who_administers_it(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE)
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        telegram_server.send_channel_post(CHANNEL, f"Read this: {article_server.url('/article')}")
        await ask(telegram_server, "/connect @eelnews", "is connected")
        await ask(telegram_server, f"/digest_schedule @eelnews {spec} channel", "Done")
        telegram_server.fail_next("getChatMember", error_code=502, description="Bad Gateway")
        clock.advance(minutes=2)
        await telegram_server.wait_for(lambda: not telegram_server.faults["getchatmember"])
        clock.advance(minutes=2)  # past the failed run's lease: it is claimed again
        digest = await wait_for_text(telegram_server, "Digest of", CHANNEL)
    assert ARTICLE_TITLE in digest["text"]
    assert not any("no longer an admin" in t for t in bot_texts(telegram_server, ALICE["id"]))
