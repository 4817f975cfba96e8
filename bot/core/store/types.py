"""What the bot remembers across restarts: the Store interface, its rows, and `open_store`.

Two backends implement it with the same SQL (`bot.core.store.sql`): SQLite by default
(`bot.core.store.sqlite`) and PostgreSQL when one machine is not enough
(`bot.core.store.postgres`). Every driver failure surfaces as `StoreError`.

Decisions callers rely on:
- Conversations are per (chat, topic): `thread_id` is a forum topic's message_thread_id, 0
  outside topics. `save_article` also makes the article its topic's latest one.
- `reset_chat` forgets a topic's conversation turns and its latest pointer, but keeps articles
  and message links, so a reply to an old summary still finds its article after /reset.
- `migrate_chat` (group -> supergroup) moves articles, turns, every topic's latest pointer,
  settings, digest items and digest schedules and runs (and channel schedules posting to the
  group follow it). Message links stay with the old chat id: message ids restart in the supergroup,
  so moved links would point new messages at old articles.
- Digest items are the links a group shared (URL, sharer, message, topic), recorded before
  anyone reads them; the summary cache keeps documents under opaque keys until they expire.
  Callers pass the time to both, and `prune_kept` forgets what is past.
- Timestamps are timezone-aware UTC; a naive `since` is taken as UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from bot.core.models import Article, ChatTurn, SummaryFormat, SummaryLength
from bot.core.store.channel_types import ChannelStore
from bot.core.store.schedule_types import ScheduleStore
from bot.core.store.usage_types import UsageStore

Choice = TypeVar("Choice", bound=StrEnum)


@dataclass(frozen=True)
class StoredArticle:
    """An article a chat has seen, with where it came from and its summary once made."""

    id: int
    chat_id: int
    source: str  # the URL, or "text", or "document:<file name>"
    article: Article
    summary: str | None
    created_at: datetime
    thread_id: int = 0  # the forum topic it was seen in; 0 outside topics


@dataclass(frozen=True)
class SharedLink:
    """A link a group member shared: an item for the group's digest."""

    chat_id: int
    thread_id: int  # the forum topic; 0 outside topics
    message_id: int | None  # the message that shared it
    url: str
    shared_by: int | None  # the user; None when posted as the group or a channel
    shared_at: datetime


# The source of an article that holds what a digest covered (its articles and the messages it
# recapped): pruned with the digest items, unlike the articles a chat asked to read.
DIGEST_SOURCE = "digest"


@dataclass(frozen=True)
class KeptMessage:
    """A group message's text, kept for the group's recaps (when its admins turned them on)."""

    chat_id: int
    thread_id: int  # the forum topic; 0 outside topics
    message_id: int
    author: str | None  # the sender's display name as plain text; None when posted as the group
    text: str  # the text or caption
    sent_at: datetime


@dataclass(frozen=True)
class UserPrefs:
    """A user's choices; None means "not chosen": the bot's configured default applies."""

    length: SummaryLength | None = None
    language: str | None = None  # the summary language; the default is the article's own
    format: SummaryFormat | None = None
    ui_language: str | None = None


