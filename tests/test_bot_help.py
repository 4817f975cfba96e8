"""/help names every way in: inline mode in any chat and the digest commands, in each language."""

from __future__ import annotations

import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.bot_runner import BotFactory


@pytest.mark.parametrize(("language", "inline_word"), [("en", "any chat"), ("ru", "любом чате")])
async def test_help_mentions_inline_mode_and_digests(
    make_bot: BotFactory, telegram_server: TelegramServer, language: str, inline_word: str
) -> None:
    user = {"id": 91, "is_bot": False, "first_name": "Ana", "language_code": language}
    async with make_bot():
        telegram_server.send_message(91, "/help", user=user)
        await telegram_server.wait_for(lambda: telegram_server.messages(91))
    help_text = telegram_server.messages(91)[0]["text"]
    assert "@summary_test_bot " in help_text
    assert inline_word in help_text
    assert "/digest" in help_text
    assert "/digest 24h" in help_text
    assert "/follow @" in help_text
