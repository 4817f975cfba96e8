"""`summarybot playground` over HTTP: the page's files, its actions, live events and its database."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from tests.servers.playground_process import PlaygroundFactory, RunningPlayground

TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
EXTERNAL = re.compile(r"""(src|href)=["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""")
ALICE_CHAT = 1001
T = TypeVar("T")


@asynccontextmanager
async def client(running: RunningPlayground) -> AsyncIterator[aiohttp.ClientSession]:
    """A session with the playground's root as its base URL."""
    async with aiohttp.ClientSession(base_url=running.url) as session:
        yield session


async def post(session: aiohttp.ClientSession, path: str, body: Any) -> tuple[int, Any]:
    async with session.post(path, json=body) as response:
        return response.status, await response.json()


async def bot_messages(session: aiohttp.ClientSession, chat: str = "private") -> list[Any]:
    async with session.get("/play/state", params={"chat": chat, "user": "alice"}) as response:
        state = await response.json()
    return [m for m in state["messages"] if m["from"]["is_bot"]]


async def until(probe: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Poll probe() until it returns something; fail after a generous deadline."""
    for _ in range(2000):
        if (found := await probe()) is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def wait_for_bot(session: aiohttp.ClientSession, fragment: str) -> dict[str, Any]:
    """Wait until a bot message of Alice's private chat contains `fragment`."""

    async def probe() -> dict[str, Any] | None:
        found = [m for m in await bot_messages(session) if fragment in m.get("text", "")]
        return found[-1] if found else None

    return await until(probe, f"the bot wrote {fragment!r}")


async def test_page_files_are_served_by_the_package_and_load_nothing_from_outside(
    playground: PlaygroundFactory,
) -> None:
    async with playground() as running, client(running) as session:
        pages = {}
        for path in ("/", "/static/app.js", "/static/render.js", "/static/app.css"):
            async with session.get(path) as response:
                assert response.status == 200, path
                pages[path] = await response.text()
    assert '<script src="/static/app.js"' in pages["/"]
    assert all(not EXTERNAL.search(text) for text in pages.values())


async def test_no_key_mode_is_labelled_and_commands_answer(playground: PlaygroundFactory) -> None:
    async with playground() as running, client(running) as session:
        async with session.get("/play/info") as response:
            info = await response.json()
        assert "extractive" in info["llm"]
        assert "extractive" in running.first_line
        assert await post(
            session, "/play/send", {"chat": "private", "user": "alice", "text": "/start"}
        ) == (200, {"ok": True})
        await wait_for_bot(session, "I read articles for you")
        async with session.get("/play/info") as response:
            commands = [c["command"] for c in (await response.json())["commands"]]
    assert "settings" in commands
    assert info["bot"]["username"] == "summarybot_playground_bot"


async def test_bad_input_gets_one_friendly_line(playground: PlaygroundFactory) -> None:
    send = {"chat": "private", "user": "alice", "text": "hi"}
    async with playground() as running, client(running) as session:
        assert await post(session, "/play/send", send | {"text": "  "}) == (
            400,
            {"error": "Type a message first."},
        )
        assert await post(session, "/play/send", send | {"text": "x" * 4097}) == (
            400,
            {"error": "A message holds at most 4096 characters."},
        )
        async with session.post(
            "/play/send", json=send | {"text": ""}, headers={"Accept-Language": "ru-RU,ru;q=0.9"}
        ) as response:
            assert (await response.json())["error"] == "Сначала напишите сообщение."
        async with session.post("/play/send", data=b"{not json") as response:
            assert (response.status, await response.json()) == (
                400,
                {"error": "The request is not a JSON object."},
            )
        assert await post(session, "/play/send", send | {"user": "mallory"}) == (
            400,
            {"error": "Unknown user: choose Alice or Bob."},
        )
        assert await post(session, "/play/send", send | {"chat": "-5"}) == (
            400,
            {"error": "Unknown chat: choose the private chat or the group."},
        )
        assert await post(session, "/play/send", send | {"reply_to": 99}) == (
            400,
            {"error": "The message to reply to is gone."},
        )
        assert await post(session, "/play/send", ["not", "an", "object"]) == (
            400,
            {"error": "The request is not a JSON object."},
        )
        form = aiohttp.FormData({"chat": "private", "user": "alice"})
        async with session.post("/play/upload", data=form) as response:
            assert (response.status, await response.json()) == (
                400,
                {"error": "Choose a file to send."},
            )
    assert "Traceback" not in running.log()


async def test_events_stream_the_bot_calls_with_the_token_left_out(
    playground: PlaygroundFactory,
) -> None:
    events = []
    async with (
        playground() as running,
        client(running) as session,
        session.get("/play/events") as stream,
    ):
        await post(session, "/play/send", {"chat": "private", "user": "alice", "text": "/help"})
        async for line in stream.content:
            if line.startswith(b"data: "):
                events.append(json.loads(line.removeprefix(b"data: ")))
                if events[-1]["method"] == "sendMessage":
                    break
    sent = events[-1]
    assert sent["chat_id"] == ALICE_CHAT
    assert sent["path"] == "/bot<token>/sendMessage"
    assert "getUpdates" not in [event["method"] for event in events]
    assert not TOKEN_SHAPE.search(json.dumps(events) + running.first_line + running.log())


async def _settings_menu(session: aiohttp.ClientSession) -> dict[str, Any]:
    count = len(await bot_messages(session))
    await post(session, "/play/send", {"chat": "private", "user": "alice", "text": "/settings"})

    async def probe() -> dict[str, Any] | None:
        messages = await bot_messages(session)
        return messages[-1] if len(messages) > count and "reply_markup" in messages[-1] else None

    return await until(probe, "the /settings menu came")


def _ticked(menu: dict[str, Any]) -> list[str]:
    rows = menu["reply_markup"]["inline_keyboard"]
    return [button["text"] for row in rows for button in row if button["text"].startswith("✓")]


async def test_state_survives_a_restart_and_reset_wipes_it(
    playground: PlaygroundFactory, tmp_path: Path
) -> None:
    async with playground() as running, client(running) as session:
        menu = await _settings_menu(session)
        assert "✓ Medium" in _ticked(menu)
        press = {"chat": "private", "user": "alice", "message_id": menu["message_id"]}
        await post(session, "/play/press", press | {"data": "settings:length:short"})

        async def short_ticked() -> bool | None:
            return "✓ Short" in _ticked((await bot_messages(session))[-1]) or None

        await until(short_ticked, "the menu ticked Short")
    assert (tmp_path / "playground.db").exists()
    assert not (tmp_path / "summarybot.db").exists()
    async with playground() as running, client(running) as session:
        assert "✓ Short" in _ticked(await _settings_menu(session))
    async with playground("--reset") as running, client(running) as session:
        assert "✓ Medium" in _ticked(await _settings_menu(session))


async def test_open_without_a_graphical_browser_says_so_and_keeps_the_terminal(
    playground: PlaygroundFactory,
) -> None:
    async with playground("--open", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""}) as running:
        assert running.process.stdout is not None
        line = await running.process.stdout.readline()
    assert line.decode().strip() == "No graphical browser here: open the address above yourself."


def test_a_busy_port_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "bot", "playground", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    assert done.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "--port" in done.stderr
    assert "Traceback" not in done.stderr
