"""The store, every test run against SQLite (a file in tmp_path) and PostgreSQL (a fresh schema)."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.core.errors import ConfigError, StoreError
from bot.core.models import Article, ChatTurn, SummaryFormat, SummaryLength
from bot.core.store import sqlite as store_sqlite
from bot.core.store.channel_types import ChannelPost
from bot.core.store.open import open_store
from bot.core.store.schema import MIGRATIONS
from bot.core.store.sql import MAX_TURNS_PER_CONVERSATION
from bot.core.store.types import SharedLink, Store, UserPrefs
from tests.servers.postgres_schema import scratch_schema

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BIG_CHAT = -1001234567890123  # supergroup ids exceed 32 bits
OTHER_CHAT = 424242


def _article(n: int = 1, text: str | None = None) -> Article:
    return Article(
        text=text or f"Article number {n}. Ünïcödé — 日本語 text.",
        url=f"https://example.org/{n}",
        title=f"Title {n}",
        author="Ann Author",
        date="2024-05-01",
        sitename="Example",
        language="en",
        description="A description.",
    )


@asynccontextmanager
async def postgres_schema(prefix: str = "test_store") -> AsyncIterator[str]:
    """A URL to a fresh PostgreSQL schema, dropped afterwards; skips (fails in CI) without a
    server."""
    try:
        admin = await asyncpg.connect(POSTGRES_URL, timeout=5)
    except (OSError, TimeoutError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run in CI but {POSTGRES_URL} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc}); set TEST_POSTGRES_URL")
    try:
        async with scratch_schema(admin, POSTGRES_URL, prefix) as url:
            yield url
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    async with postgres_schema() as url:
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """An open, migrated store."""
    opened = await open_store(database_url)
    yield opened
    await opened.close()


async def _recorded_versions(database_url: str) -> list[int]:
    """The versions in `_migrations`, read with the driver directly."""
    sql = "SELECT version FROM _migrations ORDER BY version"
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return [row[0] for row in db.execute(sql)]
    connection = await asyncpg.connect(database_url)
    try:
        return [row[0] for row in await connection.fetch(sql)]
    finally:
        await connection.close()


async def test_article_round_trip(store: Store) -> None:
    before = datetime.now(UTC)
    article_id = await store.save_article(BIG_CHAT, _article(), "https://example.org/1")

    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.id == article_id
    assert stored.chat_id == BIG_CHAT
    assert stored.source == "https://example.org/1"
    assert stored.article == _article()
    assert stored.summary is None
    assert before - timedelta(seconds=1) <= stored.created_at <= datetime.now(UTC)

    await store.set_summary(article_id, "**Gist.**\n- point")
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.summary == "**Gist.**\n- point"


async def test_minimal_article_and_missing_ids(store: Store) -> None:
    article_id = await store.save_article(1, Article(text="just text"), "document:notes.txt")
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.article == Article(text="just text")
    assert stored.source == "document:notes.txt"
    assert await store.get_article(article_id + 1000) is None
    with pytest.raises(StoreError, match="no article"):
        await store.set_summary(article_id + 1000, "x")


async def test_large_article(store: Store) -> None:
    text = "Lorem ipsum dolor sit amet. " * 40_000  # about 1.1 MB
    article_id = await store.save_article(1, _article(text=text), "text")
    stored = await store.get_article(article_id)
    assert stored is not None
    assert stored.article.text == text


async def test_message_links(store: Store) -> None:
    first = await store.save_article(BIG_CHAT, _article(1), "https://example.org/1")
    second = await store.save_article(BIG_CHAT, _article(2), "https://example.org/2")
    for message_id in (10, 11, 12):  # the user's message and two summary parts
        await store.link_message(BIG_CHAT, message_id, first)

    for message_id in (10, 11, 12):
        found = await store.article_for_message(BIG_CHAT, message_id)
        assert found is not None
        assert found.id == first
    assert await store.article_for_message(BIG_CHAT, 13) is None
    assert await store.article_for_message(OTHER_CHAT, 10) is None  # ids are per chat

    await store.link_message(BIG_CHAT, 12, second)  # a later link for a message wins
    found = await store.article_for_message(BIG_CHAT, 12)
    assert found is not None
    assert found.id == second


async def test_link_messages_in_one_batch(store: Store) -> None:
    first = await store.save_article(BIG_CHAT, _article(1), "https://example.org/1")
    second = await store.save_article(BIG_CHAT, _article(2), "https://example.org/2")
    await store.link_messages(BIG_CHAT, [20, 21], first)
    # A repeated id is linked once; an id linked before moves to the later article.
    await store.link_messages(BIG_CHAT, [21, 22, 22, 23], second)
    await store.link_messages(BIG_CHAT, [], first)  # nothing to link is not an error

    found = {n: await store.article_for_message(BIG_CHAT, n) for n in (20, 21, 22, 23, 24)}
    assert {n: stored.id if stored else None for n, stored in found.items()} == {
        20: first,
        21: second,
        22: second,
        23: second,
        24: None,
    }
    assert await store.article_for_message(OTHER_CHAT, 20) is None


async def test_failed_batch_links_nothing(store: Store) -> None:
    article_id = await store.save_article(BIG_CHAT, _article(), "text")
    with pytest.raises(StoreError):
        await store.link_messages(BIG_CHAT, [30, 31], 999_999)
    assert await store.article_for_message(BIG_CHAT, 30) is None
    await store.link_messages(BIG_CHAT, [30, 31], article_id)
    assert await store.article_for_message(BIG_CHAT, 31) is not None


async def test_reads_see_each_committed_write(store: Store) -> None:
    # Reads skip the explicit transaction; interleaved with writes they must still be current.
    async def save_and_read(n: int) -> None:
        article_id = await store.save_article(n, _article(n), "text")
        await store.link_messages(n, [n], article_id)
        found = await store.article_for_message(n, n)
        latest = await store.latest_article(n)
        assert found is not None
        assert latest is not None
        assert found.id == latest.id == article_id

    await asyncio.gather(*(save_and_read(n) for n in range(1, 21)))


async def test_link_to_missing_article_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        await store.link_message(BIG_CHAT, 1, 999_999)
    # The failed transaction was rolled back and the store still works.
    article_id = await store.save_article(BIG_CHAT, _article(), "text")
    await store.link_message(BIG_CHAT, 1, article_id)
    assert await store.article_for_message(BIG_CHAT, 1) is not None


async def test_latest_article_follows_saves_per_chat(store: Store) -> None:
    assert await store.latest_article(BIG_CHAT) is None
    first = await store.save_article(BIG_CHAT, _article(1), "text")
    other = await store.save_article(OTHER_CHAT, _article(3), "text")
    latest = await store.latest_article(BIG_CHAT)
    assert latest is not None
    assert latest.id == first
    second = await store.save_article(BIG_CHAT, _article(2), "text")
    latest = await store.latest_article(BIG_CHAT)
    assert latest is not None
    assert latest.id == second
    latest = await store.latest_article(OTHER_CHAT)
    assert latest is not None
    assert latest.id == other


async def test_history_returns_recent_turns_in_order(store: Store) -> None:
    article_id = await store.save_article(BIG_CHAT, _article(), "text")
    other_id = await store.save_article(BIG_CHAT, _article(2), "text")
    turns = [
        ChatTurn(role="user" if n % 2 == 0 else "assistant", content=f"turn {n}") for n in range(25)
    ]
    for pair in range(0, len(turns), 2):  # as the bot stores them: a question and its answer
        await store.add_turns(BIG_CHAT, article_id, turns[pair : pair + 2])
    await store.add_turns(BIG_CHAT, article_id, [])  # nothing to add is no error
    await store.add_turns(BIG_CHAT, other_id, [ChatTurn(role="user", content="elsewhere")])

    assert await store.history(BIG_CHAT, article_id) == turns[-20:]
    assert await store.history(BIG_CHAT, article_id, limit=3) == turns[-3:]
    assert await store.history(BIG_CHAT, article_id, limit=100) == turns
    assert await store.history(BIG_CHAT, article_id, limit=0) == []
    assert await store.history(BIG_CHAT, other_id) == [ChatTurn(role="user", content="elsewhere")]
    assert await store.history(OTHER_CHAT, article_id) == []
    with pytest.raises(ValueError, match="limit"):
        await store.history(BIG_CHAT, article_id, limit=-1)


async def test_old_turns_are_trimmed(store: Store) -> None:
    article_id = await store.save_article(1, _article(), "text")
    total = MAX_TURNS_PER_CONVERSATION + 5
    for n in range(total):
        await store.add_turns(1, article_id, [ChatTurn(role="user", content=str(n))])
    kept = await store.history(1, article_id, limit=total)
    assert [turn.content for turn in kept] == [str(n) for n in range(5, total)]


async def test_reset_forgets_conversation_and_latest_but_keeps_links(store: Store) -> None:
    article_id = await store.save_article(BIG_CHAT, _article(), "text")
    await store.link_message(BIG_CHAT, 7, article_id)
    await store.add_turns(BIG_CHAT, article_id, [ChatTurn(role="user", content="why?")])
    other_id = await store.save_article(OTHER_CHAT, _article(2), "text")
    await store.add_turns(OTHER_CHAT, other_id, [ChatTurn(role="user", content="kept")])

    await store.reset_chat(BIG_CHAT)

    assert await store.history(BIG_CHAT, article_id) == []
    assert await store.latest_article(BIG_CHAT) is None
    found = await store.article_for_message(BIG_CHAT, 7)  # a reply to an old summary still works
    assert found is not None
    assert found.id == article_id
    assert await store.history(OTHER_CHAT, other_id) == [ChatTurn(role="user", content="kept")]
    assert await store.latest_article(OTHER_CHAT) is not None


async def test_prefs_default_and_round_trip(store: Store) -> None:
    user_id = 7_123_456_789  # user ids exceed 32 bits too
    assert await store.get_prefs(user_id) == UserPrefs()
    prefs = UserPrefs(
        length=SummaryLength.LONG, language="de", format=SummaryFormat.POINTS, ui_language="ru"
    )
    await store.set_prefs(user_id, prefs)
    assert await store.get_prefs(user_id) == prefs
    assert isinstance((await store.get_prefs(user_id)).length, SummaryLength)

    await store.set_prefs(user_id, UserPrefs(length=SummaryLength.SHORT))
    assert await store.get_prefs(user_id) == UserPrefs(length=SummaryLength.SHORT)
    assert await store.get_prefs(user_id + 1) == UserPrefs()


async def test_sqlite_prefs_stay_right_beyond_the_remembered_few(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_sqlite, "PREFS_REMEMBERED", 2)
    url = f"sqlite:///{tmp_path / 'prefs.db'}"
    store = await open_store(url)
    chosen = {user: UserPrefs(language=f"l{user}") for user in range(1, 6)}
    for user, prefs in chosen.items():
        assert await store.get_prefs(user) == UserPrefs()  # remembered as "never set"...
        await store.set_prefs(user, prefs)  # ...and replaced when set
    for user in [5, 1, 4, 2, 3, 1]:
        assert await store.get_prefs(user) == chosen[user]
    await store.close()
    reopened = await open_store(url)  # what was remembered was also written
    assert [await reopened.get_prefs(user) for user in chosen] == list(chosen.values())
    await reopened.close()


async def test_chat_settings(store: Store) -> None:
    assert await store.get_chat_settings(BIG_CHAT) == {}
    settings = {"digest": {"enabled": True, "hour": 9}, "admins_only": False, "name": "Чат"}
    await store.set_chat_settings(BIG_CHAT, settings)
    assert await store.get_chat_settings(BIG_CHAT) == settings
    await store.set_chat_settings(BIG_CHAT, {"digest": None})
    assert await store.get_chat_settings(BIG_CHAT) == {"digest": None}
    assert await store.get_chat_settings(OTHER_CHAT) == {}
    with pytest.raises(StoreError, match="JSON"):
        await store.set_chat_settings(BIG_CHAT, {"when": datetime.now(UTC)})
    assert await store.get_chat_settings(BIG_CHAT) == {"digest": None}


def _shared(
    chat_id: int, url: str, at: datetime, *, by: int | None = 11, topic: int = 0
) -> SharedLink:
    return SharedLink(chat_id, topic, 7, url, by, at)


async def test_shared_links_since(store: Store) -> None:
    cut = datetime.now(UTC)
    await store.add_shared_links(
        [
            _shared(
                BIG_CHAT, "https://example.org/old", cut - timedelta(hours=2), by=5_000_000_001
            ),
            _shared(BIG_CHAT, "https://example.org/1", cut, by=None),
            _shared(BIG_CHAT, "https://example.org/2", cut + timedelta(seconds=1)),
            _shared(BIG_CHAT, "https://example.org/1", cut + timedelta(seconds=2), by=12),
            _shared(BIG_CHAT, "https://example.org/topic", cut, topic=5),
            _shared(OTHER_CHAT, "https://example.org/elsewhere", cut),
        ]
    )
    recent = await store.shared_links(BIG_CHAT, 0, since=cut)
    # Each share is listed (the digest counts them), oldest first, in its own topic only.
    assert [(link.url, link.shared_by) for link in recent] == [
        ("https://example.org/1", None),
        ("https://example.org/2", 11),
        ("https://example.org/1", 12),
    ]
    assert recent[0].shared_at == cut
    everything = await store.shared_links(BIG_CHAT, 0, since=cut - timedelta(hours=3))
    assert everything[0].shared_by == 5_000_000_001
    naive_future = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5)
    assert await store.shared_links(BIG_CHAT, 0, since=naive_future) == []


async def test_channel_posts_kept_replaced_on_edit_and_pruned(store: Store) -> None:
    cut = datetime.now(UTC)
    links = ("https://example.org/a", "https://example.org/b")
    await store.add_channel_posts(
        [
            ChannelPost("@news", 10, cut - timedelta(days=40), "old"),
            ChannelPost("@news", 11, cut, "two links", links),
            ChannelPost("@news", 12, cut + timedelta(seconds=1), "no link"),
            ChannelPost("-1001234", 11, cut, "another channel"),
        ]
    )
    # An edited post replaces what was kept of it, and keeps its place.
    await store.add_channel_posts([ChannelPost("@news", 11, cut, "edited", links[:1])])
    recent = await store.channel_posts("@news", since=cut - timedelta(minutes=1))
    assert [(post.post_id, post.text, post.links) for post in recent] == [
        (11, "edited", links[:1]),
        (12, "no link", ()),
    ]
    assert recent[0].posted_at == cut
    await store.prune_kept(shared_before=cut - timedelta(days=30), at=cut)
    everything = await store.channel_posts("@news", since=cut - timedelta(days=60))
    assert [post.post_id for post in everything] == [11, 12]
    assert [post.text for post in await store.channel_posts("-1001234", cut)] == ["another channel"]


async def test_migrate_chat_moves_the_chat(store: Store) -> None:
    old_chat, new_chat = -4_000_000_001, BIG_CHAT
    article_id = await store.save_article(old_chat, _article(), "text")
    await store.link_message(old_chat, 3, article_id)
    await store.add_turns(old_chat, article_id, [ChatTurn(role="user", content="q")])
    await store.set_chat_settings(old_chat, {"digest": True})
    await store.add_shared_links([_shared(old_chat, "https://example.org/a", datetime.now(UTC))])
    unrelated = await store.save_article(OTHER_CHAT, _article(2), "text")

    await store.migrate_chat(old_chat, new_chat)

    latest = await store.latest_article(new_chat)
    assert latest is not None
    assert latest.id == article_id
    assert latest.chat_id == new_chat
    assert await store.history(new_chat, article_id) == [ChatTurn(role="user", content="q")]
    assert await store.get_chat_settings(new_chat) == {"digest": True}
    since = datetime.now(UTC) - timedelta(hours=1)
    assert [link.url for link in await store.shared_links(new_chat, 0, since)] == [
        "https://example.org/a"
    ]
    # Nothing is left under the old id except message links: message ids restart in the
    # supergroup, so they are not moved (documented in bot.core.store.types).
    assert await store.latest_article(old_chat) is None
    assert await store.history(old_chat, article_id) == []
    assert await store.get_chat_settings(old_chat) == {}
    assert await store.shared_links(old_chat, 0, since) == []
    assert await store.article_for_message(new_chat, 3) is None
    linked = await store.article_for_message(old_chat, 3)
    assert linked is not None
    assert linked.chat_id == new_chat
    stored = await store.get_article(unrelated)
    assert stored is not None
    assert stored.chat_id == OTHER_CHAT


async def test_migrate_chat_keeps_the_new_chats_own_rows(store: Store) -> None:
    old_chat, new_chat = -5, BIG_CHAT
    await store.save_article(old_chat, _article(1), "text")
    await store.set_chat_settings(old_chat, {"from": "old"})
    newer = await store.save_article(new_chat, _article(2), "text")
    await store.set_chat_settings(new_chat, {"from": "new"})

    await store.migrate_chat(old_chat, new_chat)

    latest = await store.latest_article(new_chat)
    assert latest is not None
    assert latest.id == newer
    assert await store.get_chat_settings(new_chat) == {"from": "new"}
    assert await store.get_chat_settings(old_chat) == {}
    assert await store.latest_article(old_chat) is None


async def test_data_survives_restart(database_url: str) -> None:
    first = await open_store(database_url)
    article_id = await first.save_article(BIG_CHAT, _article(), "https://example.org/1")
    await first.set_summary(article_id, "summary")
    await first.link_message(BIG_CHAT, 99, article_id)
    await first.add_turns(BIG_CHAT, article_id, [ChatTurn(role="assistant", content="answer")])
    await first.set_prefs(5, UserPrefs(format=SummaryFormat.PARAGRAPH))
    await first.close()
    await first.close()  # closing twice is harmless

    second = await open_store(database_url)
    try:
        found = await second.article_for_message(BIG_CHAT, 99)
        assert found is not None
        assert found.id == article_id
        assert found.summary == "summary"
        assert found.article == _article()
        assert await second.history(BIG_CHAT, article_id) == [
            ChatTurn(role="assistant", content="answer")
        ]
        assert await second.get_prefs(5) == UserPrefs(format=SummaryFormat.PARAGRAPH)
        latest = await second.latest_article(BIG_CHAT)
        assert latest is not None
        assert latest.id == article_id
    finally:
        await second.close()


async def test_migrations_are_recorded_once(database_url: str, store: Store) -> None:
    expected = [migration.version for migration in MIGRATIONS]
    assert expected == list(range(1, len(MIGRATIONS) + 1))
    assert await _recorded_versions(database_url) == expected

    article_id = await store.save_article(1, _article(), "text")
    await store.migrate()  # a no-op now
    again = await open_store(database_url)  # so is opening it again
    await again.close()

    assert await _recorded_versions(database_url) == expected
    assert await store.get_article(article_id) is not None


async def test_two_processes_migrating_at_once(database_url: str) -> None:
    # Two bot processes starting together: one migrates, the other waits and finds it done.
    stores = await asyncio.gather(open_store(database_url), open_store(database_url))
    for opened in stores:
        await opened.close()
    assert await _recorded_versions(database_url) == [m.version for m in MIGRATIONS]


async def test_concurrent_saves_all_land(store: Store) -> None:
    async def save(n: int) -> int:
        article_id = await store.save_article(BIG_CHAT, _article(n), f"https://example.org/{n}")
        await store.link_message(BIG_CHAT, 1000 + n, article_id)
        return article_id

    ids = await asyncio.gather(*(save(n) for n in range(50)))

    assert len(set(ids)) == 50
    for n, article_id in enumerate(ids):
        found = await store.article_for_message(BIG_CHAT, 1000 + n)
        assert found is not None
        assert found.id == article_id
        assert found.article.title == f"Title {n}"
    latest = await store.latest_article(BIG_CHAT)
    assert latest is not None
    assert latest.id in ids


async def test_big_ids(store: Store) -> None:
    big_message = 2**53 + 1
    article_id = await store.save_article(BIG_CHAT, _article(), "text")
    await store.link_message(BIG_CHAT, big_message, article_id)
    found = await store.article_for_message(BIG_CHAT, big_message)
    assert found is not None
    assert found.chat_id == BIG_CHAT
    moment = datetime.now(UTC)
    await store.add_shared_links([SharedLink(BIG_CHAT, 2**40, big_message, "u", 2**62, moment)])
    assert await store.shared_links(BIG_CHAT, 2**40, moment) == [
        SharedLink(BIG_CHAT, 2**40, big_message, "u", 2**62, moment)
    ]
    await store.set_prefs(2**62, UserPrefs(language="fr"))
    assert await store.get_prefs(2**62) == UserPrefs(language="fr")


async def test_closed_store_raises_store_error(database_url: str) -> None:
    opened = await open_store(database_url)
    await opened.close()
    with pytest.raises(StoreError, match="closed"):
        await opened.latest_article(1)


async def test_sqlite_relative_path_and_wal(tmp_path: Path) -> None:
    opened = await open_store("sqlite:///relative.db")  # tests run with tmp_path as cwd
    await opened.save_article(1, _article(), "text")
    await opened.close()
    with closing(sqlite3.connect(tmp_path / "relative.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


async def test_sqlite_single_statements_wait_for_another_writer(tmp_path: Path) -> None:
    # One-statement writes run without BEGIN IMMEDIATE; they must still wait (busy_timeout)
    # while another process holds the write lock, not fail with "database is locked".
    opened = await open_store(f"sqlite:///{tmp_path / 'bot.db'}")
    article_id = await opened.save_article(1, _article(), "text")
    with closing(sqlite3.connect(tmp_path / "bot.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        writes = asyncio.gather(
            opened.set_summary(article_id, "waited"),
            opened.link_messages(1, [5, 6], article_id),
            opened.set_prefs(1, UserPrefs(language="de")),
        )
        await asyncio.sleep(0.3)
        assert not writes.done()
        other.execute("COMMIT")
        await writes
    stored = await opened.article_for_message(1, 6)
    assert stored is not None
    assert stored.summary == "waited"
    assert await opened.get_prefs(1) == UserPrefs(language="de")
    await opened.close()


async def test_sqlite_in_memory() -> None:
    opened = await open_store("sqlite:///:memory:")
    try:
        article_id = await opened.save_article(1, _article(), "text")
        assert await opened.get_article(article_id) is not None
    finally:
        await opened.close()


async def test_sqlite_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"folder .* is missing"):
        await open_store(f"sqlite:///{tmp_path / 'missing-dir' / 'bot.db'}")


async def test_postgres_unreachable_is_a_store_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        await open_store(f"postgresql://postgres@127.0.0.1:{port}/test")


async def test_unsupported_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        await open_store("mysql://localhost/bot")


async def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "garbage.db").write_bytes(b"this is not a SQLite database, just bytes " * 100)
    with pytest.raises(StoreError, match="cannot set up SQLite"):
        await open_store(f"sqlite:///{tmp_path / 'garbage.db'}")


async def test_replicas_starting_at_once_migrate_a_fresh_database_once() -> None:
    # Several replicas of a deploy open the same empty schema in the same instant: the
    # advisory lock lets one migrate while the others wait, then find the schema current.
    async with postgres_schema() as url:
        opened = await asyncio.gather(*(open_store(url) for _ in range(4)))
        try:
            assert await _recorded_versions(url) == [m.version for m in MIGRATIONS]
            article_id = await opened[0].save_article(1, _article(), "text")
            for store in opened:
                assert (await store.get_article(article_id)) is not None
        finally:
            await asyncio.gather(*(store.close() for store in opened))
