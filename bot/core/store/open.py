"""`open_store`: the one place that knows every backend, chosen by the database URL."""

from __future__ import annotations

from bot.core.errors import ConfigError
from bot.core.store.types import Store


async def open_store(database_url: str) -> Store:
    """Connect to `sqlite:///path.db` or `postgresql://...` and bring the schema up to date."""
    store: Store
    if database_url.startswith("sqlite:///"):
        from bot.core.store.sqlite import open_sqlite

        store = await open_sqlite(database_url.removeprefix("sqlite:///"))
    elif database_url.startswith(("postgresql://", "postgres://")):
        from bot.core.store.postgres import open_postgres

        store = await open_postgres(database_url)
    else:
        raise ConfigError(
            "DATABASE_URL must be sqlite:///path.db or postgresql://user@host/db, "
            f"not {database_url.split(':', 1)[0]!r}"
        )
    try:
        await store.migrate()
    except BaseException:
        await store.close()
        raise
    return store
