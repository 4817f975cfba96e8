"""Many digest items grouped by topic without a model or embeddings: items that share a word
of their titles and lines form a topic named by that word, the biggest topics first.

Greedy and cheap: the word most items share makes the first topic, then the word most of the
remaining items share, and so on; words nearly every item has say nothing and are skipped.
Items that share no word with another are left for an "other" group at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.core.digest.build import DigestEntry
from bot.core.reading.extractive import terms

MIN_ITEMS_TO_GROUP = 10  # fewer items read fine as one list
MIN_TOPIC_ITEMS = 2
TOO_COMMON = 0.5  # a word in more than this share of the items names no topic
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Topic:
    """Items about one thing; `label` None for the items that fit no topic."""

    label: str | None
    entries: list[DigestEntry]


def group_by_topic(entries: list[DigestEntry]) -> list[Topic]:
    """Topics, the biggest first, then the rest; one unlabelled group for a short list."""
    if len(entries) < MIN_ITEMS_TO_GROUP:
        return [Topic(None, entries)]
    stems = [set(terms(_words_of(entry))) for entry in entries]
    everywhere = Counter(stem for found in stems for stem in found)
    common = {stem for stem, n in everywhere.items() if n > len(entries) * TOO_COMMON}
    stems = [found - common for found in stems]
    remaining = list(range(len(entries)))
    topics: list[Topic] = []
    while remaining:
        counts = Counter(stem for index in remaining for stem in stems[index])
        ranked = [(n, stem) for stem, n in counts.items() if n >= MIN_TOPIC_ITEMS]
        if not ranked:
            break
        _, stem = max(ranked)
        members = [index for index in remaining if stem in stems[index]]
        label = _surface(stem, [entries[index] for index in members])
        topics.append(Topic(label, [entries[index] for index in members]))
        remaining = [index for index in remaining if stem not in stems[index]]
    if remaining:
        topics.append(Topic(None, [entries[index] for index in remaining]))
    return topics


def _words_of(entry: DigestEntry) -> str:
    return f"{entry.title or ''} {entry.line.text}"


def _surface(stem: str, entries: list[DigestEntry]) -> str:
    """The word as the items most often spell it (the stem is cut short)."""
    spelled = Counter(
        word.lower()
        for entry in entries
        for word in _WORD.findall(_words_of(entry))
        if terms(word) == [stem]
    )
    return spelled.most_common(1)[0][0] if spelled else stem
