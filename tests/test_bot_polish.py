"""What a new user trips over (issue 14): messages without text, edits, /cancel with a queue."""

from __future__ import annotations

import logging

import pytest

from bot.playground.emulator.server import TelegramServer
from bot.telegram.settings_menu import language_code_of
from tests.servers.article_server import ARTICLE_LAST_PHRASE, ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import button_labels
from tests.servers.openai_server import FakeOpenAI, all_messages

CHAT = 1001
RUSSIAN = {"id": 77, "is_bot": False, "first_name": "Иван", "language_code": "ru"}


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "S1",
                "file_unique_id": "u1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
        {"photo": [{"file_id": "P1", "file_unique_id": "u2", "width": 90, "height": 90}]},
        {"voice": {"file_id": "V1", "file_unique_id": "u3", "duration": 3}},
        {"location": {"latitude": 59.33, "longitude": 18.06}},
    ],
)
async def test_messages_without_text_get_a_hint_of_what_the_bot_reads(
    make_bot: BotFactory, telegram_server: TelegramServer, content: dict[str, object]
) -> None:
    async with make_bot():
        telegram_server.send_content(CHAT, content)
        telegram_server.send_content(77, content, user=RUSSIAN)
        english = await wait_for_text(telegram_server, "can't read", CHAT)
        russian = await wait_for_text(telegram_server, "не умею читать", 77)
    assert ".pdf" in english["text"]
    assert ".pdf" in russian["text"]
    assert len(english["text"].splitlines()) == 1


