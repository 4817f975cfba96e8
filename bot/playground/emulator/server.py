"""A Telegram Bot API emulator (aiohttp) that python-telegram-bot talks to for real.

Point PTB at it with `.base_url(f"{server.root}/bot").base_file_url(f"{server.root}/file/bot")`.
Tests (and the playground) act as users through the driver methods (`send_message`, `send_document`, `press_button`,
`send_content`, `edit_message`, inline.py's; for groups `group`, `set_member`, `create_topic`,
`migrate_to_supergroup`, anonymous admins and `privacy_mode`: see `groups.py`; `channel`, `send_channel_post`,
`forward_channel_post`: `channels.py`), inspect what the bot did (`calls`, `messages`,
`wait_for_call`) and inject faults (`fail_next`, `block`, `slow_method`, `reject_drafts`).

Text handling follows the real server: HTML/MarkdownV2 are parsed into text + entities (see
`telegram_parse`), stored and returned without markup, with Telegram's 400 wordings.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.playground.emulator.api import auto_entities, build_app
from bot.playground.emulator.channels import ChannelDriver
from bot.playground.emulator.groups import ANONYMOUS_ADMIN, Member
from bot.playground.emulator.inline import InlineDriver
from bot.playground.emulator.methods import ApiError, Message
from bot.playground.emulator.parse import EntityParseError, parse_html

__all__ = ["ApiError", "EntityParseError", "TelegramServer", "parse_html", "serve_telegram"]

BOT_ID = 123456
TOKEN = f"{BOT_ID}:TEST-token"
DEFAULT_USER: dict[str, Any] = {
    "id": 1001,
    "is_bot": False,
    "first_name": "Alice",
    "username": "alice",
    "language_code": "en",
}


# Told of every Bot API call the emulator answered: (method, params, result, error).
Observer = Callable[[str, dict[str, Any], Any, ApiError | None], None]


@dataclass(frozen=True)
class Fault:
    """A canned error reply for the next calls of one method."""

    error_code: int
    description: str
    retry_after: int | None


@dataclass
class TelegramServer(ChannelDriver, InlineDriver):
    """State of the emulated Bot API plus the driver and inspection API used by tests."""

    root: str = ""
    token: str = TOKEN
    bot: dict[str, Any] = field(
        default_factory=lambda: {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Summary Test Bot",
            "username": "summary_test_bot",
        }
    )
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    call_times: list[float] = field(default_factory=list)  # time.monotonic() per entry of calls
    reject_drafts: bool = False
    webhook: dict[str, Any] | None = None
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    # ("description" or "short_description", language code or "") -> the text shown
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    store: dict[int, dict[int, Message]] = field(default_factory=dict)
    last_message_id: dict[int, int] = field(default_factory=dict)
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    members: dict[int, dict[int, Member]] = field(default_factory=dict)  # chat -> user -> status
    topics: dict[int, dict[int, str]] = field(default_factory=dict)  # chat -> thread id -> name
    migrated: dict[int, int] = field(default_factory=dict)  # old group id -> supergroup id
    bot_rights: dict[int, bool] = field(
        default_factory=dict
    )  # channel -> bot may post (channels.py)
    # A bot in privacy mode sees only what it is addressed in (groups.py); off: everything.
    privacy_mode: bool = False
    blocked: set[int] = field(default_factory=set)
    queries: set[str] = field(default_factory=set)
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    drafts: dict[int, dict[str, Any]] = field(default_factory=dict)  # the draft shown per chat
    observers: list[Observer] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(_first_update_id())
    )
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False

    # --- driver: act as users ------------------------------------------------------------

    def chat(
        self, chat_id: int, chat_type: str = "private", user: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The chat object, created on first use (the bot gets "chat not found" before that)."""
        if chat_id not in self.chats:
            chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                who = user or DEFAULT_USER
                chat.update({k: who[k] for k in ("first_name", "username") if k in who})
            else:
                chat["title"] = f"Test {chat_type} {chat_id}"
            self.chats[chat_id] = chat
            self.store[chat_id] = {}
        return self.chats[chat_id]

    def new_message(self, chat_id: int, sender: dict[str, Any] | None, **fields: Any) -> Message:
        """Store a new message in the chat (ids increase per chat) and return it."""
        # Ids grow per chat and are never reused, even after deletions, like Telegram's.
        self.last_message_id[chat_id] = self.last_message_id.get(chat_id, 0) + 1
        message: Message = {
            "message_id": self.last_message_id[chat_id],
            "date": int(time.time()),
            "chat": self.chats[chat_id],
            **({"from": sender} if sender else {}),
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.store[chat_id][message["message_id"]] = message
        return message

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates and wake a waiting long poll."""
        # A snapshot: later edits to the stored message must not rewrite a queued update.
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self._new_update.set()
        self._new_update = asyncio.Event()
        return update

    def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        forward_origin: dict[str, Any] | None = None,
        message_thread_id: int | None = None,
        anonymous: bool = False,
        date: int | None = None,
    ) -> Message:
        """A user writes `text` in the chat; returns the Message the bot will receive.

        In a forum, `message_thread_id` names the topic; `anonymous` posts as an anonymous
        admin (from GroupAnonymousBot, sender_chat the group); `date` (Unix time) backdates it."""
        user = ANONYMOUS_ADMIN if anonymous else user or DEFAULT_USER
        chat = self.chat(chat_id, chat_type, user)
        if message_thread_id is not None:
            self.open_topic(chat_id, message_thread_id)
        message = self.new_message(
            chat_id,
            None if chat_type == "channel" else user,
            text=text,
            entities=entities if entities is not None else auto_entities(text) or None,
            forward_origin=forward_origin,
            forward_date=forward_origin["date"] if forward_origin else None,
            date=date,
            **self.topic_fields(
                chat_id, message_thread_id, self.reply_target(chat_id, reply_to_message_id)
            ),
        )
        if chat_type == "channel" or anonymous:
            message["sender_chat"] = chat
        if self.delivers(message):
            self.push_update("channel_post" if chat_type == "channel" else "message", message)
        return message

    def send_content(
        self,
        chat_id: int,
        content: dict[str, Any],
        *,
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
    ) -> Message:
        """A user sends a message without text: `content` is e.g. {"sticker": {...}}."""
        user = user or DEFAULT_USER
        self.chat(chat_id, chat_type, user)
        message = self.new_message(chat_id, user, **content)
        self.push_update("message", message)
        return message

    def edit_message(self, chat_id: int, message_id: int, text: str) -> Message:
        """A user edits their earlier message (an edited_message update)."""
        message = self.store[chat_id][message_id]
        message.update(text=text, edit_date=int(time.time()))
        message.pop("entities", None)
        if found := auto_entities(text):
            message["entities"] = found
        kind = (
            "edited_channel_post" if self.chats[chat_id]["type"] == "channel" else "edited_message"
        )
        self.push_update(kind, message)
        return message

    def send_document(
        self,
        chat_id: int,
        file_bytes: bytes,
        file_name: str,
        mime_type: str,
        *,
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> Message:
        """A user sends a document; getFile and the file download then serve its bytes."""
        user = user or DEFAULT_USER
        self.chat(chat_id, chat_type, user)
        document = self.add_file(file_bytes, f"documents/{file_name}")
        document.update(file_name=file_name, mime_type=mime_type)
        message = self.new_message(
            chat_id,
            user,
            document=document,
            caption=caption,
            reply_to_message=self.reply_target(chat_id, reply_to_message_id),
        )
        self.push_update("message", message)
        return message

    def add_file(self, data: bytes, path: str) -> dict[str, Any]:
        """Store bytes under a fresh file_id; returns the file object (file_id, size, ...)."""
        number = next(self._ids)
        file_id = f"FILE{number:06d}"
        meta = {
            "file_id": file_id,
            "file_unique_id": f"U{number:06d}",
            "file_size": len(data),
            "file_path": f"{path.rsplit('/', 1)[0]}/file_{number}_{path.rsplit('/', 1)[-1]}",
        }
        self.files[file_id] = (meta, data)
        return {k: v for k, v in meta.items() if k != "file_path"}

    def press_button(
        self, chat_id: int, message_id: int, data: str, *, user: dict[str, Any] | None = None
    ) -> str:
        """A user presses an inline button under the bot's message; returns the query id."""
        query_id = f"CQ{next(self._ids)}"
        self.queries.add(query_id)
        query = {
            "id": query_id,
            "from": user or DEFAULT_USER,
            "message": self.store[chat_id][message_id],
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        self.push_update("callback_query", query)
        return query_id

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call to that chat answers 403."""
        self.blocked.add(chat_id)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str = "Too Many Requests: retry after 1",
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` fail with this error (429s carry retry_after)."""
        fault = Fault(error_code, description, retry_after if error_code == 429 else None)
        self.faults.setdefault(method.lower(), []).extend([fault] * times)

    def slow_method(self, method: str, delay_s: float) -> None:
        """Delay every answer to `method` by delay_s seconds."""
        self.delays[method.lower()] = delay_s

    # --- inspection ----------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[Message]:
        """The bot's current messages in the chat (after edits and deletions), oldest first."""
        stored = self.store.get(chat_id, {})
        return [
            m for _, m in sorted(stored.items()) if m.get("from", {}).get("id") == self.bot["id"]
        ]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of one method, in order."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def max_calls_per_second(
        self, chat_id: int, methods: tuple[str, ...] = ("sendMessage", "editMessageText")
    ) -> int:
        """The largest number of the given calls to one chat within any one-second window."""
        wanted = {m.lower() for m in methods}
        times = [
            at
            for (name, params), at in zip(self.calls, self.call_times, strict=True)
            if name.lower() in wanted and params.get("chat_id") == chat_id
        ]
        return max((sum(1 for t in times if start <= t < start + 1) for start in times), default=0)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 -- a polling deadline, not a cancellable wait
    ) -> Any:
        """Poll until predicate() is truthy and return its value; fail after timeout."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                recent = [name for name, _ in self.calls[-10:]]
                raise AssertionError(f"condition not met in {timeout}s; last calls: {recent}")
            await asyncio.sleep(0.01)
        return value

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 -- see wait_for
    ) -> dict[str, Any]:
        """Wait until the bot called `method` (params matching predicate); the first such params."""

        def found() -> list[dict[str, Any]]:
            # A list, so that a call without parameters ({}) counts as found.
            return [p for p in self.calls_of(method) if predicate is None or predicate(p)][:1]

        result: dict[str, Any] = (await self.wait_for(found, timeout))[0]
        return result

    # --- used by the Bot API methods --------------------------------------------------------

    def observe(
        self, method: str, params: dict[str, Any], result: Any, error: ApiError | None
    ) -> None:
        """Tell the observers (the playground page) about an answered call."""
        for observer in self.observers:
            observer(method, params, result, error)

    def reply_target(self, chat_id: int, message_id: int | None) -> Message | None:
        """The replied-to message as embedded in a reply (without its own reply_to_message)."""
        if message_id is None:
            return None
        return {k: v for k, v in self.store[chat_id][message_id].items() if k != "reply_to_message"}

    async def next_updates(self, offset: int, limit: int, poll_s: float) -> list[dict[str, Any]]:
        """getUpdates: confirm ids below offset, then long-poll up to timeout for new ones."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and poll_s > 0 and not self.closing:
            waiter = self._new_update
            try:
                await asyncio.wait_for(waiter.wait(), poll_s)
            except TimeoutError:
                return []
        return self.updates[:limit]

    def wake(self) -> None:
        """Release pending long polls (at shutdown)."""
        self.closing = True
        self._new_update.set()


@asynccontextmanager
async def serve_telegram() -> AsyncIterator[TelegramServer]:
    """Run a Bot API emulator on 127.0.0.1 with a fresh state (for the fixture and benches)."""
    server = TelegramServer()
    runner = web.AppRunner(build_app(server), shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.root = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        server.wake()
        await runner.cleanup()


def _first_update_id() -> int:
    """Where this run's update ids start: like Telegram's, they must not repeat across restarts
    (the bot drops an update id it has stored), so they start from the clock in milliseconds."""
    return int(time.time() * 1000) % 2**31
