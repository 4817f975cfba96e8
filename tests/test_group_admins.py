"""AdminCheck: a user's admin status comes from getChatMember and is kept for a while."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.playground.emulator.server import TelegramServer
from bot.telegram.groups import AdminCheck

GROUP = -100444
ALICE = {"id": 1001, "is_bot": False, "first_name": "Alice"}


@pytest.fixture
async def bot(telegram_server: TelegramServer) -> AsyncIterator[Bot]:
    async with Bot(telegram_server.token, base_url=f"{telegram_server.root}/bot") as opened:
        yield opened


async def test_status_is_kept_until_it_expires(bot: Bot, telegram_server: TelegramServer) -> None:
    now = [1000.0]
    check = AdminCheck(ttl_s=60.0, clock=lambda: now[0])
    telegram_server.group(GROUP, admins=[ALICE])
    assert await check.is_admin(bot, GROUP, ALICE["id"])
    telegram_server.set_admins(GROUP, [])  # demoted, but the bot still remembers
    now[0] += 59.0
    assert await check.is_admin(bot, GROUP, ALICE["id"])
    now[0] += 2.0
    assert not await check.is_admin(bot, GROUP, ALICE["id"])
    assert len(telegram_server.calls_of("getChatMember")) == 2


async def test_a_failed_lookup_is_no_admin_and_is_asked_again(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    check = AdminCheck()
    telegram_server.group(GROUP, admins=[ALICE])
    telegram_server.fail_next("getChatMember", error_code=400, description="Bad Request: oops")
    assert not await check.is_admin(bot, GROUP, ALICE["id"])
    assert await check.is_admin(bot, GROUP, ALICE["id"])
