"""A PostgreSQL schema of its own for one test or bench run, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


@asynccontextmanager
async def scratch_schema(admin: asyncpg.Connection, url: str, prefix: str) -> AsyncIterator[str]:
    """`url` with its search_path set to a new schema, which is dropped at the end."""
    schema = f"{prefix}_{uuid.uuid4().hex}"
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}search_path={schema}"
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
