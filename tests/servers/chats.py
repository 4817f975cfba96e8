"""Shared chat helpers of the end-to-end bot tests: the test users and chats, what they say and
ask, and what the bot's messages hold (links, buttons, digests)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import PAGES, ArticleServer
from tests.servers.bot_runner import ManualClock, bot_texts, wait_for_text
from tests.servers.openai_server import prompt_of
from tests.test_extract import STORY

GROUP = -1001234567
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}
# The same users, their Telegram in English (the channel and follow tests' private chats).
ALICE_EN: dict[str, Any] = {**ALICE, "language_code": "en"}
BOB_EN: dict[str, Any] = {**BOB, "language_code": "en"}
PUBLIC = -1007770001
CHANNEL = -1007780001
FAST = {"digest_schedule_tick_s": 0.05}
INVENTED_ID = 987654
TME = PAGES / "tme"
NOTE = (
    "The harbour board met on Tuesday evening. It agreed to close the north pier for repairs "
    "from June. Fishing boats will moor at the south quay meanwhile. The ferry keeps its "
    "timetable, and the board will report on the works every month until they end."
)


def say(telegram_server: TelegramServer, text: str, **kwargs: Any) -> dict[str, Any]:
    """A member (Alice unless told) writes `text` in the test group."""
    kwargs.setdefault("user", ALICE)
    return telegram_server.send_message(GROUP, text, chat_type="supergroup", **kwargs)


def links(message: dict[str, Any]) -> list[str]:
    """The URLs of a message's text links."""
    return [e["url"] for e in message.get("entities") or [] if e["type"] == "text_link"]


def button_labels(markup: dict[str, Any]) -> list[str]:
    """The labels of an inline keyboard's buttons, row by row."""
    return [b["text"] for row in markup["inline_keyboard"] for b in row]


def digests_in(telegram_server: TelegramServer, chat_id: int, marker: str = "Digest") -> list[str]:
    """The texts of the bot's messages in the chat that hold `marker`."""
    return [t for t in bot_texts(telegram_server, chat_id) if marker in t]


async def reply(
    telegram_server: TelegramServer, fragment: str, act: Callable[[], object], user: dict[str, Any]
) -> dict[str, Any]:
    """Do `act` and wait for a new message of the bot to the user that holds `fragment`."""
    before = len(telegram_server.messages(user["id"]))
    act()

    def found() -> dict[str, Any] | None:
        new = telegram_server.messages(user["id"])[before:]
        return next((m for m in new if fragment in m.get("text", "")), None)

    message: dict[str, Any] = await telegram_server.wait_for(found, timeout=10)
    return message


async def ask(
    telegram_server: TelegramServer, text: str, fragment: str, user: dict[str, Any] = ALICE_EN
) -> dict[str, Any]:
    """The user writes `text` to the bot; its new reply holding `fragment`."""
    return await reply(
        telegram_server,
        fragment,
        lambda: telegram_server.send_message(user["id"], text, user=user),
        user,
    )


async def stats_once(telegram_server: TelegramServer, admin_id: int, *fragments: str) -> list[str]:
    """The lines of /stats as soon as one holds every fragment: a request's events are recorded
    just after its reply goes out, so one /stats may still miss the last of them."""
    for _ in range(50):
        stats = await reply(
            telegram_server,
            "Statistics",
            lambda: telegram_server.send_message(admin_id, "/stats"),
            {"id": admin_id},
        )
        lines: list[str] = stats["text"].splitlines()
        if any(all(fragment in row for fragment in fragments) for row in lines):
            return lines
    raise AssertionError(f"/stats never showed {fragments!r}: {lines}")


def open_group(telegram_server: TelegramServer) -> None:
    """The test group: Alice its admin, Bob a member, every message seen by the bot."""
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])


async def turn_recaps(telegram_server: TelegramServer, value: str) -> None:
    """Alice turns the test group's recaps on or off in its /settings."""
    say(telegram_server, "/settings")
    menu = await wait_for_text(telegram_server, "Group settings", GROUP)
    assert "— Keep messages for /digest recaps —" in button_labels(menu["reply_markup"])
    query = telegram_server.press_button(
        GROUP, menu["message_id"], f"settings:recaps:{value}", user=ALICE
    )
    await telegram_server.wait_for(lambda: query in telegram_server.callback_answers)


def recapper(body: dict[str, Any]) -> str:
    """A recap citing every message it was given, and one it was not; else a digest line."""
    prompt = prompt_of(body)
    if "<messages>" not in prompt:
        return "Eels return to the lake."
    given = [int(i) for i in re.findall(r"^\[(\d+)\]", prompt, re.MULTILINE)]
    points = [
        {"text": "@bob and Alice chose the boathouse.", "ids": [*given, INVENTED_ID]},
        {"text": "A point nobody made.", "ids": [INVENTED_ID]},
    ]
    return json.dumps({"topics": [{"title": "The venue", "points": points}]})


def story(article_server: ArticleServer, path: str, n: int = 0) -> str:
    """A readable story page about the ferry, numbered `n`; its URL."""
    text = f"Story number {n} about the ferry.\n\n" + "\n\n".join(STORY)
    return article_server.add_page(path, text.encode(), "text/plain; charset=utf-8")


def soon() -> tuple[ManualClock, str]:
    """A clock ten minutes behind, and a daily UTC schedule two minutes later: the links the
    test shares (at the emulator's real time) come after each digest's period."""
    start = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    return ManualClock(start), f"daily {start + timedelta(minutes=2):%H:%M} UTC"


def today_tokens(usage: str) -> int:
    """Today's tokens in a /usage answer."""
    found = re.search(r"Today: ([\d,]+) tokens", usage)
    assert found is not None, usage
    return int(found.group(1).replace(",", ""))


def _serve(server: ArticleServer, path: str, page: str) -> None:
    server.add_page(path, (TME / page).read_bytes(), "text/html; charset=utf-8")


def tme(server: ArticleServer) -> dict[str, Any]:
    """The bot's settings pointing t.me at the page server, with a channel whose preview is
    off and a name nobody has."""
    _serve(server, "s/technews", "technews.html")
    for name, page in (("gonechan", "channel-page.html"), ("nosuchchan", "missing.html")):
        server.add_page(f"s/{name}", b"", "text/html", 302, {"Location": f"/{name}"})
        _serve(server, name, page)
    return {"telegram_web_base_url": server.url("/")}


def local_technews(server: ArticleServer) -> tuple[str, str]:
    """@technews served with its links leading to the page server (no network); the two
    article URLs."""
    article = server.url("/article")
    longread = server.add_page(
        "/longread", "\n\n".join(["The long read.", *STORY]).encode(), "text/plain; charset=utf-8"
    )
    page = (TME / "technews.html").read_bytes()
    page = page.replace(b"https://blog.example.org/rust-2", article.encode())
    page = page.replace(b"https://db.example.com/longread", longread.encode())
    server.add_page("s/technews", page, "text/html; charset=utf-8")
    return article, longread
