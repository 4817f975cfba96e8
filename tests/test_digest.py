"""The digest's core: its period, each article once, topics, and old links forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram import Chat

from bot.core.digest.build import Digest, DigestEntry, Shared, Unreadable, group_shares
from bot.core.digest.period import digest_start, parse_period
from bot.core.digest.topics import MIN_ITEMS_TO_GROUP, Topic, group_by_topic
from bot.core.errors import FetchTimeoutError
from bot.core.models import Summary, SummaryLength
from bot.core.service import Service
from bot.core.store.types import SharedLink
from bot.telegram.digest_render import digest_messages
from tests.test_summary_cache import service

__all__ = ["service"]  # the fixture, shared with test_summary_cache

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24h", timedelta(hours=24)),
        ("3d", timedelta(days=3)),
        (" 7D ", timedelta(days=7)),
        ("8d", None),
        ("0h", None),
        ("2w", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_periods(value: str, expected: timedelta | None) -> None:
    assert parse_period(value) == expected


@pytest.mark.parametrize(
    ("period", "last", "expected"),
    [
        (timedelta(days=3), NOW - timedelta(hours=1), NOW - timedelta(days=3)),
        (None, NOW - timedelta(hours=5), NOW - timedelta(hours=5)),
        (None, NOW - timedelta(days=30), NOW - timedelta(days=7)),
        (None, None, NOW - timedelta(hours=24)),
    ],
)
def test_a_digest_starts_at_the_period_else_the_last_digest(
    period: timedelta | None, last: datetime | None, expected: datetime
) -> None:
    assert digest_start(period, last, NOW) == expected


def test_the_same_article_shared_again_is_one_item_with_the_first_share() -> None:
    links = [
        SharedLink(-1001, 0, 1, "https://example.org/a?utm_medium=x", 1, NOW),
        SharedLink(-1001, 0, 2, "https://example.org/b", 2, NOW),
        SharedLink(-1001, 0, 3, "https://EXAMPLE.org/a#top", 3, NOW),
    ]
    shares = group_shares(links)
    assert [(share.first.message_id, share.times) for share in shares] == [(1, 2), (2, 1)]


async def test_links_older_than_the_retention_are_pruned(service: Service) -> None:
    now = datetime.now(UTC)
    old = SharedLink(-1001, 0, 1, "https://example.org/old", 1, now - timedelta(days=31))
    new = SharedLink(-1001, 0, 2, "https://example.org/new", 1, now)
    await service.digests.collect_links([old, new])
    assert service.store is not None
    kept = await service.store.shared_links(-1001, 0, now - timedelta(days=60))
    assert [link.url for link in kept] == ["https://example.org/new"]


def _entry(n: int, title: str) -> DigestEntry:
    link = SharedLink(-1001, 0, n, f"https://example.org/{n}", 1, NOW)
    line = Summary("What happened there.", "en", SummaryLength.SHORT)
    return DigestEntry(Shared(link, 1), title, link.url, line)


def test_a_digest_is_empty_only_without_articles_and_unreadable_links() -> None:
    entry = _entry(1, "Ferry news")
    unreadable = Unreadable(entry.shared, FetchTimeoutError("too slow"))
    assert Digest().empty
    assert not Digest(entries=[entry]).empty
    assert not Digest(unreadable=[unreadable]).empty


TITLES = [
    "Eels return to Lake Varnholm",
    "Ferry timetable changes in May",
    "Why the ferry is late again",
    "Glass eels counted by volunteers",
    "The ferry gets a new captain",
    "Eels and the old mill",
    "A ferry strike is called off",
    "Bread prices rise",
    "Ferry tickets go digital",
    "Chess club opens",
    "The eels' long way home",
]


def test_many_items_are_grouped_by_topic_biggest_first() -> None:
    topics = group_by_topic([_entry(n, title) for n, title in enumerate(TITLES)])
    assert [(topic.label, len(topic.entries)) for topic in topics] == [
        ("ferry", 5),
        ("eels", 4),
        (None, 2),
    ]
    assert topics[1].entries[0].title == "Eels return to Lake Varnholm"  # in shared order


def test_a_short_digest_is_one_list() -> None:
    entries = [_entry(n, f"Ferry news {n}") for n in range(MIN_ITEMS_TO_GROUP - 1)]
    assert group_by_topic(entries) == [Topic(None, entries)]


def test_a_grouped_digest_heads_each_topic_and_numbers_items_through() -> None:
    digest = Digest(entries=[_entry(n, title) for n, title in enumerate(TITLES)])
    [message] = digest_messages(digest, Chat(-1001, "supergroup"), NOW, "en")
    assert message.index("<b>Ferry</b> · 5\n<b>1.</b>") < message.index(
        "<b>Eels</b> · 4\n<b>6.</b>"
    )
    assert "<b>Other</b> · 2\n<b>10.</b>" in message
    assert "<b>11.</b>" in message
