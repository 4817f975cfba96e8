"""The Store written once in portable SQL; each backend only supplies transactions.

Queries use `?` placeholders (the PostgreSQL backend numbers them) and never contain a literal
`?`. Timestamps are passed as aware datetimes; the SQLite backend stores them as ISO 8601 text
in UTC, which sorts and compares like time itself.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.core.errors import StoreError
from bot.core.models import Article, ChatTurn, SummaryFormat, SummaryLength
from bot.core.store.clock import as_datetime, now
from bot.core.store.connections import ConnectionQueries
from bot.core.store.follows import FollowQueries
from bot.core.store.forget import ForgetQueries
from bot.core.store.holds import HoldQueries
from bot.core.store.kept import KeptQueries
from bot.core.store.queue import RequestQueries
from bot.core.store.recaps import RecapQueries
from bot.core.store.schedules import ScheduleQueries
from bot.core.store.schema import MIGRATIONS, MIGRATIONS_TABLE, Dialect
from bot.core.store.types import StoredArticle, UserPrefs, parse_choice
from bot.core.store.usage import UsageQueries

Row = Sequence[Any]

# Turns kept per conversation; history() asks for far fewer, and this bounds the table.
MAX_TURNS_PER_CONVERSATION = 200

_ARTICLE_COLUMNS = (
    "a.id, a.chat_id, a.source, a.text, a.url, a.title, a.author, a.date, a.sitename,"
    " a.language, a.description, a.summary, a.created_at, a.thread_id"
)


class Session(Protocol):
    """One transaction on one connection."""

    async def execute(self, sql: str, *args: Any) -> None:
        """Run a statement."""
        ...

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Run a query and return all its rows."""
        ...


def _article(row: Row) -> StoredArticle:
    (article_id, chat_id, source, text, url, title, author, date, sitename, language) = row[:10]
    description, summary, created_at, thread_id = row[10:14]
    return StoredArticle(
        id=article_id,
        chat_id=chat_id,
        source=source,
        article=Article(
            text=text,
            url=url,
            title=title,
            author=author,
            date=date,
            sitename=sitename,
            language=language,
            description=description,
        ),
        summary=summary,
        created_at=as_datetime(created_at),
        thread_id=thread_id,
    )


