"""Bad input end to end: every command gets malformed arguments, in a private chat and in a
group, and answers with the catalog's friendly sentence (or stays silent where that is the
rule) without an error logged; the command line does the same with bad invocations."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.playground.emulator.server import TelegramServer
from bot.texts import clip, text
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory
from tests.test_cli import _restore_logging  # noqa: F401 -- main() sets up the root logger
from tests.test_extract import STORY

GROUP, CHANNEL = -1009990100, -1009990001
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice", "language_code": "en"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob", "language_code": "en"}
LONG = "x" * 5000  # longer than Telegram lets a message be: the reply must not echo it whole
EMOJI = "@канал🔥"
# A Python exception's name, or the catch-all sentence: never what bad input should read.
_LEAK = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b|Error:")
HELP = text("help", "en", bot="summary_test_bot")  # the probe's answer
# Notes about the queue, which the probe may get while the case before it still runs.
NOTES = {text("still_working", "en"), text("still_working.chat", "en")}


@dataclass(frozen=True)
class Case:
    """A command as sent, and the catalog sentence it gets (None: silence is the rule)."""

    sent: str
    reply: str | None
    params: dict[str, Any] = field(default_factory=dict)
    user: dict[str, Any] = field(default_factory=lambda: ALICE)
    whole: bool = True  # False: the sentence heads a longer reply

    def expected(self) -> str | None:
        return None if self.reply is None else text(self.reply, "en", **self.params)

    def answered_by(self, said: list[str]) -> bool:
        """Whether the bot's replies are the one sentence wanted (or, not whole, begin so)."""
        wanted = self.expected()
        if wanted is None or len(said) != 1:
            return False
        return said[0] == wanted or (not self.whole and said[0].startswith(wanted))


