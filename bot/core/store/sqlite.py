"""The SQLite backend (the only aiosqlite user): one connection, writes taken in turn."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.errors import StoreError
from bot.core.store.clock import as_utc
from bot.core.store.schema import Dialect
from bot.core.store.sql import Row, Session, SQLStore
from bot.core.store.types import UserPrefs

# AUTOINCREMENT: an id is never reused, so an old message link can't point at a newer article.
SQLITE = Dialect(id="INTEGER PRIMARY KEY AUTOINCREMENT", ts="TEXT", json="TEXT")

_SETUP_ATTEMPTS = 10
_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",  # first: wait for another process's lock instead of failing
    "PRAGMA journal_mode = WAL",  # readers don't block the writer (another process, a backup)
    "PRAGMA synchronous = NORMAL",  # durable enough with WAL, and much faster
    "PRAGMA foreign_keys = ON",
)

# Preferences kept in memory, most recently used first out of the cache's way (~200 B each).
PREFS_REMEMBERED = 10_000
# RETURNING arrived in SQLite 3.35 (2021).
_MIN_SQLITE = (3, 35, 0)


def _param(value: Any) -> Any:
    # sqlite3's default datetime adapter is deprecated; store sortable UTC ISO text instead.
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    return value


class _SqliteSession:
    """A Session over the shared aiosqlite connection."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, *args: Any) -> None:
        """Run a statement."""
        await self._connection.execute(sql, [_param(arg) for arg in args])

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        """Run a query and return all its rows."""
        rows = await self._connection.execute_fetchall(sql, [_param(arg) for arg in args])
        return [tuple(row) for row in rows]


class SqliteStore(SQLStore):
    """The Store in one SQLite file (or in memory)."""

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        super().__init__(SQLITE)
        self._connection: aiosqlite.Connection | None = connection
        self._path = path
        # One connection serves everyone, so transactions must not interleave on it.
        self._lock = asyncio.Lock()
        # Preferences are read for every request and written only by /settings through this
        # store, and one bot process owns the file: remembered ones cannot go stale. Under load
        # each lookup saved is a turn on the lock behind every other query (bench/concurrency.py).
        self._prefs: OrderedDict[int, UserPrefs] = OrderedDict()

    async def get_prefs(self, user_id: int) -> UserPrefs:
        """The user's preferences; all defaults when never set."""
        prefs = self._prefs.get(user_id)
        if prefs is None:
            prefs = await super().get_prefs(user_id)
        self._remember(user_id, prefs)
        return prefs

    async def set_prefs(self, user_id: int, prefs: UserPrefs) -> None:
        """Replace the user's preferences."""
        self._prefs.pop(user_id, None)  # a failed write must not leave the new value behind
        await super().set_prefs(user_id, prefs)
        self._remember(user_id, prefs)

    def _remember(self, user_id: int, prefs: UserPrefs) -> None:
        self._prefs[user_id] = prefs
        self._prefs.move_to_end(user_id)
        if len(self._prefs) > PREFS_REMEMBERED:
            self._prefs.popitem(last=False)

    @contextmanager
    def _open_connection(self, *also: type[Exception]) -> Iterator[aiosqlite.Connection]:
        """The connection unless closed; driver errors (and `also`) raised as StoreError."""
        if self._connection is None:
            raise StoreError(f"the store {self._path!r} is closed")
        translated: tuple[type[Exception], ...] = (sqlite3.Error, *also)
        try:
            yield self._connection
        except translated as exc:
            raise StoreError(f"SQLite {self._path!r}: {exc}") from exc

    @asynccontextmanager
    async def _connection_in_turn(self) -> AsyncIterator[aiosqlite.Connection]:
        """The open connection, ours alone until the block ends; driver errors as StoreError."""
        async with self._lock:
            with self._open_connection() as connection:
                # A cancelled caller may have left its transaction open.
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                yield connection

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[Session]:
        async with self._connection_in_turn() as connection:
            # IMMEDIATE takes the write lock up front, so busy_timeout applies to it.
            await connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteSession(connection)
            except BaseException:
                await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")

    async def _statement(self, sql: str, *args: Any) -> list[Row]:
        """One statement in autocommit mode, where SQLite makes it its own transaction (a write
        takes the write lock at its start, so busy_timeout applies as with BEGIN IMMEDIATE).
        Each BEGIN/COMMIT skipped is a hop to the driver's thread and back."""
        async with self._connection_in_turn() as connection:
            return await _SqliteSession(connection).fetch(sql, *args)

    async def _query(self, sql: str, *args: Any) -> list[Row]:
        """A read does not wait for its turn: the driver's thread runs calls in order anyway,
        and under load each turn on the lock costs a pass of the busy event loop. Amid another
        caller's transaction a read may see its not yet committed rows, which is harmless here."""
        with self._open_connection(ValueError) as connection:  # ValueError: closed meanwhile
            return await _SqliteSession(connection).fetch(sql, *args)

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                await connection.close()


async def open_sqlite(path: str) -> SqliteStore:
    """Open (creating when absent) the SQLite database at `path`, or ":memory:"."""
    if sqlite3.sqlite_version_info < _MIN_SQLITE:
        raise StoreError(f"SQLite {sqlite3.sqlite_version} is too old: 3.35 or newer is needed")
    # Checked up front for a clear message, and because a failed aiosqlite.connect leaves its
    # worker thread to report to the event loop later, which fails once the loop has closed.
    folder = Path(path).parent
    if path != ":memory:" and not folder.is_dir():
        raise StoreError(f"cannot open SQLite database {path!r}: folder {str(folder)!r} is missing")
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        connection = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open SQLite database {path!r}: {exc}") from exc
    try:
        await _set_up(connection)
    except sqlite3.Error as exc:
        await connection.close()
        raise StoreError(f"cannot set up SQLite database {path!r}: {exc}") from exc
    return SqliteStore(connection, path)


async def _set_up(connection: aiosqlite.Connection) -> None:
    """Apply the pragmas, retrying while another process switches a new file to WAL.

    Two processes creating the same database can deadlock on the switch to WAL; SQLite then
    answers "database is locked" at once instead of waiting, so we wait and try again.
    """
    for attempt in range(_SETUP_ATTEMPTS):
        try:
            for pragma in _PRAGMAS:
                await connection.execute(pragma)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _SETUP_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))
