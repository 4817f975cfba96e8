"""Grounded follow-up answers through the real OpenAI client against the fake server."""

from __future__ import annotations

import pytest

from bot.core.errors import EmptyQuestionError
from bot.core.llm.client import OpenAIChatLLM
from bot.core.llm.tokens import TokenCounter
from bot.core.models import Article, ChatTurn, Notice
from bot.core.reading.answer import GAP, answer, passages, relevant_passages
from bot.texts import answer_markdown, describe_error, text
from tests.servers.openai_server import FakeOpenAI, all_messages, prompt_of
from tests.test_summarize import (
    CONTEXT,
    ENGLISH_ARTICLE,
    RUSSIAN_ARTICLE,
    long_article,
    request_tokens,
)

PLANTED = "The secret ingredient of the harbour soup is smoked juniper from Vardø."
HISTORY = [
    ChatTurn("user", "When does construction start?"),
    ChatTurn("assistant", "In the spring, according to the mayor."),
]


async def test_follow_up_holds_article_history_and_question(
    openai_server: FakeOpenAI, llm: OpenAIChatLLM, counter: TokenCounter
) -> None:
    openai_server.responder = lambda body: 'It will cost "four hundred million dollars".'
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    reply = await answer(
        Article(ENGLISH_ARTICLE),
        "How much will the bridge cost?",
        llm,
        counter,
        history=HISTORY,
        summary="**A new bridge.**\n\n- Six lanes.",
        context_tokens=8000,
        on_delta=on_delta,
    )
    assert reply.text == 'It will cost "four hundred million dollars".'
    assert "".join(deltas) == reply.text
    assert not reply.extractive
    assert reply.model == "fake-model"
    assert reply.usage.total_tokens > 0
    request = openai_server.requests[0]
    roles = [m["role"] for m in request["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    # The article leads the conversation; the earlier turns follow it as they were.
    material = request["messages"][1]["content"]
    assert material.startswith("This conversation is about the article below.")
    assert material.endswith("</summary>\n\n" + HISTORY[0].content)
    assert ENGLISH_ARTICLE.strip() in material
    assert "- Six lanes." in material
    assert "the whole article" in material
    assert request["messages"][2]["content"] == HISTORY[1].content
    prompt = prompt_of(request)
    assert "<question>\nHow much will the bridge cost?\n</question>" in prompt
    assert "The article does not say." in prompt
    assert "Write in the language of the question." in prompt


async def test_a_configured_language_only_settles_doubt(
    openai_server: FakeOpenAI, llm: OpenAIChatLLM, counter: TokenCounter
) -> None:
    await answer(
        Article(ENGLISH_ARTICLE),
        "Сколько стоит мост?",
        llm,
        counter,
        language="de",
        context_tokens=8000,
    )
    prompt = prompt_of(openai_server.requests[0])
    assert "in the language of the question (if that is unclear," in prompt
    assert "in German (de)" in prompt


async def test_long_article_answer_carries_the_passage_bm25_found(
    openai_server: FakeOpenAI, llm: OpenAIChatLLM, counter: TokenCounter
) -> None:
    article = long_article(planted={180: PLANTED})
    await answer(
        Article(article),
        "What is the secret ingredient of the harbour soup?",
        llm,
        counter,
        context_tokens=CONTEXT,
    )
    request = openai_server.requests[0]
    prompt = prompt_of(request)
    assert PLANTED in prompt
    assert GAP in prompt
    assert "excerpts of a long article" in prompt
    # Only a small part of the article fits; BM25 chose which.
    assert prompt.count("In section") < article.count("In section") / 4
    assert request_tokens(counter, request) <= CONTEXT


async def test_long_history_keeps_the_most_recent_turns(
    openai_server: FakeOpenAI, llm: OpenAIChatLLM, counter: TokenCounter
) -> None:
    history = [
        ChatTurn("user" if i % 2 == 0 else "assistant", f"Turn {i}: " + "words " * 60)
        for i in range(40)
    ]
    await answer(
        Article(ENGLISH_ARTICLE),
        "And the cyclists?",
        llm,
        counter,
        history=history,
        context_tokens=CONTEXT,
    )
    request = openai_server.requests[0]
    turns = request["messages"][1:-1]
    assert 0 < len(turns) < 40
    assert turns[0]["role"] == "user"
    assert turns[-1]["content"] == history[-1].content
    assert not any("Turn 0:" in m["content"] for m in turns)
    assert ENGLISH_ARTICLE.strip() in turns[0]["content"]
    assert request_tokens(counter, request) <= CONTEXT


async def test_without_an_llm_the_answer_quotes_the_article_offline(
    openai_server: FakeOpenAI, counter: TokenCounter
) -> None:
    reply = await answer(
        Article(ENGLISH_ARTICLE),
        "How many lanes will the new bridge have?",
        None,
        counter,
        context_tokens=8000,
    )
    assert reply.notice is Notice.NO_MODEL
    assert answer_markdown(reply, "en").startswith(text("answer.extractive", "en"))
    assert "> The new bridge will have six lanes" in reply.text
    missing = await answer(
        Article(ENGLISH_ARTICLE), "Who won the football match?", None, counter, context_tokens=8000
    )
    assert not missing.covered
    assert answer_markdown(missing, "en") == text("answer.not_covered", "en")
    russian = await answer(
        Article(RUSSIAN_ARTICLE), "Сколько полос будет у моста?", None, counter, context_tokens=8000
    )
    assert russian.language == "ru"  # the question's language, for the label
    assert answer_markdown(russian, russian.language).startswith(text("answer.extractive", "ru"))
    assert "шесть полос" in russian.text
    assert openai_server.requests == []


async def test_llm_down_answers_extractively_and_says_so(
    openai_server: FakeOpenAI, llm: OpenAIChatLLM, counter: TokenCounter
) -> None:
    openai_server.fail_next(503, times=10)
    reply = await answer(
        Article(ENGLISH_ARTICLE),
        "How much will the project cost?",
        llm,
        counter,
        context_tokens=8000,
    )
    assert reply.notice is Notice.MODEL_DOWN
    assert answer_markdown(reply).startswith(text("answer.extractive_fallback", "en"))
    assert "state budget" in reply.text


async def test_empty_question_is_a_typed_error(llm: OpenAIChatLLM, counter: TokenCounter) -> None:
    with pytest.raises(EmptyQuestionError) as raised:
        await answer(Article(ENGLISH_ARTICLE), "  ", llm, counter, context_tokens=8000)
    # Worded as a question problem, not as an empty article.
    assert describe_error(raised.value, "en") == text("answer.empty_question", "en")
    assert "question" in describe_error(raised.value, "en")


def test_relevant_passages_keep_article_order_and_mark_gaps(counter: TokenCounter) -> None:
    article = long_article(planted={40: PLANTED})
    units = passages(article, counter)
    assert "".join(units).replace(" ", "") == article.replace("\n", "").replace(" ", "")
    chosen = relevant_passages(article, "harbour soup secret ingredient", counter, 400)
    assert PLANTED in chosen
    assert counter.count(chosen) <= 400
    pieces = [piece for piece in chosen.split("\n\n") if piece != GAP]
    positions = [article.index(piece) for piece in pieces]
    assert positions == sorted(positions)


async def test_follow_ups_share_the_article_prefix_for_prompt_caching(
    openai_server: FakeOpenAI, llm: OpenAIChatLLM, counter: TokenCounter
) -> None:
    summary = "**A new bridge.**\n\n- Six lanes."
    article = Article(ENGLISH_ARTICLE)
    await answer(article, HISTORY[0].content, llm, counter, summary=summary, context_tokens=8000)
    await answer(
        article, "How much?", llm, counter, history=HISTORY, summary=summary, context_tokens=8000
    )
    first, second = (all_messages(body) for body in openai_server.requests)
    # Everything up to the end of the summary is the same, whatever the conversation adds.
    prefix = first[: first.index("\n</summary>") + len("\n</summary>")]
    assert ENGLISH_ARTICLE.strip() in prefix
    assert second.startswith(prefix)