async def test_messages_without_text_in_a_group_are_left_alone(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    sticker = {"location": {"latitude": 59.33, "longitude": 18.06}}
    async with make_bot():
        telegram_server.send_content(-100777, sticker, chat_type="supergroup")
        telegram_server.send_message(-100777, "/help@summary_test_bot", chat_type="supergroup")
        await wait_for_text(telegram_server, "What I do", -100777)
    assert len(telegram_server.messages(-100777)) == 1


async def _broken_link(telegram_server: TelegramServer, article_server: ArticleServer) -> int:
    """A link that fails, once the bot said so; returns the user's message id."""
    sent = telegram_server.send_message(CHAT, article_server.url("/status/404"))
    await wait_for_text(telegram_server, "does not exist", CHAT)
    return int(sent["message_id"])


async def _settings(
    telegram_server: TelegramServer, chat: int, title: str, user: dict[str, object] | None = None
) -> dict[str, object]:
    """The /settings menu as the bot posted it."""
    telegram_server.send_message(chat, "/settings", user=user)
    return await wait_for_text(telegram_server, title, chat)


async def test_an_edit_of_the_latest_request_is_handled_like_a_new_one(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        broken = await _broken_link(telegram_server, article_server)
        telegram_server.edit_message(CHAT, broken, article_server.url("/article"))
        summary = await wait_for_text(telegram_server, "Summary:", CHAT)
    assert ARTICLE_LAST_PHRASE in all_messages(openai_server.requests[0])
    assert summary["reply_to_message"]["message_id"] == broken


async def test_an_edit_of_an_older_message_is_ignored(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        older = await _broken_link(telegram_server, article_server)
        telegram_server.send_message(CHAT, "/start")
        await wait_for_text(telegram_server, "Hi!", CHAT)
        telegram_server.edit_message(CHAT, older, article_server.url("/article"))
        telegram_server.send_message(CHAT, "/help")
        await wait_for_text(telegram_server, "What I do", CHAT)
    assert openai_server.requests == []


async def test_cancel_also_drops_the_queued_requests_and_says_how_many(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.delay_s = 2.0
    telegram_server.reject_drafts = True
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
        telegram_server.send_message(CHAT, article_server.url("/plain"))
        telegram_server.send_message(CHAT, article_server.url("/article?again"))
        await wait_for_text(telegram_server, "still working", CHAT)
        telegram_server.send_message(CHAT, "/cancel")
        await wait_for_text(telegram_server, "Dropped from the queue: 2.", CHAT)
        telegram_server.send_message(CHAT, "/start")
        await wait_for_text(telegram_server, "Hi!", CHAT)
    assert len(openai_server.requests) == 1
    assert not any("Summary:" in t for t in bot_texts(telegram_server, CHAT))
    assert "Stopped." in bot_texts(telegram_server, CHAT)


def _channel(title: str = "City News", username: str | None = "citynews") -> dict[str, object]:
    chat: dict[str, object] = {"id": -100555, "type": "channel", "title": title}
    if username:
        chat["username"] = username
    return {"type": "channel", "date": 1700000000, "chat": chat, "message_id": 42}


async def test_a_short_forwarded_post_of_a_few_sentences_is_summarized(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    post = (
        "The ferry to the island was cancelled this morning. High winds kept every boat in the "
        "harbour. The council expects the service to resume tomorrow."
    )
    async with make_bot():
        telegram_server.send_message(CHAT, post, forward_origin=_channel())
        await wait_for_text(telegram_server, "Summary:", CHAT)
    assert "High winds kept every boat" in all_messages(openai_server.requests[0])


async def test_too_short_a_post_is_refused_in_words_for_pasted_text(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, "Big news today!", forward_origin=_channel())
        message = await wait_for_text(telegram_server, "too short", CHAT)
    assert "Paste the text" not in message["text"]
    assert "on that page" not in message["text"]
    assert openai_server.requests == []


@pytest.mark.parametrize(
    ("username", "link"),
    [("citynews", "https://t.me/citynews/42"), (None, "https://t.me/c/555/42")],
)
async def test_a_forwarded_post_is_headed_by_its_channel_linked_to_the_post(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    username: str | None,
    link: str,
) -> None:
    post = "The city library will stay open until midnight during the exam season. " * 8
    async with make_bot():
        telegram_server.send_message(CHAT, post, forward_origin=_channel(username=username))
        summary = await wait_for_text(telegram_server, "Summary:", CHAT)
    assert "City News" in summary["text"].split("Summary:")[0]
    links = [e["url"] for e in summary.get("entities", []) if e["type"] == "text_link"]
    assert links == [link]


LINES = [
    f"Paragraph {n}: the orchard cooperative harvested early apples this year." for n in range(30)
]


@pytest.mark.parametrize(
    ("caption", "calls"), [("Which fruit did they harvest?", 2), ("My notes from Tuesday", 1)]
)
async def test_a_question_in_a_documents_caption_is_answered_after_its_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    caption: str,
    calls: int,
) -> None:
    openai_server.responder = lambda body: (
        "Early apples." if caption in all_messages(body) else "**Gist.**\n\n- Apples"
    )
    async with make_bot():
        telegram_server.send_document(
            CHAT, "\n\n".join(LINES).encode(), "notes.txt", "text/plain", caption=caption
        )
        await wait_for_text(telegram_server, "Gist.", CHAT)
        telegram_server.send_message(CHAT, "/start")
        await wait_for_text(telegram_server, "Hi!", CHAT)
    assert len(openai_server.requests) == calls
    texts = bot_texts(telegram_server, CHAT)
    if calls == 2:
        assert "Paragraph 29" in all_messages(openai_server.requests[1])
        assert [t for t in texts if "Gist." in t or t == "Early apples."][-1] == "Early apples."


async def test_a_chat_that_blocked_the_bot_is_left_alone_with_one_info_line(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = {"id": 555, "is_bot": False, "first_name": "Gone"}
    caplog.set_level(logging.INFO)
    async with make_bot():
        telegram_server.send_message(555, article_server.url("/article"), user=gone)
        telegram_server.block(555)
        telegram_server.send_message(555, "/start", user=gone)
        telegram_server.send_message(CHAT, article_server.url("/plain"))
        await wait_for_text(telegram_server, "Summary:", CHAT)
        telegram_server.send_message(555, "/help", user=gone)
        await telegram_server.wait_for_call(
            "sendMessage", lambda c: c.get("chat_id") == 555 and "What I do" in c["text"]
        )
    sent = [c["text"] for c in telegram_server.calls_of("sendMessage") if c.get("chat_id") == 555]
    assert not any("went wrong" in t for t in sent)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    blocked = [r for r in caplog.records if "blocked" in r.getMessage()]
    assert len(blocked) == 3  # once per request, at INFO
    assert all(r.levelno == logging.INFO for r in blocked)


async def test_a_groups_queue_note_speaks_of_the_chat_and_replies_to_the_queued_message(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    group = -100777
    alice = {"id": 1001, "is_bot": False, "first_name": "Alice"}
    bob = {"id": 1002, "is_bot": False, "first_name": "Bob"}
    openai_server.delay_s = 1.0
    async with make_bot():
        telegram_server.send_message(
            group,
            f"@summary_test_bot {article_server.url('/article')}",
            user=alice,
            chat_type="supergroup",
        )
        await telegram_server.wait_for(lambda: openai_server.requests)
        queued = telegram_server.send_message(
            group,
            f"@summary_test_bot {article_server.url('/plain')}",
            user=bob,
            chat_type="supergroup",
        )
        note = await wait_for_text(telegram_server, "still working", group)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)
    assert "in this chat" in note["text"]
    assert "your previous" not in note["text"]
    assert note["reply_to_message"]["message_id"] == queued["message_id"]


@pytest.mark.parametrize(
    ("status", "code", "message", "wanted", "unwanted"),
    [
        (404, "model_not_found", "The model does not exist", "LLM_MODEL", "minute"),
        (
            400,
            "context_length_exceeded",
            "maximum context length",
            "LLM_CONTEXT_TOKENS",
            "too long",
        ),
    ],
)
async def test_model_errors_name_the_setting_to_fix(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    status: int,
    code: str,
    message: str,
    wanted: str,
    unwanted: str,
) -> None:
    openai_server.fail_next(status, code=code, message=message, times=5)
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        reply = await wait_for_text(telegram_server, wanted, CHAT)
    assert unwanted not in reply["text"]
    if status == 404:
        assert "gpt-4o-mini" in reply["text"]


async def test_a_rejected_api_key_falls_back_to_a_labelled_extractive_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.fail_next(401, code="invalid_api_key", message="Incorrect API key", times=5)
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        summary = await wait_for_text(telegram_server, "OPENAI_API_KEY", CHAT)
    assert "glass eels" in summary["text"]  # the article's own sentences
    assert "rejected" in summary["text"]


async def test_the_bots_description_is_set_in_every_catalog_language(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    async with make_bot():
        pass
    for kind, limit in (("description", 512), ("short_description", 120)):
        shown = {
            language: telegram_server.descriptions[(kind, language)] for language in ("", "ru")
        }
        assert all(0 < len(value) <= limit for value in shown.values())
        assert shown[""] != shown["ru"]
    assert "summar" in telegram_server.descriptions[("short_description", "")].lower()


async def test_the_emulator_refuses_a_description_over_telegrams_limit(
    telegram_server: TelegramServer,
) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        url = f"{telegram_server.root}/bot{telegram_server.token}/setMyShortDescription"
        async with session.post(url, json={"short_description": "x" * 121}) as response:
            body = await response.json()
    assert response.status == 400
    assert "too long" in body["description"].lower()


def _buttons(menu: dict[str, object]) -> list[str]:
    rows = menu["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    return [b["callback_data"] for row in rows for b in row]


async def test_in_my_language_summarizes_in_the_users_telegram_language(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        menu = await _settings(telegram_server, 77, "Настройки", RUSSIAN)
        assert {"settings:language:en", "settings:language:ru"} <= set(_buttons(menu))
        assert "settings:language:other" in _buttons(menu)
        telegram_server.press_button(77, menu["message_id"], "settings:language:mine", user=RUSSIAN)
        await telegram_server.wait_for_call("editMessageReplyMarkup")
        ticked = telegram_server.calls_of("editMessageReplyMarkup")[-1]["reply_markup"]
        labels = button_labels(ticked)
        assert "✓ На моём языке" in labels
        telegram_server.send_message(77, article_server.url("/article"), user=RUSSIAN)
        await telegram_server.wait_for(lambda: openai_server.requests)
    assert "Russian (ru)" in all_messages(openai_server.requests[0])


async def test_any_typed_language_can_be_chosen_and_nonsense_is_refused(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        menu = await _settings(telegram_server, CHAT, "Settings")
        telegram_server.press_button(CHAT, menu["message_id"], "settings:language:other")
        await wait_for_text(telegram_server, "name or code", CHAT)
        telegram_server.send_message(CHAT, "klingon")
        await wait_for_text(telegram_server, "klingon", CHAT)
        telegram_server.press_button(CHAT, menu["message_id"], "settings:language:other")
        await telegram_server.wait_for(
            lambda: sum("name or code" in t for t in bot_texts(telegram_server, CHAT)) == 2
        )
        telegram_server.send_message(CHAT, "Italian")
        await wait_for_text(telegram_server, "in Italian", CHAT)
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
    assert "Italian (it)" in all_messages(openai_server.requests[0])


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("it", "it"),
        ("pt-BR", "pt"),
        ("  italian ", "it"),
        ("Deutsch", "de"),
        ("русский", "ru"),
        ("klingon", None),
        ("xx", None),
        ("", None),
    ],
)
def test_a_typed_language_is_read_by_code_or_name(typed: str, code: str | None) -> None:
    assert language_code_of(typed) == code
