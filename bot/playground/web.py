"""The playground's web side: the chat page, the actions of its users and a live event stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.playground.emulator.methods import ApiError
from bot.playground.emulator.parse import MAX_TEXT_LENGTH, utf16_len
from bot.playground.emulator.server import TelegramServer
from bot.texts import text

STATIC = Path(__file__).resolve().parent / "static"
GROUP_ID = -1001
USERS: dict[str, dict[str, Any]] = {
    name: {"id": 1000 + number, "is_bot": False, "first_name": name.title(), "username": name}
    | {"language_code": "en"}
    for number, name in enumerate(("alice", "bob"), start=1)
}
ROLES = {"alice": "admin", "bob": "member"}
HEARTBEAT_S = 15.0
# Long polls would flood the panel and say nothing about what the bot did.
_UNSHOWN = frozenset({"getupdates"})


class BadRequest(Exception):
    """Something the page sent that the playground refuses: a `playground.<code>` text."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Playground:
    """The emulator plus what the page needs: who is who, the model label, live subscribers."""

    emulator: TelegramServer
    llm_label: str
    subscribers: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set)

    def __post_init__(self) -> None:
        group = self.emulator.chat(GROUP_ID, "group")
        group["title"] = "Playground group"
        self.emulator.set_admins(GROUP_ID, [USERS["alice"]])
        for user in USERS.values():
            self.emulator.chat(user["id"], "private", user)
        self.emulator.observers.append(self.publish_call)

    def publish_call(
        self, method: str, params: dict[str, Any], result: Any, error: ApiError | None
    ) -> None:
        """Send one answered Bot API call to every open page (the token is never in params)."""
        if method.lower() in _UNSHOWN:
            return
        event = {
            "method": method,
            "path": f"/bot<token>/{method}",
            "params": params,
            "ok": error is None,
            "error": error.description if error else None,
            "chat_id": params.get("chat_id"),
        }
        for queue in self.subscribers:
            queue.put_nowait(event)

    def info(self) -> dict[str, Any]:
        """Who the bot is, the chats and users to switch between, the command menu, the model."""
        chats = [
            {"id": "private", "title": f"{self.emulator.bot['first_name']} (private chat)"},
            {"id": GROUP_ID, "title": self.emulator.chats[GROUP_ID]["title"]},
        ]
        users = [{"key": key, **USERS[key], "role": ROLES[key]} for key in USERS]
        commands = self.emulator.commands.get(("default", ""), [])
        return {
            "bot": self.emulator.bot,
            "chats": chats,
            "users": users,
            "commands": commands,
            "llm": self.llm_label,
        }

    def state(self, chat_id: int) -> dict[str, Any]:
        """Every message of the chat, oldest first, and the bot's draft if one is streaming."""
        messages = [m for _, m in sorted(self.emulator.store.get(chat_id, {}).items())]
        return {"messages": messages, "draft": self.emulator.drafts.get(chat_id)}

    def chat_id(self, raw: Any, user: dict[str, Any]) -> int:
        """The group, or the private chat of the user acting."""
        if raw == "private":
            return int(user["id"])
        if raw in (GROUP_ID, str(GROUP_ID)):
            return GROUP_ID
        raise BadRequest("unknown_chat")

    def reply_to(self, chat_id: int, raw: Any) -> int | None:
        """A message id of this chat to reply to, or None."""
        if raw in (None, ""):
            return None
        if not str(raw).isdigit() or int(raw) not in self.emulator.store.get(chat_id, {}):
            raise BadRequest("reply_gone")
        return int(raw)


def user_of(raw: Any) -> dict[str, Any]:
    """The playground user acting (alice or bob)."""
    if raw not in USERS:
        raise BadRequest("unknown_user")
    return USERS[str(raw)]


def add_routes(app: web.Application, playground: Playground) -> None:
    """The page, its files, the users' actions and the event stream, beside the Bot API."""
    routes = _Routes(playground)
    app.router.add_get("/", routes.page)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/play/info", routes.info)
    app.router.add_get("/play/state", routes.state)
    app.router.add_get("/play/events", routes.events)
    app.router.add_post("/play/send", routes.send)
    app.router.add_post("/play/press", routes.press)
    app.router.add_post("/play/upload", routes.upload)


@web.middleware
async def friendly_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """A refused action is a 400 with one readable line, never a traceback."""
    try:
        response: web.StreamResponse = await handler(request)
    except BadRequest as exc:
        language = request.headers.get("Accept-Language", "").split(",")[0]
        message = text(f"playground.{exc.code}", language, **exc.params)
        return web.json_response({"error": message}, status=400)
    return response


class _Routes:
    """The HTTP handlers of the page (one instance per playground)."""

    def __init__(self, playground: Playground) -> None:
        self.play = playground

    async def page(self, _: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html")

    async def info(self, _: web.Request) -> web.Response:
        return web.json_response(self.play.info())

    async def state(self, request: web.Request) -> web.Response:
        user = user_of(request.query.get("user"))
        chat_id = self.play.chat_id(request.query.get("chat"), user)
        return web.json_response(self.play.state(chat_id))

    async def send(self, request: web.Request) -> web.Response:
        body = await _json(request)
        user = user_of(body.get("user"))
        chat_id = self.play.chat_id(body.get("chat"), user)
        text = str(body.get("text") or "").strip()
        if not text:
            raise BadRequest("empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise BadRequest("too_long", limit=MAX_TEXT_LENGTH)
        chat_type = self.play.emulator.chats[chat_id]["type"]
        self.play.emulator.send_message(
            chat_id,
            text,
            user=user,
            chat_type=chat_type,
            reply_to_message_id=self.play.reply_to(chat_id, body.get("reply_to")),
        )
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        body = await _json(request)
        user = user_of(body.get("user"))
        chat_id = self.play.chat_id(body.get("chat"), user)
        message_id = self.play.reply_to(chat_id, body.get("message_id"))
        if message_id is None or not isinstance(body.get("data"), str):
            raise BadRequest("no_button")
        self.play.emulator.press_button(chat_id, message_id, body["data"], user=user)
        return web.json_response({"ok": True})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        user = user_of(form.get("user"))
        chat_id = self.play.chat_id(form.get("chat"), user)
        upload = form.get("file")
        if not isinstance(upload, web.FileField) or not upload.filename:
            raise BadRequest("no_file")
        chat_type = self.play.emulator.chats[chat_id]["type"]
        caption = str(form.get("caption") or "").strip() or None
        self.play.emulator.send_document(
            chat_id,
            upload.file.read(),
            upload.filename,
            upload.content_type or "application/octet-stream",
            user=user,
            chat_type=chat_type,
            caption=caption,
            reply_to_message_id=self.play.reply_to(chat_id, form.get("reply_to")),
        )
        return web.json_response({"ok": True})

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: every Bot API call the bot makes, as it makes it."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.play.subscribers.add(queue)
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    event = await asyncio.wait_for(queue.get(), HEARTBEAT_S)
                    await response.write(f"data: {json.dumps(event)}\n\n".encode())
                    continue
                await response.write(b": still here\n\n")  # keeps proxies from closing it
        finally:
            self.play.subscribers.discard(queue)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise BadRequest("not_json") from exc
    if not isinstance(body, dict):
        raise BadRequest("not_json")
    return body
