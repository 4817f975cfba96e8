"""Forum topics in the store: each topic keeps its own latest article and conversation, and
an upgrade to a supergroup moves every topic (SQLite and PostgreSQL, the fixtures of test_store)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import asyncpg
import pytest

from bot.core.models import Article, ChatTurn
from bot.core.store import sql
from bot.core.store.open import open_store
from bot.core.store.schema import MIGRATIONS
from bot.core.store.types import Store
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

FORUM = -1009876543210
TOPIC_A, TOPIC_B = 11, 22
QUESTION = [ChatTurn("user", "why?"), ChatTurn("assistant", "because")]


def _article(n: int) -> Article:
    return Article(text=f"Article {n} text.", url=f"https://example.org/{n}", title=f"Title {n}")


async def _latest_id(store: Store, chat_id: int, thread_id: int) -> int | None:
    latest = await store.latest_article(chat_id, thread_id)
    return latest.id if latest else None


async def test_each_topic_has_its_own_latest_article(store: Store) -> None:
    in_a = await store.save_article(FORUM, _article(1), "text", TOPIC_A)
    in_b = await store.save_article(FORUM, _article(2), "text", TOPIC_B)
    in_general = await store.save_article(FORUM, _article(3), "text")
    assert await _latest_id(store, FORUM, TOPIC_A) == in_a
    assert await _latest_id(store, FORUM, TOPIC_B) == in_b
    assert await _latest_id(store, FORUM, 0) == in_general
    assert await _latest_id(store, FORUM, 33) is None
    stored = await store.get_article(in_a)
    assert stored is not None
    assert stored.thread_id == TOPIC_A


async def test_reset_forgets_one_topic_only(store: Store) -> None:
    in_a = await store.save_article(FORUM, _article(1), "text", TOPIC_A)
    in_b = await store.save_article(FORUM, _article(2), "text", TOPIC_B)
    await store.add_turns(FORUM, in_a, QUESTION)
    await store.add_turns(FORUM, in_b, QUESTION)
    await store.reset_chat(FORUM, TOPIC_A)
    assert await _latest_id(store, FORUM, TOPIC_A) is None
    assert await store.history(FORUM, in_a) == []
    assert await _latest_id(store, FORUM, TOPIC_B) == in_b
    assert await store.history(FORUM, in_b) == QUESTION


async def test_an_upgrade_moves_every_topic_and_keeps_the_new_chats_own(store: Store) -> None:
    old, new = -77, FORUM
    general = await store.save_article(old, _article(1), "text")
    in_a = await store.save_article(old, _article(2), "text", TOPIC_A)
    own = await store.save_article(new, _article(3), "text", TOPIC_A)
    await store.migrate_chat(old, new)
    assert await _latest_id(store, new, 0) == general
    assert await _latest_id(store, new, TOPIC_A) == own
    assert await _latest_id(store, old, 0) is None
    moved = await store.get_article(in_a)
    assert moved is not None
    assert moved.chat_id == new


async def test_the_latest_article_survives_the_topics_migration(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database of the release before topics (migrations 1 and 2) with a chat's latest article.
    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS[:2])
    before = await open_store(database_url)
    await before.close()
    monkeypatch.undo()
    await _execute(
        database_url,
        "INSERT INTO articles (chat_id, source, text, created_at)"
        f" VALUES ({FORUM}, 'text', 'Old text.', '2026-01-01T00:00:00+00:00')",
        "INSERT INTO latest_articles (chat_id, article_id) SELECT chat_id, id FROM articles",
    )
    after = await open_store(database_url)
    try:
        latest = await after.latest_article(FORUM)
        assert latest is not None
        assert latest.article.text == "Old text."
        assert latest.thread_id == 0
    finally:
        await after.close()


async def _execute(database_url: str, *statements: str) -> None:
    """Run statements with the driver itself, as an older release of the bot would have."""
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            for statement in statements:
                db.execute(statement)
            db.commit()
        return
    connection = await asyncpg.connect(database_url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()
