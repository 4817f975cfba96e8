"""The Store's /forget: everything kept for one chat deleted, portable SQL."""

from __future__ import annotations

from bot.core.store.statements import Statements

# Rows that hang on the chat's articles go first (they may sit under another chat's id after
# a migration), then everything kept under the chat's id; `forget_chat` runs them in order.
_STATEMENTS = (
    *(
        f"DELETE FROM {table} WHERE chat_id = ? OR article_id IN"
        " (SELECT id FROM articles WHERE chat_id = ?)"
        for table in ("message_links", "turns", "latest_articles")
    ),
    "DELETE FROM articles WHERE chat_id = ?",
    "DELETE FROM digest_items WHERE chat_id = ?",
    "DELETE FROM kept_messages WHERE chat_id = ?",
    "DELETE FROM chat_settings WHERE chat_id = ?",
    # Its digest schedule is one of its settings; its digests' runs hold their text (and
    # so do those posted here from a channel, and those of the channel schedules its user set).
    "DELETE FROM digest_schedules WHERE chat_id = ?",
    "DELETE FROM digest_runs WHERE chat_id = ? OR post_chat_id = ? OR admin_id = ?",
    # A private chat's id is its user's: the user's own choices are that chat's settings, and
    # the user's channels are what its digests cover: those followed (one nobody else follows
    # is no longer polled), those connected, and the channel schedules the user set. Usage
    # stays, so that forgetting does not reset budgets.
    "DELETE FROM user_prefs WHERE user_id = ?",
    "DELETE FROM followed_channels WHERE channel IN"
    " (SELECT channel FROM follows WHERE user_chat_id = ?) AND NOT EXISTS (SELECT 1 FROM follows"
    " WHERE follows.channel = followed_channels.channel AND follows.user_chat_id <> ?)",
    "DELETE FROM follows WHERE user_chat_id = ?",
    "DELETE FROM channel_connections WHERE user_id = ?",
    "DELETE FROM digest_schedules WHERE admin_id = ?",
)


class ForgetQueries(Statements):
    """The Store's forget method; `SQLStore` supplies the statements."""

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything kept for the chat: articles, turns, links, texts, settings, its digest
        schedule and digests, and
        for a private chat its user's followed and connected channels and their schedules."""
        async with self._session() as db:
            for sql in _STATEMENTS:
                await db.execute(sql, *[chat_id] * sql.count("?"))
