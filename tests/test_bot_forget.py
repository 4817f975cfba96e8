"""/forget deletes everything the bot stored for a chat, after a confirmation button; in a
group only its admins may ask, and only the one who asked answers the buttons."""

from __future__ import annotations

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, bot_texts, wait_for_text
from tests.servers.chats import (
    ALICE,
    BOB,
    GROUP,
    PUBLIC,
    ask,
    button_labels,
    open_group,
    say,
    tme,
)
from tests.servers.openai_server import FakeOpenAI


async def _ask_forget(telegram_server: TelegramServer) -> dict:  # type: ignore[type-arg]
    say(telegram_server, "/forget")
    question = await wait_for_text(telegram_server, "Delete everything I stored", GROUP)
    labels = button_labels(question["reply_markup"])
    assert labels == ["Delete everything", "Cancel"]
    return question


def _button(question: dict, label: str) -> str:  # type: ignore[type-arg]
    row = question["reply_markup"]["inline_keyboard"][0]
    return next(b["callback_data"] for b in row if b["text"] == label)


async def test_an_admin_forgets_the_group_after_confirming(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    open_group(telegram_server)
    async with make_bot():
        say(telegram_server, f"read {article_server.url('/article')}", user=BOB)
        question = await _ask_forget(telegram_server)
        # Another member's tap changes nothing.
        foreign = telegram_server.press_button(
            GROUP, question["message_id"], _button(question, "Delete everything"), user=BOB
        )
        await telegram_server.wait_for(lambda: foreign in telegram_server.callback_answers)
        cancel = telegram_server.press_button(
            GROUP, question["message_id"], _button(question, "Cancel"), user=ALICE
        )
        await wait_for_text(telegram_server, "nothing was deleted", GROUP)
        assert cancel in telegram_server.callback_answers
        say(telegram_server, "/digest 24h")
        await wait_for_text(telegram_server, "Digest", GROUP)  # cancelled: the link is still there

        question = await _ask_forget(telegram_server)
        telegram_server.press_button(
            GROUP, question["message_id"], _button(question, "Delete everything"), user=ALICE
        )
        await wait_for_text(telegram_server, "I deleted everything", GROUP)
        say(telegram_server, "/digest 24h")
        await wait_for_text(telegram_server, "No links were shared", GROUP)
    assert telegram_server.callback_answers[foreign]["text"] == (
        "Only the person who sent /forget can answer."
    )


async def test_a_member_who_is_not_an_admin_is_refused(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    open_group(telegram_server)
    async with make_bot():
        say(telegram_server, "/forget", user=BOB)
        refusal = await wait_for_text(telegram_server, "Only this group's admins", GROUP)
    assert "reply_markup" not in refusal
    assert len(bot_texts(telegram_server, GROUP)) == 1


async def test_a_private_forget_ends_the_user_s_channels_and_their_schedules(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.channel(PUBLIC, username="EelNews", creator=ALICE)
    async with make_bot(llm=False, **tme(article_server)):
        await ask(telegram_server, "/follow @technews", "You follow")
        await ask(telegram_server, "/connect @eelnews", "is connected")
        await ask(telegram_server, "/digest_schedule @eelnews daily 09:00 UTC", "Done")
        question = await ask(telegram_server, "/forget", "Delete everything I stored")
        asked = question["text"]  # before the answer edits it
        telegram_server.press_button(
            ALICE["id"], question["message_id"], _button(question, "Delete everything")
        )
        await wait_for_text(telegram_server, "I deleted everything", ALICE["id"])
        await ask(telegram_server, "/following", "no channels yet")
        await ask(telegram_server, "/channels", "No channels connected")
        await ask(telegram_server, "/connect @eelnews", "is connected")
        shown = await ask(telegram_server, "/digest_schedule @eelnews", "@EelNews")
    assert "the channels you follow and those you connected" in asked
    assert shown["text"] == "No digest of @EelNews is scheduled."
