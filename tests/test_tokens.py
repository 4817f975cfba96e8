"""Token counting, splitting and truncation; the offline fallback encoding."""

from __future__ import annotations

import math
import socket
from typing import Any

import pytest

from bot.core.llm import tokens
from bot.core.llm.tokens import TokenCounter

PARAGRAPHS = "\n\n".join(
    f"Paragraph {i} opens here. It has a second sentence about item {i}! Does it end? Yes."
    for i in range(60)
)
RUSSIAN = "\n\n".join(
    f"Абзац {i}: правительство обсудило бюджет. Министр ответил на вопросы журналистов."
    for i in range(40)
)
ONE_GIANT_PARAGRAPH = " ".join(f"word{i}" for i in range(6000))  # no punctuation, no breaks
CJK_SENTENCES = "东京是日本的首都。" * 400 + "今日は良い天気です！" * 300
CJK_UNBROKEN = "这是一个没有任何标点符号的非常长的中文段落" * 300
ONE_HUGE_WORD = "x7Qz" * 5000
SPECIAL_TOKENS = "Some text <|endoftext|> and <|fim_prefix|> markers. " * 200
TEXTS = [PARAGRAPHS, RUSSIAN, ONE_GIANT_PARAGRAPH, CJK_SENTENCES, CJK_UNBROKEN, ONE_HUGE_WORD]
TEXTS.append(SPECIAL_TOKENS)


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter("a-local-model")  # unknown to tiktoken: the offline fallback


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address looked up or connected to while the test runs."""
    seen: list[Any] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        seen.append(address)
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def test_unknown_model_uses_offline_fallback_without_network(connections: list[Any]) -> None:
    counter = TokenCounter("llama3.1:8b-instruct")
    assert counter.encoding_name == tokens.FALLBACK_ENCODING
    assert not counter.exact
    assert counter.count("hello world") == math.ceil(2 * tokens.FALLBACK_MARGIN)
    assert connections == []


def test_download_can_be_refused_for_known_models(connections: list[Any]) -> None:
    counter = TokenCounter("gpt-4o-mini", allow_download=False)
    assert counter.encoding_name == tokens.FALLBACK_ENCODING
    assert counter.count("") == 0
    assert connections == []


def test_cl100k_models_are_exact_offline(connections: list[Any]) -> None:
    counter = TokenCounter("openai/gpt-4")  # provider prefixes are stripped
    assert counter.exact
    assert counter.count("hello world") == 2
    assert connections == []


def test_a_failed_download_falls_back_fast(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    # No cached encoding file: tiktoken tries to download it and the network guard refuses.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    counter = TokenCounter("gpt-4o")
    assert not counter.exact
    assert counter.encoding_name == tokens.FALLBACK_ENCODING
    # The download failed at once (the guard refused it) rather than running into the timeout.
    failed = tokens._loads["o200k_base"]
    assert failed.done()
    assert failed.exception() is not None
    assert counter.count("some words here") >= 3


@pytest.mark.parametrize("text", TEXTS, ids=lambda text: text[:12])
@pytest.mark.parametrize("max_tokens", [7, 40, 300])
def test_split_never_loses_text_and_respects_the_limit(
    counter: TokenCounter, text: str, max_tokens: int
) -> None:
    chunks = counter.split(text, max_tokens)
    assert "".join(chunks) == text
    assert all(chunk for chunk in chunks)
    assert all(counter.count(chunk) <= max_tokens for chunk in chunks)
    assert len(chunks) > 1


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_surely_fits_never_says_yes_to_a_text_over_the_limit(
    counter: TokenCounter, text: str
) -> None:
    tokens = counter.count(text)
    for limit in (tokens - 1, tokens, tokens * 2, tokens * 4, len(text.encode()) * 2):
        if counter.surely_fits(text, limit):
            assert tokens <= limit
    # Its bound is the byte length: plenty of room says yes without tokenizing.
    assert counter.surely_fits(text, math.ceil(len(text.encode()) * counter.margin))
    assert not counter.surely_fits(text, tokens - 1)


def test_split_keeps_text_that_fits_whole(counter: TokenCounter) -> None:
    assert counter.split("Short text.", 100) == ["Short text."]
    assert counter.split("", 100) == []


def test_split_cuts_between_paragraphs_first(counter: TokenCounter) -> None:
    chunks = counter.split(PARAGRAPHS, 200)
    assert len(chunks) > 3
    for chunk in chunks[1:]:
        assert chunk.startswith("\n\nParagraph ")
    # Paragraphs are packed together, not one chunk each.
    assert len(chunks) < PARAGRAPHS.count("\n\n")


def test_split_cuts_a_long_paragraph_between_sentences(counter: TokenCounter) -> None:
    paragraph = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(300))
    chunks = counter.split(paragraph, 100)
    assert len(chunks) > 5
    assert all(chunk.rstrip().endswith(".") for chunk in chunks)


def test_split_cuts_cjk_after_full_stops(counter: TokenCounter) -> None:
    chunks = counter.split(CJK_SENTENCES, 50)
    assert all(chunk.endswith(("。", "！")) for chunk in chunks)


def test_split_cuts_unpunctuated_text_between_words(counter: TokenCounter) -> None:
    chunks = counter.split(ONE_GIANT_PARAGRAPH, 100)
    for chunk in chunks[1:]:
        assert chunk.startswith(" word")


def test_truncate_returns_a_fitting_prefix(counter: TokenCounter) -> None:
    for text in (PARAGRAPHS, CJK_UNBROKEN, ONE_HUGE_WORD):
        cut = counter.truncate(text, 50)
        assert text.startswith(cut)
        assert 0 < counter.count(cut) <= 50
        assert "\ufffd" not in cut  # no broken multi-byte character
    assert counter.truncate("Short.", 50) == "Short."
