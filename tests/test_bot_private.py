"""The bot in a private chat, end to end: emulated Telegram, fake LLM, real local web pages."""

from __future__ import annotations

import gc

from bot.playground.emulator.server import TelegramServer
from bot.telegram.app import COMMANDS
from tests.servers.article_server import (
    ARTICLE_BOILERPLATE,
    ARTICLE_LAST_PHRASE,
    ARTICLE_TITLE,
    ArticleServer,
    make_pdf,
)
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import button_labels
from tests.servers.openai_server import FakeOpenAI, all_messages
from tests.test_extract import STORY

CHAT = 1001


async def test_link_gets_a_summary_with_title_site_and_link(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: (
        "**Eels are back.**\n\n- Eleven thousand counted\n- Weir removed"
    )
    async with make_bot():
        telegram_server.send_message(CHAT, f"look {article_server.url('/article')}")
        await telegram_server.wait_for(
            lambda: any("Eels are back." in t for t in bot_texts(telegram_server, CHAT))
        )
    summary = next(m for m in telegram_server.messages(CHAT) if "Eels are back." in m["text"])
    assert summary["text"].startswith(ARTICLE_TITLE)
    links = [e["url"] for e in summary.get("entities", []) if e["type"] == "text_link"]
    assert links == [article_server.url("/article")]
    prompt = all_messages(openai_server.requests[0])
    assert ARTICLE_LAST_PHRASE in prompt
    assert all(junk not in prompt for junk in ARTICLE_BOILERPLATE)


async def test_start_and_help_and_commands_are_registered(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, "/start")
        await telegram_server.wait_for(lambda: telegram_server.messages(CHAT))
    assert "I read articles for you" in telegram_server.messages(CHAT)[0]["text"]
    languages = {call.get("language_code") for call in telegram_server.calls_of("setMyCommands")}
    assert languages == {None, "ru"}
    english = next(
        c for c in telegram_server.calls_of("setMyCommands") if not c.get("language_code")
    )
    assert [c["command"] for c in english["commands"]] == list(COMMANDS)
    assert {"digest_schedule", "follow", "following", "unfollow"} <= set(COMMANDS)
    assert all(c["description"] for c in english["commands"])


async def test_objects_built_at_start_are_left_out_of_garbage_collection(
    make_bot: BotFactory,
) -> None:
    gc.unfreeze()  # an earlier test's bot may have frozen some already
    async with make_bot():
        # Modules and clients stay for the bot's life; full collections no longer walk them.
        assert gc.get_freeze_count() > 10_000


async def test_russian_user_gets_a_russian_interface(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    user = {"id": 77, "is_bot": False, "first_name": "Иван", "language_code": "ru"}
    async with make_bot():
        telegram_server.send_message(77, "/start", user=user)
        await telegram_server.wait_for(lambda: telegram_server.messages(77))
    assert "Привет" in telegram_server.messages(77)[0]["text"]


async def test_several_links_get_one_summary_each_in_order(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: (
        "**Eels.**" if "Varnholm" in all_messages(body) else "**Ferry.**"
    )
    async with make_bot():
        telegram_server.send_message(
            CHAT, f"{article_server.url('/article')}\n{article_server.url('/plain')}"
        )
        await telegram_server.wait_for(
            lambda: (
                sum(
                    "**" not in t and ("Eels." in t or "Ferry." in t)
                    for t in bot_texts(telegram_server, CHAT)
                )
                == 2
            )
        )
    texts = [t for t in bot_texts(telegram_server, CHAT) if "Eels." in t or "Ferry." in t]
    assert ["Eels." in texts[0], "Ferry." in texts[1]] == [True, True]


async def test_text_link_entity_is_followed(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    entity = {"type": "text_link", "offset": 0, "length": 9, "url": article_server.url("/article")}
    async with make_bot():
        telegram_server.send_message(CHAT, "this one!", entities=[entity])
        await telegram_server.wait_for(lambda: openai_server.requests)
    assert ARTICLE_LAST_PHRASE in all_messages(openai_server.requests[0])


async def test_split_paste_is_merged_into_one_article(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    sentence = "The harbour council debated the new ferry timetable for the island at length. "
    whole = sentence * 110 + "The final paragraph mentions the lighthouse keeper Oskar."
    parts = [whole[:4096], whole[4096:8192], whole[8192:]]
    assert len(parts[2]) < 3500
    async with make_bot(paste_window_s=1.0):
        for part in parts:
            telegram_server.send_message(CHAT, part)
        await telegram_server.wait_for(lambda: openai_server.requests)
        await telegram_server.wait_for(
            lambda: any(t.startswith("Summary:") for t in bot_texts(telegram_server, CHAT))
        )
    assert len(openai_server.requests) == 1
    prompt = all_messages(openai_server.requests[0])
    assert "lighthouse keeper Oskar" in prompt
    assert prompt.count("ferry timetable") >= 100


async def test_a_long_list_of_links_does_not_swallow_the_next_message(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    question = "Who counted the eels?"
    openai_server.responder = lambda body: (
        "Eleven thousand." if question in all_messages(body) else "**Gist.**\n\n- Point"
    )
    links = "\n".join(article_server.url(f"/article?n={n}") for n in range(100))
    assert len(links) >= 3500  # as long as the first part of a split paste
    async with make_bot(paste_window_s=1.0):
        telegram_server.send_message(CHAT, links)
        telegram_server.send_message(CHAT, question)  # well within the paste window
        await wait_for_text(telegram_server, "Eleven thousand.", CHAT)
    assert any(question in all_messages(body) for body in openai_server.requests)


async def test_forwarded_channel_post_is_summarized(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    post = "The city library will stay open until midnight during the exam season. " * 8
    origin = {
        "type": "channel",
        "date": 1700000000,
        "chat": {"id": -100555, "type": "channel", "title": "City News"},
        "message_id": 42,
    }
    async with make_bot():
        telegram_server.send_message(CHAT, post, forward_origin=origin)
        await telegram_server.wait_for(lambda: openai_server.requests)
    assert "open until midnight" in all_messages(openai_server.requests[0])


async def test_documents_are_read(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    lines = [
        f"Paragraph {n}: the orchard cooperative harvested early apples this year."
        for n in range(30)
    ]
    html_page = (
        "<html><body><article><h1>Apples</h1>"
        + "".join(f"<p>{x}</p>" for x in lines)
        + "</article></body></html>"
    )
    async with make_bot():
        telegram_server.send_document(CHAT, "\n\n".join(lines).encode(), "notes.txt", "text/plain")
        telegram_server.send_document(CHAT, html_page.encode(), "page.html", "text/html")
        telegram_server.send_document(CHAT, make_pdf(lines), "paper.pdf", "application/pdf")
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 3, timeout=10)
    for request in openai_server.requests:
        assert "Paragraph 29: the orchard cooperative" in all_messages(request)


async def test_unsupported_and_huge_documents_are_refused_politely(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    async with make_bot():
        telegram_server.send_document(CHAT, b"\x89PNG....", "photo.png", "image/png")
        await telegram_server.wait_for(lambda: telegram_server.messages(CHAT))
    assert ".pdf" in telegram_server.messages(CHAT)[0]["text"]
    assert openai_server.requests == []


async def test_follow_up_by_reply_and_by_plain_question(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: (
        "**Gist.**\n\n- Point" if len(openai_server.requests) == 1 else "Eleven thousand."
    )
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        summary = await wait_for_text(telegram_server, "Gist.", CHAT)
        telegram_server.send_message(
            CHAT, "How many eels?", reply_to_message_id=summary["message_id"]
        )
        await wait_for_text(telegram_server, "Eleven thousand.", CHAT)
        telegram_server.send_message(CHAT, "And who counted them?")
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 3)
        await telegram_server.wait_for(
            lambda: sum(t == "Eleven thousand." for t in bot_texts(telegram_server, CHAT)) == 2
        )
    for request, question in zip(
        openai_server.requests[1:], ["How many eels?", "And who counted them?"], strict=True
    ):
        prompt = all_messages(request)
        assert question in prompt
        assert ARTICLE_LAST_PHRASE in prompt
    # The second question carries the first exchange as history.
    assert "How many eels?" in all_messages(openai_server.requests[2])


async def test_a_reply_to_the_users_own_link_reaches_its_article(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    lanes = article_server.add_page("/lanes", "\n\n".join(STORY).encode(), "text/plain")
    openai_server.responder = lambda body: (
        "Forty kilometres." if "Which" in all_messages(body) else "**Gist.**\n\n- Point"
    )
    async with make_bot():
        link = telegram_server.send_message(CHAT, lanes)
        await wait_for_text(telegram_server, "Gist.", CHAT)
        telegram_server.send_message(CHAT, article_server.url("/article"))  # now the latest
        await telegram_server.wait_for(
            lambda: sum("Gist." in t for t in bot_texts(telegram_server, CHAT)) == 2
        )
        telegram_server.send_message(CHAT, "Which lanes?", reply_to_message_id=link["message_id"])
        await wait_for_text(telegram_server, "Forty kilometres.", CHAT)
    prompt = all_messages(openai_server.requests[2])
    assert "Which lanes?" in prompt
    assert "protected bicycle lanes" in prompt
    assert ARTICLE_LAST_PHRASE not in prompt


async def test_commands_summarize_and_ask(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, "/ask anything?")
        await telegram_server.wait_for(lambda: telegram_server.messages(CHAT))
        assert "first" in telegram_server.messages(CHAT)[0]["text"]  # no article yet
        telegram_server.send_message(CHAT, f"/summarize {article_server.url('/article')}")
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 1)
        held = telegram_server.send_message(CHAT, f"read {article_server.url('/plain')} later")
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)  # the link itself
        telegram_server.send_message(CHAT, "/summarize", reply_to_message_id=held["message_id"])
        # The same article again: its summary comes from the cache, without a call.
        await telegram_server.wait_for(
            lambda: sum("Summary:" in t for t in bot_texts(telegram_server, CHAT)) == 3
        )
        telegram_server.send_message(CHAT, "/ask Why does the ferry never sail?")
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 3)
    assert "midnight boat" in all_messages(openai_server.requests[1])
    assert "Why does the ferry never sail?" in all_messages(openai_server.requests[2])
    assert "midnight boat" in all_messages(openai_server.requests[2])


async def test_settings_keyboard_changes_the_next_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, "/settings")
        menu = await wait_for_text(telegram_server, "Settings", CHAT)
        buttons = [
            b["callback_data"] for row in menu["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert "settings:language:de" in buttons
        telegram_server.press_button(CHAT, menu["message_id"], "settings:language:de")
        await telegram_server.wait_for_call("editMessageReplyMarkup")
        telegram_server.press_button(CHAT, menu["message_id"], "settings:format:paragraph")
        await telegram_server.wait_for(
            lambda: len(telegram_server.calls_of("editMessageReplyMarkup")) == 2
        )
        ticked = telegram_server.calls_of("editMessageReplyMarkup")[-1]["reply_markup"]
        labels = button_labels(ticked)
        assert "✓ Deutsch" in labels
        assert "✓ Paragraph" in labels
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
    assert "German" in all_messages(openai_server.requests[0]) or " de" in all_messages(
        openai_server.requests[0]
    )


async def test_settings_buttons_are_all_answered_and_never_resend_the_same_keyboard(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    async with make_bot():  # the user's Telegram speaks English; the default length is medium
        telegram_server.send_message(CHAT, "/settings")
        menu = await wait_for_text(telegram_server, "Settings", CHAT)
        labels = button_labels(menu["reply_markup"])
        assert "— Summary length —" in labels
        assert "— My language —" in labels
        presses = [
            "settings:length:medium",  # already ticked (the default)
            "settings:ui:en",  # already ticked (the user's Telegram language)
            "settings:label:length",  # a label row
            "settings:length:huge",  # stale data from an older keyboard
            "vote:42",  # not ours at all
        ]
        ids = [telegram_server.press_button(CHAT, menu["message_id"], data) for data in presses]
        await telegram_server.wait_for(
            lambda: all(query in telegram_server.callback_answers for query in ids)
        )
        telegram_server.send_message(CHAT, "/start")
        await wait_for_text(telegram_server, "Hi!", CHAT)
    assert telegram_server.calls_of("editMessageReplyMarkup") == []
    assert not any("went wrong" in line for line in bot_texts(telegram_server, CHAT))


async def test_the_interface_language_chosen_in_settings_is_used_for_every_reply(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot():  # the user's Telegram speaks English
        telegram_server.send_message(CHAT, "/settings")
        menu = await wait_for_text(telegram_server, "Settings", CHAT)
        telegram_server.press_button(CHAT, menu["message_id"], "settings:ui:ru")
        await telegram_server.wait_for_call("editMessageReplyMarkup")
        telegram_server.send_message(CHAT, "/start")
        await wait_for_text(telegram_server, "Привет", CHAT)
        telegram_server.send_message(CHAT, "/ask")
        await wait_for_text(telegram_server, "Напишите вопрос", CHAT)
        telegram_server.send_message(CHAT, article_server.url("/article"))
        summary = await wait_for_text(telegram_server, "Summary:", CHAT)
    assert "ссылка" in summary["text"]  # the source line under the title


async def test_reset_forgets_the_conversation(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await wait_for_text(telegram_server, "Summary:", CHAT)
        telegram_server.send_message(CHAT, "/reset")
        await wait_for_text(telegram_server, "forgot", CHAT)
        telegram_server.send_message(CHAT, "What about the farmers?")
        await wait_for_text(telegram_server, "Send me a link", CHAT)
    assert len(openai_server.requests) == 1


async def test_answers_stream_as_drafts_in_private_chats(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    final = " ".join(f"word{n}" for n in range(60))
    openai_server.responder = lambda body: final
    openai_server.stream_s = 0.6
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await wait_for_text(telegram_server, "word59", CHAT)
    drafts = [call["text"] for call in telegram_server.calls_of("sendMessageDraft")]
    assert len(drafts) >= 2
    assert all(final.startswith(draft) for draft in drafts)  # each preview shows more
    assert len(set(drafts)) == len(drafts)
    assert telegram_server.calls_of("sendChatAction")  # "typing..." until the first draft


async def test_streaming_falls_back_to_edits_when_drafts_are_rejected(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.reject_drafts = True
    openai_server.stream_s = 0.5
    openai_server.responder = lambda body: (
        "**Gist.**\n\n" + "\n".join(f"- point {n}" for n in range(5))
    )
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await wait_for_text(telegram_server, "point 4", CHAT)
        refused = len(telegram_server.calls_of("sendMessageDraft"))
        telegram_server.send_message(CHAT, "Any more?")
        await telegram_server.wait_for(
            lambda: sum("point 4" in t for t in bot_texts(telegram_server, CHAT)) == 2
        )
    assert refused == 1
    assert len(telegram_server.calls_of("sendMessageDraft")) == 1  # not asked again
    assert telegram_server.calls_of("editMessageText")
    final = [m for m in telegram_server.messages(CHAT) if "point 4" in m["text"]]
    assert len(final) == 2
    assert "⏳" not in final[0]["text"]


async def test_long_reply_is_split_into_numbered_parts(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    paragraph = "This paragraph explains one more detail of the story at some length. " * 12
    openai_server.responder = lambda body: "\n\n".join(f"{n}. {paragraph}" for n in range(8))
    async with make_bot():
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(
            lambda: any(t.startswith("(2/2)") for t in bot_texts(telegram_server, CHAT))
        )
    parts = [t for t in bot_texts(telegram_server, CHAT) if t.startswith(("(1/2)", "(2/2)"))]
    assert len(parts) == 2
    assert all(len(p) <= 4096 for p in parts)
