"""What a Telegram message holds: links, text, a document, and what the user likely wants."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from telegram import Document, Message, MessageEntity, MessageOriginChannel

from bot.core.models import Article
from bot.core.reading.sources import looks_like_url

# Pasted text at least this long is an article to summarize; shorter text is a question
# about the chat's latest article (or a hint when there is none).
PASTE_MIN_CHARS = 400
MAX_LINKS_PER_MESSAGE = 5
# A caption asking something of its document, rather than describing it.
_QUESTION = re.compile(r"[?？؟]\s*$")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # the most a bot may download from Telegram
DOCUMENT_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".pdf"})
DOCUMENT_TYPES = frozenset({"application/pdf", "application/xhtml+xml"})


class Intent(Enum):
    """What the user most likely wants from a message."""

    LINKS = "links"
    PASTE = "paste"
    QUESTION = "question"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Incoming:
    """The useful content of a message."""

    text: str  # message text or caption, without the links that are the whole message
    links: list[str]
    forwarded: bool

    def intent(self) -> Intent:
        """Links beat text; long or forwarded text is an article; short text is a question."""
        if self.links and (len(self.text) < PASTE_MIN_CHARS):
            return Intent.LINKS
        if self.forwarded or len(self.text) >= PASTE_MIN_CHARS:
            return Intent.PASTE if self.text else Intent.NOTHING
        return Intent.QUESTION if self.text else Intent.NOTHING


def read_message(message: Message) -> Incoming:
    """Collect the text and links (plain URLs and text links) of a message, in order."""
    text = message.text or message.caption or ""
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    links: list[str] = []
    for entity, value in entities.items():
        url = entity.url if entity.type == MessageEntity.TEXT_LINK else value
        if entity.type in (MessageEntity.URL, MessageEntity.TEXT_LINK) and url and url not in links:
            links.append(url)
    links = [link for link in links if looks_like_url(link)]
    prose = _without_links(text, entities, links)
    return Incoming(text=prose, links=links, forwarded=message.forward_origin is not None)


def with_forward_source(article: Article, holder: Message) -> Article:
    """A forwarded channel post's article, its site the channel and its link the post's."""
    origin = holder.forward_origin
    if not isinstance(origin, MessageOriginChannel):
        return article
    chat = origin.chat
    # A private channel's posts are linked by its id without the -100 prefix (members only).
    where = chat.username or f"c/{str(chat.id).removeprefix('-100')}"
    link = f"https://t.me/{where}/{origin.message_id}"
    return dataclasses.replace(article, sitename=chat.title or chat.username, url=link)


def is_question(text: str) -> bool:
    """Whether text (a document's caption) asks a question."""
    return bool(_QUESTION.search(text))


def without_mention(text: str, bot_username: str) -> str:
    """The text with the bot's @mention removed (so "@bot what is X?" asks "what is X?")."""
    return " ".join(word for word in text.split() if word.lower() != f"@{bot_username}".lower())


def links_in_text(text: str) -> list[str]:
    """Links typed as command arguments (`/summarize example.com/a b.org/c`)."""
    return [word for word in text.split() if looks_like_url(word)]


def document_problem(document: Document) -> str | None:
    """The catalog key explaining why a document can't be read, or None when it can."""
    if document.file_size is not None and document.file_size > MAX_DOCUMENT_BYTES:
        return "document.too_large"
    suffix = Path(document.file_name or "").suffix.lower()
    mime = (document.mime_type or "").lower()
    if suffix in DOCUMENT_SUFFIXES or mime in DOCUMENT_TYPES or mime.startswith("text/"):
        return None
    return "document.unsupported"


def _without_links(text: str, entities: dict[MessageEntity, str], links: list[str]) -> str:
    """The message text minus plain URLs, so "look: https://x" counts as links only."""
    for entity, value in entities.items():
        if entity.type == MessageEntity.URL and value in links:
            text = text.replace(value, " ")
    return " ".join(text.split()) if len(text) < PASTE_MIN_CHARS else text.strip()
