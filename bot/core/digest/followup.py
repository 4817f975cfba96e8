"""What a digest covered, as one text to answer replies to it from: its articles, numbered as
in the digest, and the group's messages it recapped, each under its id."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.digest.build import Digest
from bot.core.models import Article
from bot.core.store.types import KeptMessage

# Each article's share of the material: a follow-up retrieves passages from longer material.
ARTICLE_CHARS = 40_000


def digest_material(digest: Digest, messages: Sequence[KeptMessage], title: str) -> Article:
    """The digest's articles and recapped messages as one article, citable by number and id."""
    parts = [
        "What a group shared, gathered for its digest: the articles (numbered as in the digest) "
        "and the group's messages (each under its message id in square brackets). An answer "
        "cites the messages it draws on by that id, e.g. [123], and the articles by number."
    ]
    for number, entry in enumerate(digest.entries, 1):
        heading = f"Article {number}: {entry.title or entry.url} ({entry.url})"
        parts.append(f"{heading}\n{entry.text[:ARTICLE_CHARS].strip()}")
    if messages:
        lines = (
            f"[{m.message_id}] {m.author or 'the group'}: {' '.join(m.text.split())}"
            for m in messages
        )
        parts.append("The group's messages:\n" + "\n".join(lines))
    return Article(text="\n\n".join(parts), title=title)
