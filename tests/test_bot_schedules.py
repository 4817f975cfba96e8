"""Scheduled digests end to end: /digest_schedule, and digests posted at their time, exactly once.

The bot's clock is a ManualClock (the scheduler ticks often, but fires only when the test moves
the time); links are shared at the emulator's real time, after the clock's.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.digest.schedule import parse_schedule
from bot.core.store.open import open_store
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import ALICE, BOB, FAST, GROUP, digests_in, say, soon
from tests.servers.openai_server import FakeOpenAI
from tests.test_extract import STORY

FERRY = "The ferry to the island runs again.\n\n" + "\n\n".join(STORY)
EELS = "Eels return to the river.\n\n" + "\n\n".join(STORY)


async def _share(telegram_server: TelegramServer, url: str, at: datetime) -> None:
    """A link shared at `at`, kept before the test goes on."""
    answered = len(bot_texts(telegram_server, GROUP))
    say(telegram_server, f"see {url}", date=int(at.timestamp()))
    say(telegram_server, "/digest_schedule")  # answered once the link before it is kept
    await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) > answered)


def _digest_posts(telegram_server: TelegramServer, chat_id: int) -> list[dict[str, Any]]:
    """The digests the bot tried to post to the chat, refused or not."""
    return [
        params
        for method, params in telegram_server.calls
        if method == "sendMessage"
        and params.get("chat_id") == chat_id
        and "Digest" in params["text"]
    ]


async def _share_and_schedule(
    telegram_server: TelegramServer, article_server: ArticleServer, spec: str
) -> None:
    say(telegram_server, f"look {article_server.url('/article')}")
    say(telegram_server, f"/digest_schedule {spec}")
    await wait_for_text(telegram_server, "Done: a digest every day", GROUP)


async def test_a_schedule_fires_when_the_clock_reaches_it_and_only_then(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        await _share_and_schedule(telegram_server, article_server, spec)
        say(telegram_server, "/digest_schedule")
        shown = await wait_for_text(telegram_server, "The digest comes every day", GROUP)
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) == 2)
        assert digests_in(telegram_server, GROUP) == []  # ticks before its time post nothing
        clock.advance(minutes=2)
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
        clock.advance(minutes=1)
        say(telegram_server, "/digest_schedule")
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) == 4)
    assert spec.split()[1] in shown["text"]
    assert ARTICLE_TITLE in digest["text"]
    assert "Late" not in digest["text"]
    assert "reply_to_message" not in digest  # posted by itself, not an answer
    assert len(digests_in(telegram_server, GROUP)) == 1


async def test_a_digest_missed_while_down_comes_once_marked_late(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE])
    clock, spec = soon()
    ferry = article_server.add_page("/ferry", FERRY.encode(), "text/plain; charset=utf-8")
    async with make_bot(now=clock, **FAST):
        await _share_and_schedule(telegram_server, article_server, spec)
        clock.advance(minutes=2)
        await wait_for_text(telegram_server, "Digest", GROUP)
        say(telegram_server, f"and {ferry}")
        say(telegram_server, "/digest_schedule")  # answered once the link before it is kept
        await wait_for_text(telegram_server, "The digest comes", GROUP)
    clock.advance(days=3, hours=1)  # three more digests were due while the bot was down
    async with make_bot(now=clock, **FAST):
        late = await telegram_server.wait_for(lambda: digests_in(telegram_server, GROUP)[1:])
        clock.advance(minutes=5)
        say(telegram_server, "/digest_schedule")
        await wait_for_text(telegram_server, "The digest comes", GROUP)
    assert len(digests_in(telegram_server, GROUP)) == 2
    assert "Late: this digest was due" in late[0]
    assert "ferry" in late[0]  # what was shared since the last digest


async def test_an_empty_period_posts_nothing_but_is_recorded(
    make_bot: BotFactory, telegram_server: TelegramServer, tmp_path: Path
) -> None:
    telegram_server.group(GROUP, admins=[ALICE])
    clock, spec = soon()
    database = tmp_path / "empty.db"
    async with make_bot(now=clock, database_url=f"sqlite:///{database}", **FAST):
        say(telegram_server, f"/digest_schedule {spec}")
        await wait_for_text(telegram_server, "Done", GROUP)
        clock.advance(minutes=3)
        await telegram_server.wait_for(lambda: _finished_runs(database))
    assert _finished_runs(database) == 1
    assert digests_in(telegram_server, GROUP) == []


async def test_a_digest_collected_before_a_restart_is_sent_as_collected(
    make_bot: BotFactory, telegram_server: TelegramServer, tmp_path: Path
) -> None:
    """A process stored the digest's three parts, posted the first and died: the next posts the
    other two, and only those."""
    telegram_server.group(GROUP, admins=[ALICE])
    clock, spec = soon()
    url = f"sqlite:///{tmp_path / 'resumed.db'}"
    store = await open_store(url)
    try:
        schedule = parse_schedule(spec.split())
        await store.set_schedule(GROUP, 0, spec, schedule.next_after(clock()))
        clock.advance(minutes=2)
        (due,) = await store.due_schedules(clock(), 10)
        await store.open_run(due, due.next_at, False, schedule.next_after(clock()))
        (run,) = await store.claim_runs("dead", 0.0, clock(), 10)
        await store.set_run_parts(run.id, ["<b>Digest</b> part 1", "part 2", "part 3"])
        await store.record_part(run.id, "dead", 1, clock())
    finally:
        await store.close()
    async with make_bot(now=clock, database_url=url, **FAST):
        clock.advance(seconds=1)  # past the dead process's lease
        await wait_for_text(telegram_server, "part 3", GROUP)
    assert bot_texts(telegram_server, GROUP) == ["part 2", "part 3"]
    # The dead process may not have marked the digest: the next one starts at its period.
    store = await open_store(url)
    try:
        settings = await store.get_chat_settings(GROUP)
    finally:
        await store.close()
    assert settings["last_digests"] == {"0": run.period.isoformat()}


async def test_only_admins_schedule_a_group_digest(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    async with make_bot():
        say(telegram_server, "/digest_schedule daily 09:00 UTC", user=BOB)
        await wait_for_text(telegram_server, "Only this group's admins", GROUP)
        say(telegram_server, "/digest_schedule", user=BOB)
        await wait_for_text(telegram_server, "No digest is scheduled", GROUP)
        say(telegram_server, "/digest_schedule off", user=BOB)
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) == 3)
        say(telegram_server, "/digest_schedule weekly mon 18:30 UTC")
        await wait_for_text(telegram_server, "every Monday at 18:30 (UTC)", GROUP)
        say(telegram_server, "/settings")
        settings = await wait_for_text(telegram_server, "Group settings", GROUP)
        say(telegram_server, "/digest_schedule off")
        await wait_for_text(telegram_server, "is off", GROUP)
    assert "Scheduled digest: every Monday at 18:30 (UTC)" in settings["text"]
    assert (
        bot_texts(telegram_server, GROUP)[2] == "Only this group's admins can schedule its digest."
    )


async def test_bad_schedules_get_a_message_saying_what_is_wrong(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    private = 555
    user = {"id": private, "is_bot": False, "first_name": "Pat"}
    async with make_bot():
        for words in ("daily 09:00 Mars/Olympus", "daily 9am UTC", "sometimes"):
            telegram_server.send_message(private, f"/digest_schedule {words}", user=user)
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, private)) == 3)
    zone, moment, usage = bot_texts(telegram_server, private)
    assert "“Mars/Olympus”" in zone
    assert "Europe/Berlin" in zone
    assert "“9am” is not a time of day" in moment
    assert usage.startswith("Send /digest_schedule daily 09:00 Europe/Berlin")
    assert "/digest_schedule @channel daily 09:00 Europe/Berlin here|channel|group" in usage


def _finished_runs(database: Path) -> int:
    with closing(sqlite3.connect(database)) as db:
        return int(
            db.execute("SELECT count(*) FROM digest_runs WHERE done_at IS NOT NULL").fetchone()[0]
        )


async def test_a_private_chat_schedules_its_digest_and_settings_show_it(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    private = 556
    user = {"id": private, "is_bot": False, "first_name": "Pat"}
    async with make_bot():
        telegram_server.send_message(
            private, "/digest_schedule weekly fri 07:15 Asia/Tokyo", user=user
        )
        done = await wait_for_text(telegram_server, "Done", private)
        telegram_server.send_message(private, "/settings", user=user)
        settings = await wait_for_text(telegram_server, "Scheduled digest", private)
    assert "every Friday at 07:15 (Asia/Tokyo)" in done["text"]
    assert "Scheduled digest: every Friday at 07:15 (Asia/Tokyo)" in settings["text"]


async def test_each_forum_topic_gets_its_own_scheduled_digest_in_the_topic(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, forum=True, admins=[ALICE], members=[BOB])
    eels = telegram_server.create_topic(GROUP, "Eels", user=ALICE)
    quiet = telegram_server.create_topic(GROUP, "Quiet", user=ALICE)
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        say(telegram_server, article_server.url("/article"), message_thread_id=eels, user=BOB)
        for topic in (eels, quiet):
            say(telegram_server, f"/digest_schedule {spec}", message_thread_id=topic)
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, GROUP)) == 2)
        clock.advance(minutes=2)
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
        say(telegram_server, "/digest_schedule", message_thread_id=quiet)
        await wait_for_text(telegram_server, "The digest comes", GROUP)
    assert digest["message_thread_id"] == eels
    assert ARTICLE_TITLE in digest["text"]
    assert len(digests_in(telegram_server, GROUP)) == 1  # the quiet topic's period was empty


async def test_an_upgraded_group_keeps_its_schedule_and_gets_its_digests(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    old = -4321
    telegram_server.privacy_mode = False
    telegram_server.group(old, "group", admins=[ALICE])
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        for said in (f"look {article_server.url('/article')}", f"/digest_schedule {spec}"):
            telegram_server.send_message(old, said, user=ALICE, chat_type="group")
        await wait_for_text(telegram_server, "Done: a digest every day", old)
        telegram_server.migrate_to_supergroup(old, GROUP, user=ALICE)
        say(telegram_server, "/digest_schedule")  # the upgraded group's schedule is the old one
        shown = await wait_for_text(telegram_server, "The digest comes every day", GROUP)
        clock.advance(minutes=2)
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert spec.split()[1] in shown["text"]
    assert ARTICLE_TITLE in digest["text"]


async def test_a_late_digest_and_the_next_one_share_no_item(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    """Composed three hours after it was due: what came in between is in that digest, and the
    next day's starts where it was composed, not where it was due."""
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE])
    clock, spec = soon()
    start = clock()
    pages = {
        "ferry": article_server.add_page("/ferry", FERRY.encode(), "text/plain; charset=utf-8"),
        "eels": article_server.add_page("/eels", EELS.encode(), "text/plain; charset=utf-8"),
    }
    async with make_bot(now=clock, **FAST):
        say(telegram_server, f"/digest_schedule {spec}")
        await wait_for_text(telegram_server, "Done", GROUP)
        await _share(telegram_server, article_server.url("/article"), start + timedelta(minutes=1))
        await _share(
            telegram_server, pages["ferry"], start + timedelta(hours=1)
        )  # while it is late
        clock.advance(hours=3)
        late = await wait_for_text(telegram_server, "Late", GROUP)
        await _share(telegram_server, pages["eels"], start + timedelta(days=1))
        clock.advance(days=1)
        await telegram_server.wait_for(lambda: len(digests_in(telegram_server, GROUP)) == 2)
    next_day = digests_in(telegram_server, GROUP)[1]
    assert ARTICLE_TITLE in late["text"]
    assert pages["ferry"] in late["text"]
    assert ARTICLE_TITLE not in next_day
    assert pages["ferry"] not in next_day
    assert pages["eels"] in next_day


