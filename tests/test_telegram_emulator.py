"""A real python-telegram-bot Application runs against the Bot API emulator."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import Application, ContextTypes, MessageHandler, TypeHandler, filters

from bot.playground.emulator.mdv2 import parse_markdown_v2
from bot.playground.emulator.server import EntityParseError, TelegramServer, parse_html
from bot.telegram.render import markdown_to_telegram_html
from bot.telegram.split import html_to_plain, split_message
from tests.servers.telegram_server import polling

CHAT = 1001


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_message.text is not None
    await update.effective_message.reply_text(
        f"echo: {update.effective_message.text}", do_quote=True
    )


@pytest.fixture
async def app(telegram_server: TelegramServer) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """An echo bot polling the emulator; stopped cleanly so nothing leaks."""
    application = (
        Application.builder()
        .token(telegram_server.token)
        .base_url(f"{telegram_server.root}/bot")
        .base_file_url(f"{telegram_server.root}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    async with polling(application):
        yield application


async def test_startup_calls_get_me_then_delete_webhook(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    await telegram_server.wait_for_call("getUpdates")
    names = [name for name, _ in telegram_server.calls]
    assert names[0] == "getMe"
    assert names.index("deleteWebhook") < names.index("getUpdates")
    assert app.bot.username == "summary_test_bot"


async def test_message_is_answered_once_and_updates_are_confirmed(
    app: Application,
    telegram_server: TelegramServer,  # type: ignore[type-arg]
) -> None:
    sent = telegram_server.send_message(CHAT, "hello <world> & 😀")
    reply = await telegram_server.wait_for_call("sendMessage")
    assert reply["text"] == "echo: hello <world> & 😀"
    assert reply["chat_id"] == CHAT
    assert reply["reply_parameters"]["message_id"] == sent["message_id"]

    telegram_server.send_message(CHAT, "second")
    await telegram_server.wait_for(lambda: len(telegram_server.calls_of("sendMessage")) == 2)
    # A few more poll rounds: the confirmed updates must never come back.
    polls = len(telegram_server.calls_of("getUpdates"))
    await telegram_server.wait_for(lambda: len(telegram_server.calls_of("getUpdates")) > polls + 2)
    assert [p["text"] for p in telegram_server.calls_of("sendMessage")] == [
        "echo: hello <world> & 😀",
        "echo: second",
    ]
    offsets = [p.get("offset", 0) for p in telegram_server.calls_of("getUpdates")]
    assert offsets == sorted(offsets)
    assert telegram_server.updates == []

    stored = telegram_server.messages(CHAT)
    assert [m["text"] for m in stored] == ["echo: hello <world> & 😀", "echo: second"]
    assert stored[0]["reply_to_message"]["message_id"] == sent["message_id"]
    assert stored[0]["message_id"] < stored[1]["message_id"]


async def test_html_is_stored_as_text_and_entities(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    telegram_server.chat(CHAT)
    message = await app.bot.send_message(
        CHAT,
        '😀 <b>bold <i>both</i></b> &lt;x&gt; <a href="https://e.org/?a=1&amp;b=2">link</a>',
        parse_mode="HTML",
    )
    assert message.text == "😀 bold both <x> link"
    stored = telegram_server.messages(CHAT)[-1]
    assert stored["text"] == message.text
    # Offsets count UTF-16 units: the emoji is 2.
    assert stored["entities"] == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 17, "length": 4, "url": "https://e.org/?a=1&b=2"},
    ]
    assert message.entities[2].url == "https://e.org/?a=1&b=2"


async def test_bad_requests_use_telegram_wording(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    telegram_server.chat(CHAT)
    # PTB capitalizes the description after dropping "Bad Request: ".
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(CHAT, "x" * 4097)
    assert (await app.bot.send_message(CHAT, "x" * 4096)).text == "x" * 4096
    with pytest.raises(BadRequest, match="Message text is empty"):
        await app.bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "foo" at byte offset 6'):
        await app.bot.send_message(CHAT, "a 😀<foo>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)corresponding to start tag "b"'):
        await app.bot.send_message(CHAT, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await app.bot.send_message(CHAT, "*ok* end.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=CHAT, message_id=999)


async def test_identical_edit_is_not_modified(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    telegram_server.chat(CHAT)
    message = await app.bot.send_message(CHAT, "<b>v1</b>", parse_mode="HTML")
    edited = await app.bot.edit_message_text(
        "<i>v2</i>", chat_id=CHAT, message_id=message.message_id, parse_mode="HTML"
    )
    assert edited.text == "v2"
    assert telegram_server.messages(CHAT)[-1]["entities"] == [
        {"type": "italic", "offset": 0, "length": 2}
    ]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_text(
            "<i>v2</i>", chat_id=CHAT, message_id=message.message_id, parse_mode="HTML"
        )
    await app.bot.delete_message(CHAT, message.message_id)
    assert telegram_server.messages(CHAT) == []


async def test_keyboard_edit_is_stored_and_an_identical_one_is_not_modified(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    telegram_server.chat(CHAT)
    message = await app.bot.send_message(
        CHAT,
        "menu",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]]),
    )
    ticked = InlineKeyboardMarkup([[InlineKeyboardButton("✓ a", callback_data="a")]])
    await app.bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=ticked)
    stored = telegram_server.messages(CHAT)[-1]
    assert stored["reply_markup"]["inline_keyboard"][0][0]["text"] == "✓ a"
    assert "edit_date" in stored
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=ticked)
    await app.bot.edit_message_reply_markup(CHAT, message.message_id)
    assert "reply_markup" not in telegram_server.messages(CHAT)[-1]


async def test_observers_see_answered_calls_and_the_draft_is_kept_until_the_message(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    seen: list[tuple[str, bool]] = []
    telegram_server.observers.append(
        lambda method, _p, _r, error: seen.append((method, error is None))
    )
    telegram_server.chat(CHAT)
    await app.bot.send_message_draft(CHAT, draft_id=3, text="<b>partial</b>", parse_mode="HTML")
    assert telegram_server.drafts[CHAT] == {
        "draft_id": 3,
        "text": "partial",
        "entities": [{"type": "bold", "offset": 0, "length": 7}],
    }
    await app.bot.send_message(CHAT, "partial, then whole")
    assert CHAT not in telegram_server.drafts
    with pytest.raises(BadRequest):
        await app.bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    assert ("sendMessageDraft", True) in seen
    assert ("sendMessage", True) in seen
    assert ("editMessageText", False) in seen


async def test_429_surfaces_as_retry_after(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    telegram_server.chat(CHAT)
    telegram_server.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(CHAT, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert (await app.bot.send_message(CHAT, "hi")).text == "hi"
    telegram_server.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(CHAT, "hi")


async def test_uploaded_document_can_be_downloaded(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    payload = b"%PDF-1.4 fake\x00\xff"
    message = telegram_server.send_document(CHAT, payload, "paper.pdf", "application/pdf")
    file = await app.bot.get_file(message["document"]["file_id"])
    assert file.file_size == len(payload)
    assert bytes(await file.download_as_bytearray()) == payload

    big = bytes(range(256)) * 8192  # 2 MiB, beyond aiohttp's default body limit
    sent = await app.bot.send_document(
        CHAT, big, filename="big.bin", caption="<b>file</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert sent.document.file_name == "big.bin"
    assert sent.caption == "file"
    again = await app.bot.get_file(sent.document.file_id)
    assert bytes(await again.download_as_bytearray()) == big


async def test_drafts_commands_and_buttons(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    telegram_server.chat(CHAT)
    assert await app.bot.send_message_draft(CHAT, draft_id=7, text="<b>partial", parse_mode=None)
    telegram_server.reject_drafts = True
    with pytest.raises(BadRequest):
        await app.bot.send_message_draft(CHAT, draft_id=7, text="more")
    assert await app.bot.set_my_commands([("start", "Start"), ("ask", "Ask")], language_code="de")
    assert [c.command for c in await app.bot.get_my_commands(language_code="de")] == [
        "start",
        "ask",
    ]
    assert await app.bot.get_my_commands() == ()
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("noSuchMethod")


async def test_rendered_long_answer_is_accepted_part_by_part(
    app: Application,  # type: ignore[type-arg]
    telegram_server: TelegramServer,
) -> None:
    telegram_server.chat(CHAT)
    markdown = "\n\n".join(f"## Part {i}\n\n**Bold <{i}>** & text 😀. " * 20 for i in range(12))
    html = markdown_to_telegram_html(markdown)
    parts = split_message(html)
    assert len(parts) > 1
    for part in parts:
        await app.bot.send_message(CHAT, part, parse_mode="HTML")
    stored = [m["text"] for m in telegram_server.messages(CHAT)]
    assert [s.split(" ", 1)[0] for s in stored] == [
        f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)
    ]
    joined = " ".join(s.split(" ", 1)[1] for s in stored)
    assert joined.split() == html_to_plain(html).split()


async def test_groups_channels_buttons_and_rates(
    telegram_server: TelegramServer,
) -> None:
    seen: list[Update] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)
        if update.callback_query:
            await update.callback_query.answer("ok")
            await update.callback_query.edit_message_text("pressed")

    application = (
        Application.builder()
        .token(telegram_server.token)
        .base_url(f"{telegram_server.root}/bot")
        .base_file_url(f"{telegram_server.root}/file/bot")
        .build()
    )
    application.add_handler(TypeHandler(Update, record))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=dtm.timedelta(seconds=0.2))
        group, channel = -100123, -100999
        origin = {
            "type": "channel",
            "date": 1700000000,
            "chat": {"id": -1005, "type": "channel", "title": "News"},
            "message_id": 42,
        }
        telegram_server.send_message(
            group,
            "/summary@summary_test_bot https://e.org/a",
            chat_type="supergroup",
            message_thread_id=7,
            forward_origin=origin,
        )
        telegram_server.send_channel_post(channel, "post https://e.org/b")
        telegram_server.chat(CHAT)
        sent = await application.bot.send_message(CHAT, "choose")
        query_id = telegram_server.press_button(CHAT, sent.message_id, "btn:1")
        await telegram_server.wait_for(lambda: len(seen) == 3)
        await telegram_server.wait_for_call("editMessageText")
        await application.updater.stop()
        await application.stop()

    message = seen[0].effective_message
    assert message is not None
    assert message.chat.type == "supergroup"
    assert message.message_thread_id == 7
    assert message.is_topic_message
    assert message.forward_origin is not None
    assert message.forward_origin.type == "channel"
    assert [e.type for e in message.entities] == ["bot_command", "url"]
    assert seen[1].channel_post is not None
    assert seen[1].channel_post.sender_chat is not None
    assert seen[2].callback_query is not None
    assert seen[2].callback_query.data == "btn:1"
    assert telegram_server.callback_answers[query_id]["text"] == "ok"
    assert telegram_server.messages(CHAT)[-1]["text"] == "pressed"
    assert telegram_server.max_calls_per_second(CHAT) == 2


async def test_admins_slow_methods_and_rates(
    app: Application, telegram_server: TelegramServer
) -> None:  # type: ignore[type-arg]
    group = -100777
    owner = {"id": 55, "is_bot": False, "first_name": "Olga"}
    telegram_server.chat(group, "supergroup")
    telegram_server.set_admins(group, [owner])
    admins = await app.bot.get_chat_administrators(group)
    assert {a.user.id for a in admins} == {55, telegram_server.bot["id"]}
    assert (await app.bot.get_chat_member(group, 55)).status == "administrator"
    assert (await app.bot.get_chat_member(group, 66)).status == "member"

    telegram_server.slow_method("sendChatAction", 0.3)
    started = asyncio.get_running_loop().time()
    assert await app.bot.send_chat_action(group, "typing")
    assert asyncio.get_running_loop().time() - started >= 0.3

    message = await app.bot.send_message(group, "0")
    for i in range(1, 4):
        await app.bot.edit_message_text(str(i), chat_id=group, message_id=message.message_id)
    assert telegram_server.max_calls_per_second(group) == 4
    assert telegram_server.messages(group)[-1]["text"] == "3"


HTML_ERRORS = [
    ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("é <br/>", 'Unsupported start tag "br/" at byte offset 3'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<a href="x', "Unclosed start tag at byte offset 0"),
    ("<b", "Unclosed start tag at byte offset 0"),
]


@pytest.mark.parametrize(("html", "reason"), HTML_ERRORS)
def test_html_parser_rejects_like_telegram(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert caught.value.reason == reason
    assert str(caught.value) == f"Bad Request: can't parse entities: {reason}"


def test_html_parser_entities() -> None:
    text, entities = parse_html(
        "<strong>b</strong><em>i</em><ins>u</ins><del>s</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><code>c</code><pre>p</pre>'
        '<pre><code class="language-go">g</code></pre><blockquote expandable>e</blockquote>'
        "<a href='tg://user?id=1'>t</a><a href=\"javascript:x\">j</a> &#128512;&#x41;&nbsp;&lt"
    )
    assert text == "biuspqcpgetj 😀A&nbsp;<"
    assert [(e["type"], e["offset"]) for e in entities] == [
        ("bold", 0),
        ("italic", 1),
        ("underline", 2),
        ("strikethrough", 3),
        ("spoiler", 4),
        ("spoiler", 5),
        ("code", 6),
        ("pre", 7),
        ("pre", 8),
        ("expandable_blockquote", 9),
        ("text_link", 10),
    ]
    assert entities[8]["language"] == "go"
    assert entities[10]["url"] == "tg://user?id=1"


def test_markdown_v2_parser() -> None:
    text, entities = parse_markdown_v2(
        "*b* _i_ __u__ ~s~ ||p|| `c` [l](https://e.org/\\)) \\. ```py\nx\n```"
    )
    assert text == "b i u s p c l . x\n"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
        "pre",
    ]
    assert entities[6]["url"] == "https://e.org/)"
    assert entities[7]["language"] == "py"
    for bad, reason in [
        ("end.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("a-b", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("[l](https://e.org", "Can't find end of a URL at byte offset 4"),
    ]:
        with pytest.raises(EntityParseError) as caught:
            parse_markdown_v2(bad)
        assert caught.value.reason == reason