@dataclass(frozen=True)
class ChatSettings:
    """A group's choices, made by its admins: how summaries are written, and what it reads."""

    prefs: UserPrefs = field(default_factory=UserPrefs)
    every_link: bool = False  # also summarize links posted without addressing the bot
    collect: bool = True  # record the links shared here, for digests
    recaps: bool | None = None  # keep message texts for recaps; None: the bot's default

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> ChatSettings:
        """Read the stored document; keys and values this version does not know are ignored."""
        prefs = UserPrefs(
            length=parse_choice(SummaryLength, document.get("length")),
            language=_text_or_none(document.get("language")),
            format=parse_choice(SummaryFormat, document.get("format")),
            ui_language=_text_or_none(document.get("ui_language")),
        )
        return cls(
            prefs=prefs,
            every_link=document.get("every_link") is True,
            collect=document.get("collect") is not False,
            recaps=_bool_or_none(document.get("recaps")),
        )

    def to_json(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The stored document with these choices in it (other keys kept for other features)."""
        prefs = self.prefs
        return stored | {
            "length": prefs.length.value if prefs.length else None,
            "language": prefs.language,
            "format": prefs.format.value if prefs.format else None,
            "ui_language": prefs.ui_language,
            "every_link": self.every_link,
            "collect": self.collect,
            "recaps": self.recaps,
        }


def parse_choice(kind: type[Choice], stored: object) -> Choice | None:
    """A stored choice as its enum; None when unset or a value this version does not know."""
    try:
        return kind(stored) if isinstance(stored, str) else None
    except ValueError:
        return None


def _bool_or_none(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class NewRequest:
    """An update as it arrives, to be kept until it is answered."""

    update_id: int
    conversation: str  # requests of one conversation run one at a time, in update order
    user_id: int | None
    payload: str  # the update as JSON
    done: bool = False  # handled on arrival (/cancel, part of a paste): kept only to dedupe


@dataclass(frozen=True)
class ClaimedRequest:
    """A request taken from the store by one worker, under its lease."""

    id: int
    update_id: int
    conversation: str
    user_id: int | None
    payload: str
    attempts: int  # 1 on the first run; more when a worker died or was stopped with it
    received_at: datetime
    placeholder_id: int | None  # the "working..." message an earlier attempt posted
    replied: bool  # an earlier attempt sent the final reply
    cancel_requested: bool = False  # /cancel came while another process held it


@dataclass(frozen=True)
class QueuedRequest:
    """A request waiting behind another one of its conversation (a later part of a paste)."""

    id: int
    user_id: int | None
    payload: str
    received_at: datetime
    absorbed: bool  # already taken into the request it waits behind (by an earlier attempt)


class Store(ScheduleStore, ChannelStore, UsageStore, Protocol):
    """Persistent memory of the bot. Implementations raise only `StoreError`."""

    async def migrate(self) -> None:
        """Apply the migrations not applied yet; a no-op when the schema is current."""
        ...

    async def close(self) -> None:
        """Release connections; safe to call twice."""
        ...

    async def save_article(
        self, chat_id: int, article: Article, source: str, thread_id: int = 0
    ) -> int:
        """Store an article seen in a chat's topic, make it the topic's latest, return its id."""
        ...

    async def set_summary(self, article_id: int, summary: str) -> None:
        """Attach (or replace) the summary of an article; StoreError when there is none."""
        ...

    async def get_article(self, article_id: int) -> StoredArticle | None:
        """The article with this id, or None."""
        ...

    async def link_message(self, chat_id: int, message_id: int, article_id: int) -> None:
        """Remember that a message (the user's or a summary/answer part) is about an article."""
        ...

    async def link_messages(
        self, chat_id: int, message_ids: Sequence[int], article_id: int
    ) -> None:
        """`link_message` for several messages of a chat at once, in one transaction."""
        ...

    async def article_for_message(self, chat_id: int, message_id: int) -> StoredArticle | None:
        """The article a message is about, or None."""
        ...

    async def latest_article(self, chat_id: int, thread_id: int = 0) -> StoredArticle | None:
        """The topic's most recent article, or None (never set, or after /reset)."""
        ...

    async def add_turns(self, chat_id: int, article_id: int, turns: Sequence[ChatTurn]) -> None:
        """Append turns, in order and all or none, to the conversation about an article."""
        ...

    async def history(self, chat_id: int, article_id: int, limit: int = 20) -> list[ChatTurn]:
        """The most recent `limit` turns about an article, oldest first."""
        ...

    async def reset_chat(self, chat_id: int, thread_id: int = 0) -> None:
        """Forget a topic's conversation turns and latest pointer (articles and links stay)."""
        ...

    async def get_prefs(self, user_id: int) -> UserPrefs:
        """The user's preferences; all defaults when never set."""
        ...

    async def set_prefs(self, user_id: int, prefs: UserPrefs) -> None:
        """Replace the user's preferences."""
        ...

    async def get_chat_settings(self, chat_id: int) -> dict[str, Any]:
        """The chat's settings; empty when never set."""
        ...

    async def set_chat_settings(self, chat_id: int, settings: dict[str, Any]) -> None:
        """Replace the chat's settings (a JSON-serializable dict)."""
        ...

    async def add_shared_links(self, links: Sequence[SharedLink]) -> None:
        """Record links shared in groups, for their digests."""
        ...

    async def shared_links(self, chat_id: int, thread_id: int, since: datetime) -> list[SharedLink]:
        """Links shared in the chat's topic at or after `since`, oldest first."""
        ...

    async def add_kept_messages(self, messages: Sequence[KeptMessage]) -> None:
        """Keep group messages' texts, for recaps (a message already kept is replaced)."""
        ...

    async def kept_messages(
        self, chat_id: int, thread_id: int, since: datetime
    ) -> list[KeptMessage]:
        """The texts kept of the chat's topic at or after `since`, oldest first."""
        ...

    async def cached_summary(self, key: str, at: datetime) -> str | None:
        """The cached summary document under `key`, unless it expired before `at`."""
        ...

    async def keep_summary(
        self,
        keys: Sequence[str],
        url: str | None,
        document: str,
        made_at: datetime,
        expires_at: datetime,
    ) -> None:
        """Cache a summary document under each of `keys` until `expires_at`, in one statement
        (a newer one replaces it)."""
        ...

    async def prune_kept(self, shared_before: datetime, at: datetime) -> None:
        """Forget links, posts and texts from before `shared_before`, cache entries expired at `at`."""
        ...

    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything kept for the chat: articles, turns, links, texts, settings, and
        for a private chat its user's followed and connected channels and their schedules."""
        ...

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a chat's data to its new id when a group becomes a supergroup."""
        ...

    async def accept_requests(self, batch: Sequence[NewRequest]) -> set[int]:
        """Keep updates, all or none; returns the update ids new to the store (not redelivered)."""
        ...

    async def claim_requests(self, owner: str, lease_s: float, limit: int) -> list[ClaimedRequest]:
        """Take up to `limit` requests, each the head of its conversation and pending or with an
        expired lease, oldest first, leased to `owner`."""
        ...

    async def renew_leases(self, owner: str, lease_s: float) -> set[int]:
        """Extend every lease `owner` holds by `lease_s` from now; returns the ids of those
        requests whose cancel was requested (in case the announcement was missed)."""
        ...

    async def request_cancel(self, conversation: str) -> bool:
        """Ask whichever process runs the conversation's request to stop it; False when none
        runs. The holder hears of it through `watch_cancels`, or at its next lease renewal."""
        ...

    async def watch_cancels(self, on_cancel: Callable[[int], None]) -> None:
        """Call `on_cancel(request_id)` for each cancel requested from now on (in this process
        here; from any process where the backend can tell, PostgreSQL's LISTEN)."""
        ...

    async def mark_slow(self, request_id: int) -> None:
        """The request's work is a summary or an answer: messages queued behind it get a note."""
        ...

    async def note_queued(self, update_id: int) -> bool:
        """True (once per request, whoever asks) when the request waits behind slow work and
        its "still working" note is due; recorded as sent."""
        ...

    async def record_placeholder(self, request_id: int, message_id: int) -> None:
        """Remember the message that shows a request's progress, for a retry to edit."""
        ...

    async def record_reply(self, request_id: int) -> None:
        """Remember that a request's final reply was sent: it is never answered again."""
        ...

    async def requests_behind(self, request: ClaimedRequest, limit: int) -> list[QueuedRequest]:
        """Up to `limit` requests queued right behind `request` in its conversation, in order,
        with those an earlier attempt absorbed into it first."""
        ...

    async def absorb_requests(
        self, request: ClaimedRequest, request_ids: Sequence[int]
    ) -> set[int]:
        """Mark requests waiting behind `request` done as its parts (a split paste), in one
        transaction; returns the ids taken (one no longer waiting is not)."""
        ...

    async def finish_request(self, request_id: int, owner: str) -> None:
        """Mark a request done (answered, failed or cancelled) unless its lease was lost."""
        ...

    async def release_request(self, request_id: int, owner: str) -> None:
        """Give a request back (the process is stopping), to be taken again at once."""
        ...

    async def open_requests(self) -> dict[str, int]:
        """How many requests are not done yet, by state ("pending": waiting, "running")."""

    async def drop_queued(self, conversation: str) -> int:
        """Finish the conversation's requests still waiting (not the one running); how many."""
        ...

    async def earlier_requests(self, conversation: str, before_id: int, limit: int) -> list[str]:
        """The payloads of the conversation's last `limit` requests before `before_id`,
        newest first."""
        ...

    async def heartbeat(self, owner: str, alive_s: float) -> int:
        """Record that process `owner` is alive; returns how many processes were alive within
        the last `alive_s` (itself included)."""
        ...

    async def leave(self, owner: str) -> None:
        """Forget the heartbeat of `owner`, which stops: the others take its share at once."""
        ...

    async def prune_requests(self, finished_before: datetime) -> None:
        """Forget requests finished before `finished_before` (kept until then to dedupe)."""
        ...
