"""AiohttpRequest carries real python-telegram-bot calls to the Bot API emulator."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram.request import AiohttpRequest
from tests.servers.proxy_server import ProxyServer
from tests.servers.telegram_server import TelegramServer

CHAT = 1001


def _bot(server: TelegramServer, request: AiohttpRequest, root: str | None = None) -> Bot:
    root = root or server.root
    return Bot(
        server.token,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request,
        get_updates_request=AiohttpRequest(1),
    )


@pytest.fixture
async def bot(telegram_server: TelegramServer) -> AsyncIterator[Bot]:
    """A PTB Bot on AiohttpRequest, initialized (getMe) and shut down after the test."""
    async with _bot(telegram_server, AiohttpRequest(4)) as bot:
        yield bot


async def test_form_parameters_reach_the_api_with_nested_values(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.chat(CHAT)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go é ✓", callback_data="a&b=c")]])
    sent = await bot.send_message(CHAT, "hello & goodbye = 100% ✓", reply_markup=markup)
    params = telegram_server.calls_of("sendMessage")[-1]
    assert params["text"] == "hello & goodbye = 100% ✓"
    button = params["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Go é ✓", "callback_data": "a&b=c"}
    assert sent.text == "hello & goodbye = 100% ✓"


async def test_upload_is_multipart_and_download_returns_the_bytes(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.chat(CHAT)
    data = bytes(range(256)) * 40
    sent = await bot.send_document(CHAT, data, filename="blob.bin", caption="a file")
    assert sent.document is not None
    assert sent.document.file_name == "blob.bin"
    assert sent.caption == "a file"
    remote = await bot.get_file(sent.document.file_id)
    assert await remote.download_as_bytearray() == data


async def test_download_of_a_stored_file(bot: Bot, telegram_server: TelegramServer) -> None:
    meta = telegram_server.add_file(b"%PDF-1.4 tiny", "documents/report.pdf")
    remote = await bot.get_file(meta["file_id"])
    assert await remote.download_as_bytearray() == b"%PDF-1.4 tiny"


async def test_error_statuses_reach_ptb_which_raises_its_errors(
    bot: Bot, telegram_server: TelegramServer
) -> None:
    telegram_server.fail_next("sendMessage", error_code=400, description="Bad Request: nope")
    with pytest.raises(BadRequest, match=r"(?i)nope"):
        await bot.send_message(CHAT, "x")


async def test_slow_answer_raises_timed_out(telegram_server: TelegramServer) -> None:
    telegram_server.slow_method("sendChatAction", 2.0)
    request = AiohttpRequest(2, read_timeout=0.2, write_timeout=0.1)
    async with _bot(telegram_server, request) as bot:
        # The emulator answers after 2 s: TimedOut means the 0.2 s read timeout gave up first.
        with pytest.raises(TimedOut):
            await bot.send_chat_action(CHAT, "typing")


async def test_refused_connection_raises_network_error_without_the_token(
    telegram_server: TelegramServer,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = _bot(telegram_server, AiohttpRequest(2), root=f"http://127.0.0.1:{port}")
    with pytest.raises(NetworkError) as raised:
        await bot.initialize()  # getMe
    assert not isinstance(raised.value, TimedOut)
    assert "TEST-token" not in str(raised.value)
    await bot.shutdown()


async def test_connections_are_limited(telegram_server: TelegramServer) -> None:
    telegram_server.slow_method("sendChatAction", 0.3)
    telegram_server.chat(CHAT)
    async with _bot(telegram_server, AiohttpRequest(2)) as bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_chat_action(CHAT, "typing") for _ in range(4)))
        elapsed = time.monotonic() - started
    assert elapsed >= 0.55  # 4 calls through 2 connections: two rounds of 0.3 s


async def test_requests_fail_clearly_before_initialize_and_work_again_after(
    telegram_server: TelegramServer,
) -> None:
    request = AiohttpRequest(1)
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{telegram_server.root}/bot{telegram_server.token}/getMe", "GET")
    for _ in range(2):  # PTB may initialize again after a shutdown
        async with request:
            status, body = await request.do_request(
                f"{telegram_server.root}/bot{telegram_server.token}/getMe", "GET"
            )
            assert status == 200
            assert b'"summary_test_bot"' in body


async def test_the_bot_api_is_reached_through_the_proxy_of_the_environment(
    telegram_server: TelegramServer, proxy_server: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy_server.url)
    async with _bot(telegram_server, AiohttpRequest(2)) as bot:  # getMe
        await bot.get_me()
    get_me = f"POST {telegram_server.root}/bot{telegram_server.token}/getMe"
    assert proxy_server.seen == [get_me]  # two calls, one kept-alive connection to the proxy
    assert len(telegram_server.calls_of("getMe")) == 2


async def test_no_proxy_names_hosts_reached_directly(
    telegram_server: TelegramServer, proxy_server: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy_server.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with _bot(telegram_server, AiohttpRequest(2)):  # getMe
        pass
    assert proxy_server.seen == []
    assert len(telegram_server.calls_of("getMe")) == 1


async def test_https_to_telegram_tunnels_through_https_proxy(
    telegram_server: TelegramServer, proxy_server: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test proxy refuses every tunnel: what matters is that the client asked it for one
    # (and, by the network guard, resolved and dialled nothing itself).
    monkeypatch.setenv("HTTPS_PROXY", proxy_server.url)
    bot = _bot(telegram_server, AiohttpRequest(2), root="https://api.telegram.org")
    with pytest.raises(NetworkError) as raised:
        await bot.initialize()
    await bot.shutdown()
    assert proxy_server.seen == ["CONNECT api.telegram.org:443"]
    assert "TEST-token" not in str(raised.value)