SCHEDULE_USAGE, DIGEST_USAGE = "schedule.usage", "digest.private_usage"
DIGITS = "1" * 5000  # a channel's id, as far as its form goes
PRIVATE = [
    # /digest: followed and connected channels (Alice connected none, follows none)
    Case("/digest 0d", DIGEST_USAGE),
    Case("/digest -5h", DIGEST_USAGE),
    Case("/digest 100000d", DIGEST_USAGE),
    Case("/digest @", DIGEST_USAGE),
    Case("/digest 3d 7d", DIGEST_USAGE),
    Case(f"/digest {LONG}", DIGEST_USAGE),
    Case(f"/digest {EMOJI}", DIGEST_USAGE),
    Case("/digest @nochannel 0d", DIGEST_USAGE),
    Case(f"/digest {DIGITS}", "channel.not_connected", {"name": clip(DIGITS)}),
    # /digest_schedule in private: this chat's own, or a connected channel's
    Case("/digest_schedule daily 25:99 Mars/Phobos", "schedule.time", {"time": "25:99"}),
    Case("/digest_schedule weekly funday 09:00 UTC", SCHEDULE_USAGE),
    Case("/digest_schedule daily 09:00 Mars/Phobos", "schedule.zone", {"zone": "Mars/Phobos"}),
    Case(
        "/digest_schedule daily 09:00 ../../etc/passwd",
        "schedule.zone",
        {"zone": "../../etc/passwd"},
    ),
    Case("/digest_schedule daily", SCHEDULE_USAGE),
    Case("/digest_schedule daily 09:00 UTC extra words", SCHEDULE_USAGE),
    Case(f"/digest_schedule {LONG}", SCHEDULE_USAGE),
    Case(f"/digest_schedule daily {LONG} UTC", "schedule.time", {"time": clip(LONG)}),
    Case(f"/digest_schedule daily 09:00 {LONG}", "schedule.zone", {"zone": clip(LONG)}),
    Case(
        "/digest_schedule @nochannel daily 09:00 UTC here",
        "channel.not_connected",
        {"name": "@nochannel"},
    ),
    Case("/digest_schedule 12345 off", "channel.not_connected", {"name": "12345"}),
    Case(f"/digest_schedule @{LONG}", "channel.not_connected", {"name": clip(f"@{LONG}")}),
    # channels
    Case("/connect", "channel.connect_usage"),
    Case("/connect 12345", "channel.connect_usage"),
    Case("/connect @a", "channel.connect_usage"),
    Case("/connect @one @two", "channel.connect_usage"),
    Case(f"/connect {EMOJI}", "channel.connect_usage"),
    Case(f"/connect {LONG}", "channel.connect_usage"),
    Case("/connect @nosuchchannel", "channel.unknown", {"name": "@nosuchchannel"}),
    Case("/channels garbage", "channel.list_empty"),
    Case("/disconnect", "channel.disconnect_usage"),
    Case("/disconnect @nothing", "channel.not_connected", {"name": "@nothing"}),
    Case(f"/disconnect {LONG}", "channel.not_connected", {"name": clip(LONG)}),
    # following
    Case("/follow", "follow.usage"),
    Case("/follow @a", "follow.bad_name"),
    Case("/follow https://example.com/x", "follow.bad_name"),
    Case("/follow t.me/", "follow.bad_name"),
    Case("/follow @one @two", "follow.usage"),
    Case(f"/follow {EMOJI}", "follow.bad_name"),
    Case(f"/follow {LONG}", "follow.bad_name"),
    Case("/following garbage", "follow.none"),
    Case("/unfollow", "follow.unfollow_usage"),
    Case("/unfollow @never_followed", "follow.not_followed", {"name": "@never_followed"}),
    Case(f"/unfollow {EMOJI}", "follow.bad_name"),
    # the rest
    Case("/summarize", "summarize_usage"),
    Case(f"/summarize {LONG}", "summarize_usage"),
    Case("/summarize javascript:alert(1)", "summarize_usage"),
    Case("/summarize http://[::1", "fetch.invalid_url"),
    Case("/digest@OtherBot 0d", "unknown_command"),
    Case("/Digest 0d", DIGEST_USAGE),
    Case("/frobnicate", "unknown_command"),
    Case(f"/{LONG}", "unknown_command"),
    Case("/ask", "ask_usage"),
    Case(f"/ask {LONG}", "no_article"),
    Case("/stats", "admins_only"),
    Case("/limit bot daily tokens 5", "admins_only"),
    Case("/cancel now please", "nothing_to_cancel"),
    Case("/reset everything", "reset_done"),
    Case(f"/start {LONG}", "start"),
]
# Alice is a bot admin here: /limit reads its arguments.
BOT_ADMIN = [
    Case("/limit", "limit.usage"),
    Case("/limit bot daily tokens", "limit.usage"),
    Case("/limit bot hourly tokens 5", "limit.usage"),
    Case("/limit bot daily tokens -5", "limit.usage"),
    Case("/limit bot daily tokens nan", "limit.usage"),
    Case("/limit bot daily tokens 1e999", "limit.usage"),
    Case("/limit @nobody daily tokens 5", "limit.unknown_user", {"name": "nobody"}),
    Case(f"/limit {LONG} daily tokens 5", "limit.usage"),
    Case(f"/limit @{LONG} daily tokens 5", "limit.unknown_user", {"name": clip(LONG)}),
]
# Alice connected her channel first (the table's first case): its commands read on.
HANDLE = "@badinputchan"
CONNECTED = [
    Case(f"/connect {HANDLE}", "channel.connected", {"name": HANDLE, "days": 30, "handle": HANDLE}),
    Case(
        f"/connect https://t.me/{HANDLE[1:]}", "channel.already", {"name": HANDLE, "handle": HANDLE}
    ),
    Case("/digest 0d", DIGEST_USAGE),
    Case(f"/digest {HANDLE} 0d", DIGEST_USAGE),
    Case(f"/digest {HANDLE} 3d 7d", DIGEST_USAGE),
    Case("/digest -1009990777", "channel.not_connected", {"name": "-1009990777"}),
    Case(f"/digest {EMOJI}", DIGEST_USAGE),
    Case(f"/digest_schedule {HANDLE} sometimes", "schedule.channel_usage", {"handle": HANDLE}),
    Case(
        f"/digest_schedule {HANDLE} daily 25:99 Mars/Phobos here",
        "schedule.time",
        {"time": "25:99"},
    ),
    Case(
        f"/digest_schedule {HANDLE} daily 09:00 Mars/<Phobos>",
        "schedule.zone",
        {"zone": "Mars/&lt;Phobos&gt;"},
    ),
    Case(f"/digest_schedule {HANDLE} daily 09:00 {LONG}", "schedule.zone", {"zone": clip(LONG)}),
    Case(f"/digest_schedule {HANDLE} daily 09:00 UTC group", "schedule.no_group", {"name": HANDLE}),
    Case(
        f"/digest_schedule {HANDLE} weekly funday 09:00 UTC channel",
        "schedule.channel_usage",
        {"handle": HANDLE},
    ),
    Case(f"/digest_schedule {HANDLE} off", "schedule.channel_off", {"name": HANDLE}),
    Case(f"/digest_schedule {HANDLE}", "schedule.channel_none", {"name": HANDLE}),
]
# Alice created the group, Bob is a member.
IN_GROUP = [
    Case("/digest 0d", "digest.usage"),
    Case("/digest -5h", "digest.usage"),
    Case("/digest 100000d", "digest.usage"),
    Case("/digest @", "digest.usage"),
    Case(f"/digest {LONG}", "digest.usage"),
    Case(f"/digest {EMOJI}", "digest.usage"),
    Case("/digest@OtherBot 0d", None),
    Case("/digest_schedule@OtherBot off", None),
    Case("/digest@summary_test_bot 0d", "digest.usage"),
    Case("/usage everything", "usage.title.user", user=BOB, whole=False),
    Case("/frobnicate", None),
    Case("/digest_schedule daily 25:99 Mars/Phobos", "schedule.time", {"time": "25:99"}),
    Case("/digest_schedule weekly funday 09:00 UTC", SCHEDULE_USAGE),
    Case("/digest_schedule daily 09:00 Mars/Phobos", "schedule.zone", {"zone": "Mars/Phobos"}),
    Case("/digest_schedule offf", SCHEDULE_USAGE),
    Case(f"/digest_schedule {LONG}", SCHEDULE_USAGE),
    Case("/digest_schedule @somechannel daily 09:00 UTC", SCHEDULE_USAGE),
    Case("/digest_schedule daily 09:00 UTC", "schedule.admins_only", user=BOB),
    Case("/digest_schedule off", "schedule.admins_only", user=BOB),
    Case("/settings", "group.admins_only", user=BOB),
    Case("/reset", "group.admins_only", user=BOB),
    Case("/forget", "forget.admins_only", user=BOB),
    Case("/stats", "admins_only", user=BOB),
    Case("/connect @somechannel", "channel.private_only"),
    Case("/channels", "channel.private_only"),
    Case(f"/digest_schedule daily 09:00 {LONG}", "schedule.zone", {"zone": clip(LONG)}),
    Case("/follow @a", "follow.private_only"),
    Case("/following", "follow.private_only"),
    Case("/unfollow @never_followed", "follow.private_only"),
    Case("/summarize", "summarize_usage"),
    Case("/ask", "ask_usage"),
]


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The test fails on any record at ERROR or above (an unhandled error, a traceback)."""
    caplog.set_level(logging.INFO)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [f"{r.name}: {r.getMessage()}" for r in errors]


class Sent:
    """The texts the bot got through to each chat, as it sent them (before its HTML is
    parsed); a message the Bot API refused (too long, say) is not among them."""

    def __init__(self, telegram: TelegramServer) -> None:
        self.telegram = telegram
        self.texts: dict[int, list[str]] = {}
        telegram.observers.append(self._seen)

    def _seen(self, method: str, params: dict[str, Any], result: Any, error: object) -> None:
        if method.lower() == "sendmessage" and error is None:
            self.texts.setdefault(int(params["chat_id"]), []).append(str(params["text"]))

    def to(self, chat_id: int) -> list[str]:
        """What reached the chat, oldest first."""
        return self.texts.get(chat_id, [])

    async def replies(self, chat_id: int, send: Callable[[], object], silent: bool) -> list[str]:
        """What the bot answered to `send` in the chat: all it said until it answered the /help
        sent behind it in the same ordered conversation (once it answered, unless silent)."""
        before = len(self.to(chat_id))
        send()
        if not silent:
            await self.telegram.wait_for(lambda: len(self.to(chat_id)) > before, timeout=10)
        kind = "private" if chat_id > 0 else "supergroup"
        self.telegram.send_message(chat_id, "/help", user=ALICE, chat_type=kind)
        await self.telegram.wait_for(lambda: HELP in self.to(chat_id)[before:], timeout=10)
        said = self.to(chat_id)[before:]
        said.remove(HELP)
        return [reply for reply in said if reply not in NOTES]


def _problem(case: Case, said: list[str]) -> str | None:
    """Why the answer to a case breaks the rule; None when it keeps it."""
    wanted = case.expected()
    if wanted is None:
        return None if said == [] else f"should be silent, said {said}"
    if not case.answered_by(said):
        return f"wanted {wanted!r}, got {said}"
    if _LEAK.search(said[0]) or said[0] == text("error", "en"):
        return f"leaks an error: {said[0]!r}"
    return None


async def _run_table(
    telegram: TelegramServer, cases: list[Case], chat_of: Callable[[int], int]
) -> dict[str, str]:
    """Send every case in turn, the n-th in chat `chat_of(n)`; the problems found, by the
    text sent."""
    sent, problems = Sent(telegram), {}
    for number, case in enumerate(cases):
        chat_id = chat_of(number)
        kind = "private" if chat_id > 0 else "supergroup"

        def send(case: Case = case, chat_id: int = chat_id, kind: str = kind) -> None:
            telegram.send_message(chat_id, case.sent, user=case.user, chat_type=kind)

        try:
            said = await sent.replies(chat_id, send, case.reply is None)
        except AssertionError:  # the emulator's wait timed out
            said = ["(no answer in time)"]
        if (problem := _problem(case, said)) is not None:
            problems[case.sent[:80]] = problem
    return problems


# Each table runs in one bot, its private cases in Alice's chat (a bot admin's for /limit).
TABLES: dict[str, tuple[list[Case], dict[str, Any]]] = {
    "private": (PRIVATE, {}),
    "connected channel": (CONNECTED, {}),
    "bot admin": (BOT_ADMIN, {"admin_users": str(ALICE["id"])}),
    "group": (IN_GROUP, {}),
}


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize("table", TABLES)
async def test_every_command_answers_bad_arguments(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    article_server: ArticleServer,
    table: str,
) -> None:
    cases, settings = TABLES[table]
    telegram_server.channel(CHANNEL, username=HANDLE[1:], creator=ALICE)

    def chat_of(number: int) -> int:
        """Alice's private chat; for the group table a group per case, since a bot may send
        only 20 messages a minute in one."""
        if table != "group":
            return int(ALICE["id"])
        telegram_server.group(GROUP - number, creator=ALICE, members=[BOB])
        return GROUP - number

    async with make_bot(telegram_web_base_url=article_server.url("/"), **settings):
        problems = await _run_table(telegram_server, cases, chat_of)
    assert not problems, "\n".join(f"{sent}: {problem}" for sent, problem in problems.items())
    assert article_server.requests == []  # no bad name was looked up on "t.me"


@pytest.mark.usefixtures("no_errors_logged")
async def test_commands_in_channel_posts_and_their_edits_get_no_answer(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    telegram_server.channel(CHANNEL, username=HANDLE[1:], creator=ALICE)
    async with make_bot():
        for command in ("/digest 0d", "/settings", "/forget", "/digest_schedule off"):
            post = telegram_server.send_channel_post(CHANNEL, command)
            telegram_server.edit_message(CHANNEL, post["message_id"], f"{command} {LONG}")
    # Stopping the bot drained its queue: every post and edit was handled by then.
    assert telegram_server.messages(CHANNEL) == []


@pytest.mark.usefixtures("no_errors_logged")
async def test_an_edit_into_a_bad_command_is_answered_only_for_the_latest_message(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    chat, sent = ALICE["id"], Sent(telegram_server)
    async with make_bot():
        older = telegram_server.send_message(chat, "/digest 3d", user=ALICE)
        latest = telegram_server.send_message(chat, "/digest_schedule", user=ALICE)
        await telegram_server.wait_for(lambda: len(sent.to(chat)) >= 2)

        def edit(message: dict[str, Any], command: str) -> Callable[[], object]:
            return lambda: telegram_server.edit_message(chat, message["message_id"], command)

        schedule = edit(latest, "/digest_schedule daily 25:99 UTC")
        fixed = await sent.replies(chat, schedule, silent=False)
        ignored = await sent.replies(chat, edit(older, "/digest 0d"), silent=True)
    assert fixed == [text("schedule.time", "en", time="25:99")]
    assert ignored == []


@pytest.mark.usefixtures("no_errors_logged")
async def test_an_inline_query_without_a_link_gets_the_hint(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    queries = ["", "   ", "not a link", "javascript:alert(1)", "ftp://example.org/x", LONG[:256]]
    async with make_bot():
        ids = [telegram_server.send_inline_query(query, user=ALICE) for query in queries]
        await telegram_server.wait_for(lambda: set(ids) <= set(telegram_server.inline_answers))
    for query_id in ids:
        answer = telegram_server.inline_answers[query_id]
        assert answer["results"] == []
        assert answer["button"]["text"] == text("inline.hint", "en")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["channel"], "the following arguments are required: CHANNEL"),
        (["channel", "@@@"], "'@@@' is not a public channel's name"),
        (["channel", EMOJI], "is not a public channel's name"),
        (["channel", "@technews", "--since", "0d"], "'0d' is not a period"),
        (["channel", "@technews", "--since", "100000d"], "'100000d' is not a period"),
        (["channel", "@technews", "--since", "-5h"], "expected one argument"),
        (["channel", "@technews", "extra"], "unrecognized arguments: extra"),
        (["summarize"], "the following arguments are required: SOURCE"),
        (["summarize", "no-such-file.txt"], "There is no file at no-such-file.txt."),
        (["summarize", "."], "There is no file at ."),
        (["summarize", "x.txt", "--length", "huge"], "invalid choice: 'huge'"),
        (["ask", "x.txt"], "the following arguments are required: question"),
        (["ask", "no-such-file.txt", "Why?"], "There is no file at no-such-file.txt."),
        (["extract", ""], "There is no file at"),
        (["ask", "story.txt", " "], "Your question is empty"),
        (["summarize", "story.txt", "--lang", "xx-YY-ZZ"], "is not an ISO 639-1 language code"),
    ],
)
async def test_bad_invocations_are_one_friendly_line_and_a_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "story.txt").write_text("\n\n".join(STORY), encoding="utf-8")  # the cwd
    try:
        status = await asyncio.to_thread(main, args)
    except SystemExit as exited:  # argparse refused the arguments
        status = int(exited.code or 0)
    err = capsys.readouterr().err
    assert status != 0
    assert "Traceback" not in err
    said = [line for line in err.splitlines() if not line.startswith(("usage:", " "))]
    assert len(said) == 1, err
    assert said[0].startswith("summarybot")
    assert message in said[0]
