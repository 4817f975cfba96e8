"""What chats keep, the store's side of the service: articles, conversations, choices and
settings, by plain integer ids."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.store.types import ChatSettings, Store, StoredArticle, UserPrefs


class ChatMemory:
    """Mixed into `Service`, which declares `store` among its fields."""

    store: Store | None

    async def article(self, article_id: int) -> StoredArticle | None:
        """A stored article by its id, if it is still kept."""
        return await self._store().get_article(article_id)

    async def article_for_message(self, chat_id: int, message_id: int) -> StoredArticle | None:
        """The article a message of the chat is about, if any."""
        return await self._store().article_for_message(chat_id, message_id)

    async def latest_article(self, chat_id: int, thread_id: int = 0) -> StoredArticle | None:
        """The most recent article of the chat's topic (0: outside topics), if any."""
        return await self._store().latest_article(chat_id, thread_id)

    async def link_messages(
        self, chat_id: int, message_ids: Sequence[int], article_id: int
    ) -> None:
        """Remember that these messages are about the article (a reply to one then reaches it)."""
        await self._store().link_messages(chat_id, message_ids, article_id)

    async def reset_chat(self, chat_id: int, thread_id: int = 0) -> None:
        """Forget the conversation of the chat's topic (articles and links stay)."""
        await self._store().reset_chat(chat_id, thread_id)

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything kept for the chat (/forget)."""
        await self._store().forget_chat(chat_id)

    async def prefs(self, user_id: int) -> UserPrefs:
        """The user's choices; all unset when never chosen."""
        return await self._store().get_prefs(user_id)

    async def save_prefs(self, user_id: int, prefs: UserPrefs) -> None:
        """Replace the user's choices."""
        await self._store().set_prefs(user_id, prefs)

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        """A group's settings, chosen by its admins; all defaults when never set."""
        return ChatSettings.from_json(await self._store().get_chat_settings(chat_id))

    async def save_chat_settings(self, chat_id: int, settings: ChatSettings) -> None:
        """Replace a group's settings (keys other features keep in the same document stay)."""
        store = self._store()
        stored = await store.get_chat_settings(chat_id)
        await store.set_chat_settings(chat_id, settings.to_json(stored))

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its settings, articles and conversations move along."""
        await self._store().migrate_chat(old_chat_id, new_chat_id)

    def _store(self) -> Store:
        if self.store is None:
            raise RuntimeError("this service was opened without a database")
        return self.store