async def test_a_chat_that_refuses_the_bot_stops_its_schedule_after_one_try(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    """Blocked (or removed) when its digest is due: the run is finished, not retried every
    lease, and the schedule stops (no run the next day either)."""
    witness = -1007770001  # its digest out, the ticks before its time are over
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE])
    telegram_server.group(witness, admins=[ALICE])
    clock, spec = soon()
    database = tmp_path / "refused.db"
    async with make_bot(now=clock, database_url=f"sqlite:///{database}", **FAST):
        await _share_and_schedule(telegram_server, article_server, spec)
        for said in (f"look {article_server.url('/article')}", f"/digest_schedule {spec}"):
            telegram_server.send_message(witness, said, chat_type="supergroup", user=ALICE)
        await wait_for_text(telegram_server, "Done", witness)
        telegram_server.block(GROUP)
        clock.advance(minutes=2)
        await telegram_server.wait_for(lambda: _finished_runs(database) == 2)
        clock.advance(days=1)  # past the lease, and the next period
        await telegram_server.wait_for(lambda: len(bot_texts(telegram_server, witness)) == 3)
    store = await open_store(f"sqlite:///{database}")
    try:
        schedule = await store.get_schedule(GROUP, 0)
    finally:
        await store.close()
    assert schedule is None
    assert len(_digest_posts(telegram_server, GROUP)) == 1


async def test_a_digest_posted_to_a_group_that_became_a_supergroup_follows_it(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    """The upgrade's service message not seen yet: the Bot API's "upgraded" answer moves the
    chat, and the run is posted to the supergroup after its lease."""
    old = -4322
    telegram_server.privacy_mode = False
    telegram_server.group(old, "group", admins=[ALICE])
    clock, spec = soon()
    async with make_bot(now=clock, **FAST):
        for said in (f"look {article_server.url('/article')}", f"/digest_schedule {spec}"):
            telegram_server.send_message(old, said, user=ALICE, chat_type="group")
        await wait_for_text(telegram_server, "Done: a digest every day", old)
        telegram_server.group(GROUP, admins=[ALICE])
        telegram_server.migrated[old] = GROUP  # upgraded, its service messages lost
        clock.advance(minutes=2)
        await telegram_server.wait_for(lambda: _digest_posts(telegram_server, old))
        clock.advance(minutes=3)  # past the run's lease
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
        say(telegram_server, "/digest_schedule")
        shown = await wait_for_text(telegram_server, "The digest comes every day", GROUP)
    assert ARTICLE_TITLE in digest["text"]
    assert spec.split()[1] in shown["text"]
