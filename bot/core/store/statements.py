"""What the Store's query mixins (requests, usage, cache and links) need of `SQLStore`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager
from typing import Any


class Statements(ABC):
    """Transactions and statements, in the backend's own SQL dialect."""

    @abstractmethod
    def _session(self) -> AbstractAsyncContextManager[Any]:
        """A transaction."""

    @abstractmethod
    async def _statement(self, sql: str, *args: Any) -> list[Any]:
        """One statement on its own."""

    @abstractmethod
    async def _query(self, sql: str, *args: Any) -> list[Any]:
        """One read-only statement."""
