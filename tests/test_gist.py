"""The no-key summary's bold gist and the no-key answers: article sentences that stand alone."""

from __future__ import annotations

import pytest

from bot.core.reading.extractive import (
    extractive_answer,
    extractive_summary,
    prose_sentences,
    split_sentences,
)
from bot.core.reading.gist import refers_back


def gist(text: str, title: str | None = None) -> str:
    """The bold first line of the extractive summary, unescaped."""
    first = extractive_summary(text, points=3, title=title).splitlines()[0]
    assert first.startswith("**"), first
    return first.strip("*").replace("\\", "")


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# Each: a sentence that only makes sense after another, then the lead that names its subject.
BACK_REFERENCES = {
    "en": (
        "He said the talks would resume next week despite the strong objections.",
        "Microsoft founder Bill Gates pledged two billion dollars to fight malaria in Africa.",
    ),
    "ru": (
        "Однако власти города пока не назвали точную дату открытия нового моста.",
        "Городской совет Казани утвердил план строительства нового моста через реку.",
    ),
    "de": (
        "Er kündigte an, die Gespräche in der kommenden Woche fortzusetzen.",
        "Der Bundestag hat am Donnerstag das neue Heizungsgesetz mit großer Mehrheit beschlossen.",
    ),
    "el": (
        "Αυτό σημαίνει ότι οι τιμές θα αυξηθούν ξανά μέσα στον επόμενο μήνα.",
        "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τους συνταξιούχους της χώρας.",
    ),
    "pl": (
        "Jednak decyzja rządu spotkała się z ostrą krytyką ze strony opozycji w Sejmie.",
        "Sejm uchwalił w piątek nową ustawę o ochronie zdrowia psychicznego dzieci i młodzieży.",
    ),
    "zh": (
        "这款产品具有极其重要的意义，因为它可以自己学习新知识并回答问题。",
        "谷歌旗下的人工智能公司DeepMind开发出一款能够利用记忆学习新知识的计算机。",
    ),
}
FOLLOW_UP = {
    "en": "The foundation will spend the money over five years on nets and new vaccines.",
    "ru": "Стоимость проекта составит четыре миллиарда рублей, половину выделит область.",
    "de": "Die Opposition kritisierte das Gesetz als übereilt und sozial ungerecht für Mieter.",
    "el": "Τα μέτρα θα ισχύσουν από τον Ιανουάριο και θα κοστίσουν εκατό εκατομμύρια ευρώ.",
    "pl": "Ustawa trafi teraz do Senatu, który ma trzydzieści dni na jej rozpatrzenie.",
    "zh": "该公司表示，这台计算机可以回答关于伦敦地铁网络的复杂问题，并规划最佳路线。",
}


@pytest.mark.parametrize("language", sorted(BACK_REFERENCES))
def test_the_gist_is_not_a_sentence_that_refers_back(language: str) -> None:
    back, lead = BACK_REFERENCES[language]
    assert refers_back(back)
    assert not refers_back(lead)
    assert gist(article(back, lead, FOLLOW_UP[language])) == lead


@pytest.mark.parametrize(
    "lead",
    [
        "On Monday the city council approved the plan to build a new bridge over the river.",
        "To everyone's surprise, the city council approved the plan for a new bridge today.",
        "Das neue Heizungsgesetz tritt nach langem Streit am ersten Januar in Kraft.",
        "Ten people were injured when a tram left the rails in the city centre on Friday.",
        "One person died and four were hurt when a gas pipe exploded in central Warsaw.",
    ],
)
def test_plain_leads_stay_the_gist(lead: str) -> None:
    follow = "It was the third such decision this year, officials said in a short statement."
    assert gist(article(lead, follow)) == lead


def test_an_editorial_note_is_never_the_gist_nor_a_point() -> None:
    text = article(
        "(Updates with comments from Gates in second, last paragraphs.)",
        "Microsoft founder Bill Gates pledged two billion dollars to fight malaria in Africa.",
        "UPDATE: 10:45 GMT, adds the health minister's statement to the story.",
        "Aktualisiert: 12.03.2025 um 10:45 Uhr mit einer Stellungnahme des Ministers.",
        "Обновлено: 12:30, добавлено заявление министра здравоохранения страны.",
        FOLLOW_UP["en"],
    )
    summary = extractive_summary(text, points=5)
    assert gist(text) == BACK_REFERENCES["en"][1]
    for note in ("Updates with", "UPDATE", "Aktualisiert", "Обновлено"):
        assert note not in summary


