"""Kept message texts (for recaps), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.models import ChatTurn
from bot.core.store.types import DIGEST_SOURCE, KeptMessage, SharedLink, Store
from tests.test_store import BIG_CHAT, OTHER_CHAT, _article, database_url, store

__all__ = ["database_url", "store"]


def _kept(message_id: int, at: datetime, text: str, thread_id: int = 0) -> KeptMessage:
    return KeptMessage(BIG_CHAT, thread_id, message_id, "Ann @ann", text, at)


async def test_kept_messages_since_per_topic_and_pruned(store: Store) -> None:
    cut = datetime.now(UTC)
    await store.add_kept_messages(
        [
            _kept(1, cut - timedelta(days=40), "old"),
            _kept(2, cut, "we pick the venue"),
            _kept(3, cut + timedelta(seconds=1), "in a topic", thread_id=7),
            KeptMessage(OTHER_CHAT, 0, 2, None, "another chat", cut),
        ]
    )
    recent = await store.kept_messages(BIG_CHAT, 0, since=cut - timedelta(minutes=1))
    assert recent == [_kept(2, cut, "we pick the venue")]
    assert [m.text for m in await store.kept_messages(BIG_CHAT, 7, cut)] == ["in a topic"]
    await store.prune_kept(shared_before=cut - timedelta(days=30), at=cut)
    everything = await store.kept_messages(BIG_CHAT, 0, since=cut - timedelta(days=60))
    assert [m.message_id for m in everything] == [2]
    assert [m.author for m in await store.kept_messages(OTHER_CHAT, 0, cut)] == [None]


async def test_kept_messages_move_with_the_chat(store: Store) -> None:
    cut = datetime.now(UTC)
    await store.add_kept_messages([_kept(5, cut, "before the upgrade")])
    await store.migrate_chat(BIG_CHAT, OTHER_CHAT)
    assert await store.kept_messages(BIG_CHAT, 0, cut) == []
    assert [m.text for m in await store.kept_messages(OTHER_CHAT, 0, cut)] == ["before the upgrade"]


async def test_forget_chat_deletes_everything_of_that_chat_only(store: Store) -> None:
    cut = datetime.now(UTC)
    since = cut - timedelta(hours=1)
    for chat in (BIG_CHAT, OTHER_CHAT):
        article_id = await store.save_article(chat, _article(chat), "text")
        await store.link_message(chat, 3, article_id)
        await store.add_turns(chat, article_id, [ChatTurn(role="user", content="q")])
        await store.set_chat_settings(chat, {"recaps": True})
        await store.add_shared_links([SharedLink(chat, 0, 4, "https://example.org/a", None, cut)])
        await store.add_kept_messages([KeptMessage(chat, 0, 5, "Ann", "hello", cut)])

    await store.forget_chat(BIG_CHAT)

    assert await store.latest_article(BIG_CHAT) is None
    assert await store.article_for_message(BIG_CHAT, 3) is None
    assert await store.get_chat_settings(BIG_CHAT) == {}
    assert await store.shared_links(BIG_CHAT, 0, since) == []
    assert await store.kept_messages(BIG_CHAT, 0, since) == []
    kept = await store.latest_article(OTHER_CHAT)
    assert kept is not None
    assert await store.history(OTHER_CHAT, kept.id) == [ChatTurn(role="user", content="q")]
    assert await store.get_chat_settings(OTHER_CHAT) == {"recaps": True}
    assert len(await store.shared_links(OTHER_CHAT, 0, since)) == 1
    assert len(await store.kept_messages(OTHER_CHAT, 0, since)) == 1


async def test_what_a_digest_covered_is_pruned_with_the_kept_messages(store: Store) -> None:
    cut = datetime.now(UTC)
    material = await store.save_article(BIG_CHAT, _article(1), DIGEST_SOURCE)
    await store.link_message(BIG_CHAT, 8, material)
    summary = await store.save_article(BIG_CHAT, _article(2), "text")
    await store.prune_kept(shared_before=cut - timedelta(days=30), at=cut)
    assert await store.article_for_message(BIG_CHAT, 8) is not None
    await store.prune_kept(shared_before=cut + timedelta(minutes=1), at=cut)
    assert await store.article_for_message(BIG_CHAT, 8) is None
    assert await store.get_article(material) is None
    assert await store.get_article(summary) is not None  # articles read on request stay
