"""The no-LLM mode: sentence splitting, clutter filtering, ranking and BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import EmptyInputError
from bot.core.reading.extractive import (
    BM25,
    best_sentences,
    escape_markdown,
    extractive_answer,
    extractive_summary,
    guess_language,
    key_sentences,
    prose_sentences,
    split_sentences,
    terms,
)

RUSSIAN_ARTICLE = """12 марта 2025

Городской совет утвердил план строительства нового моста через реку.

Мэр города Анна Петрова заявила, что строительство начнётся весной и займёт два года.

Анна Петрова на открытии выставки в здании мэрии. Фото: Иван Сидоров / РИА Новости

Стоимость проекта составит четыре миллиарда рублей, из которых половину выделит область.
Жители окраин давно жаловались на пробки на старом мосту, построенном в прошлом веке.
Новый мост будет иметь шесть полос движения и отдельную велосипедную дорожку.
Противники проекта считают, что деньги лучше потратить на ремонт существующих дорог.
Общественные слушания по проекту пройдут в следующем месяце в здании администрации.

Все права защищены. Городские новости, 2025.
"""


def key_points(summary: str) -> list[str]:
    return [line[2:] for line in summary.splitlines() if line.startswith("- ")]


def test_split_sentences_latin_with_abbreviations() -> None:
    sentences = split_sentences("Mr. Lee met J. Smith in the U.S. on Monday. It rained! Why? No.")
    assert sentences == ["Mr. Lee met J. Smith in the U.S. on Monday.", "It rained!", "Why?", "No."]


def test_split_sentences_cyrillic_and_cjk() -> None:
    assert split_sentences("Первое предложение. Второе — «в кавычках». Т.е. всё") == [
        "Первое предложение.",
        "Второе — «в кавычках».",
        "Т.е. всё",
    ]
    assert split_sentences("东京是首都。大阪很大！「你好。」最后") == [
        "东京是首都。",
        "大阪很大！",
        "「你好。」",
        "最后",
    ]


def test_lines_end_sentences() -> None:
    assert split_sentences("A heading\nThe text starts here.") == [
        "A heading",
        "The text starts here.",
    ]


def test_korea_article_key_points_skip_dateline_caption_and_publisher(
    shared_data: Path,
) -> None:
    article = (shared_data / "articles" / "korea-engagement-2025-11-02.txt").read_text()
    summary = extractive_summary(article, points=7)
    lines = summary.splitlines()
    gist = lines[0]
    assert gist.startswith("**Speaking at the APEC summit")
    assert gist.endswith("**")
    points = key_points(summary)
    assert len(points) == 7
    body = "\n".join([gist, *points])
    assert "November 2, 2025" not in body  # the dateline
    assert "Neudecker" not in body
    assert "dpa" not in body
    assert "speaks at a press conference" not in body
    assert "CaliToday" not in body  # the publisher line
    assert "A Divisive Path" not in body  # a subheading, not a sentence
    for point in points:
        assert point.replace("\\", "") in article  # quoted, never invented


def test_key_points_are_in_article_order(shared_data: Path) -> None:
    article = (shared_data / "articles" / "korea-engagement-2025-11-02.txt").read_text()
    summary = extractive_summary(article, points=5)
    positions = [article.index(point.replace("\\", "")) for point in key_points(summary)]
    assert positions == sorted(positions)


def test_russian_article_gets_a_russian_summary() -> None:
    assert guess_language(RUSSIAN_ARTICLE) == "ru"
    summary = extractive_summary(RUSSIAN_ARTICLE, points=3)
    assert "**Городской совет утвердил план строительства нового моста через реку.**" in summary
    assert len(key_points(summary)) == 3
    assert "12 марта" not in summary
    assert "Фото" not in summary
    assert "выставки" not in summary
    assert "Все права защищены" not in summary


def test_prose_sentences_strip_a_wire_dateline() -> None:
    sentences = prose_sentences("SEOUL, South Korea (AP) — The president spoke on Saturday.")
    assert sentences == ["The president spoke on Saturday."]


def test_key_sentences_skip_near_repeats() -> None:
    sentences = [
        "The lead sentence about the new bridge opening in town today.",
        "The bridge cost four million dollars and took two years to build.",
        "The bridge cost four million dollars and took two years to build!",
        "Critics say the money should have gone to schools and hospitals instead.",
    ]
    chosen = key_sentences(sentences, 3)
    assert chosen[0] == sentences[0]
    assert sum("four million" in sentence for sentence in chosen) == 1


def test_text_without_prose_is_quoted_from_the_start() -> None:
    summary = extractive_summary("Item one\nItem two\nItem three", points=3)
    assert "**Item one**" in summary


def test_empty_text_is_a_typed_error() -> None:
    with pytest.raises(EmptyInputError):
        extractive_summary("  \n ", points=3)


def test_markdown_in_quotes_is_escaped() -> None:
    assert escape_markdown("a *b* _c_ [d](e) `f`") == r"a \*b\* \_c\_ \[d\](e) \`f\`"


def test_terms_stem_drop_stopwords_and_bigram_cjk() -> None:
    assert terms("The engagement of engaged leaders") == ["engage", "engage", "leader"]
    assert terms("东京都") == ["东京", "京都"]
    assert terms("Что сказал министр?") == ["сказал", "минист"]


def test_bm25_prefers_rare_matching_terms() -> None:
    documents = [terms(d) for d in ("the cat sat", "the dog ran far", "a cat and a dog", "zebra")]
    scores = BM25(documents).scores(terms("zebra cat"))
    assert scores.index(max(scores)) == 3
    assert scores[1] == 0.0


def test_best_sentences_and_extractive_answer(shared_data: Path) -> None:
    article = (shared_data / "articles" / "korea-engagement-2025-11-02.txt").read_text()
    found = best_sentences(article, "Which city hosted the APEC summit?", 3)
    assert any("Gyeongju" in sentence for sentence in found)
    reply = extractive_answer(article, "Where was the summit held?")
    assert reply.startswith("> ")
    assert "Gyeongju" in reply
    assert extractive_answer(article, "What is the price of bananas?") == ""


def test_guess_language_by_script() -> None:
    assert guess_language("Привет, как дела у тебя сегодня?") == "ru"
    assert guess_language("東京は日本の首都です。") == "ja"
    assert guess_language("北京是中国的首都。") == "zh"
    assert guess_language("Hello there") is None