@pytest.mark.parametrize(
    ("dateline", "lead"),
    [
        (
            "Δημοσίευση: 03 Ιαν. 2012, 11:09 | Τελευταία ενημέρωση: 04 Ιαν.",
            BACK_REFERENCES["el"][1],
        ),
        ("Opublikowano: 12 paź 2021, 10:15 | Aktualizacja: 13 paź 2021.", BACK_REFERENCES["pl"][1]),
        (
            "Veröffentlicht am 03.03.2024 um 09:30 Uhr, zuletzt aktualisiert um 11:15 Uhr.",
            BACK_REFERENCES["de"][1],
        ),
        ("2017年03月10日 11:09 来源：光明网 作者：肖春芳。", BACK_REFERENCES["zh"][1]),
    ],
)
def test_a_dateline_is_never_the_gist(dateline: str, lead: str) -> None:
    summary = extractive_summary(article(dateline, lead, FOLLOW_UP["en"]), points=3)
    assert gist(article(dateline, lead)) == lead
    assert "11:09" not in summary
    assert "10:15" not in summary
    assert "09:30" not in summary


def test_a_month_abbreviation_before_a_number_ends_no_sentence() -> None:
    assert split_sentences("Δημοσίευση: 03 Ιαν. 2012, 11:09. Η κυβέρνηση ανακοίνωσε.") == [
        "Δημοσίευση: 03 Ιαν. 2012, 11:09.",
        "Η κυβέρνηση ανακοίνωσε.",
    ]
    assert split_sentences("Zdarzyło się 12 lis. 2021 w Krakowie.") == [
        "Zdarzyło się 12 lis. 2021 w Krakowie."
    ]


def test_sentences_with_times_and_figures_are_still_prose() -> None:
    text = article(
        "The hearing starts at 10:30 on Monday in the main hall of the district court.",
        "Inflation hit 5.2% in March 2024, the highest level in more than a decade.",
        "Update 5.3 des Passwortmanagers liefert auch noch weitere Verbesserungen.",
    )
    assert prose_sentences(text) == text.split("\n\n")


def test_contractions_and_quotes_do_not_hide_a_back_reference() -> None:
    assert refers_back("It's the third such decision this year, officials said.")
    assert refers_back("«Однако это только начало», — заявил министр.")
    assert not refers_back("Itself a small town, Gyeongju hosted the summit this year.")


def test_a_question_or_a_fragment_is_not_the_gist() -> None:
    lead = "Astronauts on the space station may not drink alcohol, NASA confirmed on Friday."
    assert gist(article("Why can't astronauts have a drink in orbit?", lead)) == lead
    assert gist(article("Five wins in a row, one goal.", lead)) == lead


def test_the_lead_stays_the_gist_when_nothing_near_the_top_stands_alone() -> None:
    sentences = [f"However, point number {n} needs the sentence before it." for n in range(7)]
    assert gist(" ".join(sentences)) == sentences[0]


def test_the_title_is_not_repeated_as_the_gist() -> None:
    headline = "Gates pledges billions to fight malaria, and Africa welcomes the move."
    title = f"{headline} What it means"
    lead = BACK_REFERENCES["en"][1]
    text = article(title, lead, FOLLOW_UP["en"])  # as summaries see a page: title first
    assert gist(text) == headline
    assert gist(text, title=title) == lead


RELATED_NEWS = "\n".join(
    [
        "- Мэрия Москвы закрыла старый мост через реку на ремонт.",
        "- Водители «Газели» пожаловались на пробки у моста.",
        "- Is This The End Of Cheap Bridge Tolls For Drivers?",
    ]
)


@pytest.mark.parametrize(
    "question",
    ["Когда закроют мост на ремонт?", "What about bridge tolls for drivers?"],
)
def test_answers_quote_article_sentences_not_headlines(question: str) -> None:
    text = article(
        RELATED_NEWS,
        "Городской совет Казани утвердил план строительства нового моста через реку.",
        "Старый мост закроют на ремонт в мае, когда откроется движение по новому мосту.",
        "Drivers will pay no tolls on the new bridge, the mayor told reporters on Friday.",
    )
    reply = extractive_answer(text, question)
    assert reply.startswith("> ")
    for headline in RELATED_NEWS.splitlines():
        assert headline[2:] not in reply.replace("\\", "")
    assert all(line[2:].replace("\\", "") in text for line in reply.split("\n\n"))


def test_headlines_do_not_reach_the_summary() -> None:
    text = article(RELATED_NEWS, *BACK_REFERENCES["ru"][1:], FOLLOW_UP["ru"])
    summary = extractive_summary(text, points=5)
    assert gist(text) == BACK_REFERENCES["ru"][1]
    assert "Газели" not in summary
    assert "Cheap" not in summary


def test_list_items_with_sentences_of_their_own_stay_prose() -> None:
    item = "- The tax on fuel rises by two percent next year. Diesel stays exempt from the new tax until 2027."
    assert prose_sentences(item) == [
        "- The tax on fuel rises by two percent next year.",
        "Diesel stays exempt from the new tax until 2027.",
    ]