class SQLStore(
    RequestQueries,
    UsageQueries,
    HoldQueries,
    KeptQueries,
    ConnectionQueries,
    RecapQueries,
    ForgetQueries,
    ScheduleQueries,
    FollowQueries,
    ABC,
):
    """Every Store method in SQL that SQLite and PostgreSQL both accept."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._cancel_watchers = []

    @abstractmethod
    def _session(self) -> AbstractAsyncContextManager[Session]:
        """A transaction that commits on success, rolls back on error, and raises StoreError."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections; safe to call twice."""

    async def _statement(self, sql: str, *args: Any) -> list[Row]:
        """Run one statement on its own and return its rows (RETURNING's, for a write).

        A single statement is atomic on its own (its own transaction in autocommit mode), so a
        backend may run it without the explicit transaction of `_session`, saving the BEGIN
        and COMMIT round trips. Several statements that must agree need `_session`.
        """
        async with self._session() as db:
            return await db.fetch(sql, *args)

    async def _query(self, sql: str, *args: Any) -> list[Row]:
        """Run one read-only statement; a backend may run reads side by side with others."""
        return await self._statement(sql, *args)

    async def migrate(self) -> None:
        """Apply the migrations not applied yet, all in one transaction."""
        async with self._session() as db:
            if self._dialect.migration_lock:
                await db.execute(self._dialect.migration_lock)
            await db.execute(MIGRATIONS_TABLE.format(ts=self._dialect.ts))
            applied = {row[0] for row in await db.fetch("SELECT version FROM _migrations")}
            for migration in MIGRATIONS:
                if migration.version in applied:
                    continue
                for statement in migration.render(self._dialect):
                    await db.execute(statement)
                await db.execute(
                    "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    migration.version,
                    migration.name,
                    now(),
                )

    async def save_article(
        self, chat_id: int, article: Article, source: str, thread_id: int = 0
    ) -> int:
        """Store an article seen in a chat's topic, make it the topic's latest, return its id."""
        rows = await self._statement(
            "INSERT INTO articles (chat_id, thread_id, source, text, url, title, author, date,"
            " sitename, language, description, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            chat_id,
            thread_id,
            source,
            article.text,
            article.url,
            article.title,
            article.author,
            article.date,
            article.sitename,
            article.language,
            article.description,
            now(),
        )
        article_id: int = rows[0][0]
        # Two statements, not a transaction of four round trips: under load every round trip
        # waits its turn behind all other queries. Should the second never run, the chat's
        # previous article stays its latest; the condition keeps a late update for an older
        # article from replacing a newer one.
        await self._statement(
            "INSERT INTO latest_articles (chat_id, thread_id, article_id) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id, thread_id) DO UPDATE SET article_id = excluded.article_id"
            " WHERE excluded.article_id > latest_articles.article_id",
            chat_id,
            thread_id,
            article_id,
        )
        return article_id

    async def set_summary(self, article_id: int, summary: str) -> None:
        """Attach (or replace) the summary of an article."""
        rows = await self._statement(
            "UPDATE articles SET summary = ? WHERE id = ? RETURNING id", summary, article_id
        )
        if not rows:
            raise StoreError(f"no article with id {article_id}")

    async def get_article(self, article_id: int) -> StoredArticle | None:
        """The article with this id, or None."""
        return await self._one_article(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?", article_id
        )

    async def link_message(self, chat_id: int, message_id: int, article_id: int) -> None:
        """Remember that a message is about an article (a later link for it wins)."""
        await self.link_messages(chat_id, [message_id], article_id)

    async def link_messages(
        self, chat_id: int, message_ids: Sequence[int], article_id: int
    ) -> None:
        """Remember that several messages of a chat are about an article, in one statement."""
        # PostgreSQL refuses an upsert that touches the same row twice, so each id goes once.
        unique = list(dict.fromkeys(message_ids))
        if not unique:
            return
        rows = ", ".join(["(?, ?, ?)"] * len(unique))
        args = [value for message_id in unique for value in (chat_id, message_id, article_id)]
        await self._statement(
            f"INSERT INTO message_links (chat_id, message_id, article_id) VALUES {rows}"
            " ON CONFLICT (chat_id, message_id) DO UPDATE SET article_id = excluded.article_id",
            *args,
        )

    async def article_for_message(self, chat_id: int, message_id: int) -> StoredArticle | None:
        """The article a message is about, or None."""
        return await self._one_article(
            f"SELECT {_ARTICLE_COLUMNS} FROM message_links m"
            " JOIN articles a ON a.id = m.article_id WHERE m.chat_id = ? AND m.message_id = ?",
            chat_id,
            message_id,
        )

    async def latest_article(self, chat_id: int, thread_id: int = 0) -> StoredArticle | None:
        """The topic's most recent article, or None (never set, or after /reset)."""
        return await self._one_article(
            f"SELECT {_ARTICLE_COLUMNS} FROM latest_articles l"
            " JOIN articles a ON a.id = l.article_id WHERE l.chat_id = ? AND l.thread_id = ?",
            chat_id,
            thread_id,
        )

    async def add_turns(self, chat_id: int, article_id: int, turns: Sequence[ChatTurn]) -> None:
        """Append turns (a question and its answer) to the conversation in one transaction,
        dropping turns beyond the kept maximum."""
        if not turns:
            return
        created = now()
        async with self._session() as db:
            await db.execute(
                "INSERT INTO turns (chat_id, article_id, role, content, created_at) VALUES "
                + ", ".join(["(?, ?, ?, ?, ?)"] * len(turns)),
                *(
                    value
                    for turn in turns
                    for value in (chat_id, article_id, turn.role, turn.content, created)
                ),
            )
            await db.execute(
                "DELETE FROM turns WHERE chat_id = ? AND article_id = ? AND id <= ("
                " SELECT id FROM turns WHERE chat_id = ? AND article_id = ?"
                " ORDER BY id DESC LIMIT 1 OFFSET ?)",
                chat_id,
                article_id,
                chat_id,
                article_id,
                MAX_TURNS_PER_CONVERSATION,
            )

    async def history(self, chat_id: int, article_id: int, limit: int = 20) -> list[ChatTurn]:
        """The most recent `limit` turns about an article, oldest first."""
        if limit < 0:
            raise ValueError(f"limit must be >= 0, not {limit}")
        rows = await self._query(
            "SELECT role, content FROM ("
            " SELECT id, role, content FROM turns WHERE chat_id = ? AND article_id = ?"
            " ORDER BY id DESC LIMIT ?) recent ORDER BY id",
            chat_id,
            article_id,
            limit,
        )
        return [ChatTurn(role=role, content=content) for role, content in rows]

    async def reset_chat(self, chat_id: int, thread_id: int = 0) -> None:
        """Forget a topic's conversation turns and latest pointer (articles and links stay)."""
        async with self._session() as db:
            await db.execute(
                "DELETE FROM turns WHERE chat_id = ? AND article_id IN ("
                " SELECT id FROM articles WHERE chat_id = ? AND thread_id = ?)",
                chat_id,
                chat_id,
                thread_id,
            )
            await db.execute(
                "DELETE FROM latest_articles WHERE chat_id = ? AND thread_id = ?",
                chat_id,
                thread_id,
            )

    async def get_prefs(self, user_id: int) -> UserPrefs:
        """The user's preferences; all defaults when never set."""
        rows = await self._query(
            "SELECT length, language, format, ui_language FROM user_prefs WHERE user_id = ?",
            user_id,
        )
        if not rows:
            return UserPrefs()
        length, language, summary_format, ui_language = rows[0]
        return UserPrefs(
            length=parse_choice(SummaryLength, length),
            language=language,
            format=parse_choice(SummaryFormat, summary_format),
            ui_language=ui_language,
        )

    async def set_prefs(self, user_id: int, prefs: UserPrefs) -> None:
        """Replace the user's preferences."""
        await self._statement(
            "INSERT INTO user_prefs (user_id, length, language, format, ui_language, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " length = excluded.length, language = excluded.language,"
            " format = excluded.format, ui_language = excluded.ui_language,"
            " updated_at = excluded.updated_at",
            user_id,
            prefs.length.value if prefs.length is not None else None,
            prefs.language,
            prefs.format.value if prefs.format is not None else None,
            prefs.ui_language,
            now(),
        )

    async def get_chat_settings(self, chat_id: int) -> dict[str, Any]:
        """The chat's settings; empty when never set."""
        rows = await self._query("SELECT settings FROM chat_settings WHERE chat_id = ?", chat_id)
        if not rows:
            return {}
        settings = json.loads(rows[0][0])
        if not isinstance(settings, dict):
            raise StoreError(f"chat {chat_id} settings are not a JSON object")
        return settings

    async def set_chat_settings(self, chat_id: int, settings: dict[str, Any]) -> None:
        """Replace the chat's settings (a JSON-serializable dict)."""
        try:
            document = json.dumps(settings, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"chat settings must be JSON-serializable: {exc}") from exc
        await self._statement(
            "INSERT INTO chat_settings (chat_id, settings, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET"
            " settings = excluded.settings, updated_at = excluded.updated_at",
            chat_id,
            document,
            now(),
        )

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a chat's data to its new id; rows the new chat already has win."""
        if old_chat_id == new_chat_id:
            return
        async with self._session() as db:
            for table in ("articles", "turns", "digest_items", "kept_messages"):
                await db.execute(
                    f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", new_chat_id, old_chat_id
                )
            # One row per chat (per topic): the new chat's own, if any, is the more recent.
            await db.execute(
                "UPDATE latest_articles SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS ("
                " SELECT 1 FROM latest_articles l WHERE l.chat_id = ?"
                " AND l.thread_id = latest_articles.thread_id)",
                new_chat_id,
                old_chat_id,
                new_chat_id,
            )
            await db.execute(
                "UPDATE chat_settings SET chat_id = ? WHERE chat_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM chat_settings WHERE chat_id = ?)",
                new_chat_id,
                old_chat_id,
                new_chat_id,
            )
            await _migrate_schedules(db, old_chat_id, new_chat_id)
            for table in ("latest_articles", "chat_settings", "digest_schedules", "digest_runs"):
                await db.execute(f"DELETE FROM {table} WHERE chat_id = ?", old_chat_id)

    async def _one_article(self, sql: str, *args: Any) -> StoredArticle | None:
        rows = await self._query(sql, *args)
        return _article(rows[0]) if rows else None


async def _migrate_schedules(db: Session, old_chat_id: int, new_chat_id: int) -> None:
    """Move the chat's schedules and runs, and point channel schedules posting to it at the new
    id; a topic's schedule (a period's run) the new chat has already wins."""
    for table, key in (
        ("digest_schedules", ("thread_id",)),
        ("digest_runs", ("thread_id", "period")),
    ):
        same = " AND ".join(f"o.{column} = {table}.{column}" for column in key)
        await db.execute(
            f"UPDATE {table} SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS ("
            f" SELECT 1 FROM {table} o WHERE o.chat_id = ? AND {same})",
            new_chat_id,
            old_chat_id,
            new_chat_id,
        )
        await db.execute(
            f"UPDATE {table} SET post_chat_id = ? WHERE post_chat_id = ?", new_chat_id, old_chat_id
        )
