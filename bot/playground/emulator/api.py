"""The HTTP side of the Telegram emulator: routing, parameter decoding and replies."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.playground.emulator.methods import METHODS, ApiError
from bot.playground.emulator.parse import utf16_len

if TYPE_CHECKING:
    from bot.playground.emulator.server import TelegramServer

# Parameters whose values are plain strings even when they look like JSON numbers.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what bots may upload to the standard server
_STRING_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "url", "secret_token", "language_code", "action", "data"}
    | {"callback_query_id", "file_id", "description", "short_description", "name", "emoji"}
    | {"inline_message_id", "business_connection_id", "message_effect_id", "certificate"}
)


def auto_entities(text: str) -> list[dict[str, Any]]:
    """Entities a Telegram client/server adds by itself: a leading bot command, @mentions, URLs."""
    found: list[dict[str, Any]] = []
    if command := re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text):
        found.append({"type": "bot_command", "offset": 0, "length": len(command.group())})
    for match in re.finditer(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'\"]", text):
        offset = utf16_len(text[: match.start()])
        found.append({"type": "url", "offset": offset, "length": utf16_len(match.group())})
    for match in re.finditer(r"(?<![\w/@])@[A-Za-z][A-Za-z0-9_]{3,31}\b", text):
        offset = utf16_len(text[: match.start()])
        found.append({"type": "mention", "offset": offset, "length": utf16_len(match.group())})
    return sorted(found, key=lambda entity: entity["offset"])


def decode_params(raw: dict[str, str]) -> dict[str, Any]:
    """PTB sends form fields whose non-string values are JSON: decode them back."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _STRING_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value  # e.g. chat_id="@channelname"
    return params


def _reply(result: Any = None, error: ApiError | None = None) -> web.Response:
    if error is None:
        return web.json_response({"ok": True, "result": result})
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if parameters := error.parameters():
        body["parameters"] = parameters
    return web.json_response(body, status=error.code)


def build_app(server: TelegramServer) -> web.Application:
    """The aiohttp application serving the Bot API and file downloads for `server`."""

    async def api(request: web.Request) -> web.Response:
        if request.match_info["token"] != server.token:
            return _reply(error=ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params = await _read_params(request, server)
        server.calls.append((method, params))
        server.call_times.append(time.monotonic())
        name = method.lower()
        if delay := server.delays.get(name):
            await asyncio.sleep(delay)
        if pending := server.faults.get(name):
            fault = pending.pop(0)
            return _reply(error=ApiError(fault.error_code, fault.description, fault.retry_after))
        handler = METHODS.get(name)
        if handler is None:
            return _reply(error=ApiError(404, "Not Found"))
        if params.get("chat_id") in server.blocked:
            return _reply(error=ApiError(403, "Forbidden: bot was blocked by the user"))
        try:
            server.check_migrated(params.get("chat_id"))
            result = await handler(server, params)
        except ApiError as error:
            server.observe(method, params, None, error)
            return _reply(error=error)
        server.observe(method, params, result, None)
        return _reply(result)

    async def download(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != server.token:
            return web.Response(status=401)
        for meta, data in server.files.values():
            if meta["file_path"] == request.match_info["path"]:
                return web.Response(body=data)
        return web.Response(status=404, text="Not Found")

    app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
    app.router.add_route("*", "/bot{token}/{method}", api)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    return app


async def _read_params(request: web.Request, server: TelegramServer) -> dict[str, Any]:
    raw: dict[str, str] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        return {**decode_params(raw), **body}
    uploads: dict[str, dict[str, Any]] = {}
    if request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                uploads[key] = server.add_file(value.file.read(), f"documents/{value.filename}")
                uploads[key].update(file_name=value.filename, mime_type=value.content_type)
            else:
                raw[key] = str(value)
    params = decode_params(raw)
    for key, value in list(params.items()):
        # Some uploads come as "attach://<part name>" references to another part.
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = uploads.pop(value.removeprefix("attach://"), None)
    return {**uploads, **params}
