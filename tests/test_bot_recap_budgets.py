"""A recap's model call is metered like a summary's: its tokens count against the chat (and the
member who asked), a chat whose budget is spent gets no recap and is told why, and the same
messages recapped again come from the shared cache without a second call."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import ALICE, BOB, GROUP, open_group, recapper, say, today_tokens
from tests.servers.openai_server import FakeOpenAI, prompt_of


def _recap_calls(openai_server: FakeOpenAI) -> int:
    return sum("<messages>" in prompt_of(body) for body in openai_server.requests)


def _talk(telegram_server: TelegramServer) -> None:
    say(telegram_server, "shall we meet at the boathouse?", user=BOB)
    say(telegram_server, "yes, the boathouse", user=ALICE)


async def _nth(telegram_server: TelegramServer, fragment: str, count: int) -> str:
    """The text of the bot's `count`-th message in the group that contains `fragment`."""

    def found() -> list[str]:
        said = [t for t in bot_texts(telegram_server, GROUP) if fragment in t]
        return said if len(said) >= count else []

    texts: list[str] = await telegram_server.wait_for(found)
    return texts[count - 1]


async def test_a_recaps_tokens_count_and_the_same_recap_again_takes_no_call(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    open_group(telegram_server)
    openai_server.responder = recapper
    async with make_bot(budget_chat_monthly_tokens=10**6, group_recaps_default=True):
        _talk(telegram_server)
        say(telegram_server, "/usage")
        before = await _nth(telegram_server, "This chat's usage", 1)
        digests: list[str] = []
        usages: list[str] = []
        for n in (1, 2):  # the same period twice: the same messages, in the same language
            say(telegram_server, "/digest 24h", user=BOB)
            digests.append(await _nth(telegram_server, "Digest", n))
            say(telegram_server, "/usage")
            usages.append(await _nth(telegram_server, "This chat's usage", n + 1))
    assert _recap_calls(openai_server) == 1
    assert all("The venue" in digest for digest in digests)
    assert digests[0] == digests[1]
    assert today_tokens(before) == 0
    assert today_tokens(usages[0]) > 50  # the recap's call, recorded for the chat
    assert today_tokens(usages[1]) == today_tokens(usages[0])  # the cached one cost nothing


async def test_a_chat_out_of_budget_gets_no_recap_and_is_told_why(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    open_group(telegram_server)
    openai_server.responder = recapper
    async with make_bot(budget_chat_daily_tokens=1, group_recaps_default=True):
        _talk(telegram_server)
        say(telegram_server, "/digest", user=BOB)
        digest: dict[str, Any] = await wait_for_text(telegram_server, "Digest", GROUP)
    assert openai_server.requests == []  # refused before any call
    text = digest["text"]
    assert "This chat's daily budget has 1 tokens left (0 tokens of 1 tokens used)" in text
    assert "It resets on" in text
    assert "So there is no recap of the conversation this time: it needs the model." in text
    assert "The venue" not in text


async def test_an_unusable_recap_is_not_kept_and_the_next_digest_asks_again(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    open_group(telegram_server)
    replies = iter(["Sorry, I cannot write JSON today."])
    openai_server.responder = lambda body: next(replies, None) or recapper(body)
    async with make_bot(group_recaps_default=True):
        _talk(telegram_server)
        say(telegram_server, "/digest 24h", user=BOB)
        await _nth(telegram_server, "No links were shared here", 1)  # and no recap to lead
        say(telegram_server, "/digest 24h", user=BOB)
        digest = await _nth(telegram_server, "Digest", 1)
    assert _recap_calls(openai_server) == 2
    assert "The venue" in digest
