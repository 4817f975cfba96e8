"""Reading without a language model: sentence splitting, ranking and BM25 retrieval.

Used when no LLM is configured or the LLM is down. Summaries quote the article's own
sentences, so they are always in the article's language and never invent anything.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.core.errors import (
    EmptyInputError,
    LLMAuthError,
    LLMError,
    LLMUnavailableError,
    RateLimitedError,
)
from bot.core.models import Notice
from bot.core.reading.gist import gist_index

# --- sentences ---------------------------------------------------------------------------------

# A sentence ends at . ! ? … (plus closing quotes/brackets) before a space, or right after a CJK
# full stop; the next sentence must not start in lower case (that is an abbreviation or a typo).
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?…])[\"'»”’)\]]*(\s+)(?=[^\sa-zа-яё])|(?<=[。！？])[」』”’）]*(\s*)",
)
# Words after which a period rarely ends a sentence (titles, initials, common short forms).
_ABBREVIATION_LIST = (
    "mr mrs ms dr prof st jr sr vs etc inc co corp ltd gen gov sen rep no mt lt col sgt capt "
    "u.s u.k e.g i.e a.m p.m jan feb aug sept oct nov dec т.е т.д т.п г гг им ул др проф"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())
# Short month names, which end no sentence before a number: "04 Ιαν. 2012", "3 Jan. 2024".
_MONTH_ABBREVIATION_LIST = (
    "jan feb mar apr jun jul aug sep sept oct nov dec jän mär okt dez janv févr avr juil "
    "déc ene abr ago dic sty lut kwi cze lip sie wrz paź lis gru янв фев мар апр авг сен "
    "сент окт ноя дек ιαν φεβ μαρ απρ μαΐ ιουν ιουλ αυγ σεπ οκτ νοε δεκ"
)
_MONTH_ABBREVIATIONS = frozenset(_MONTH_ABBREVIATION_LIST.split())
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_TOKEN = re.compile(f"[{_CJK}]+|[^\\W{_CJK}]+")  # CJK runs, and words of other scripts


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` (Latin, Cyrillic and CJK punctuation; each line ends one)."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _SENTENCE_BREAK.finditer(line):
            end = match.start(1) if match.group(1) is not None else match.start(2)
            before = line[start:end].split()
            last_word = before[-1].rstrip(".\"'»”’)]").lower() if before else ""
            if _is_abbreviation(last_word, line[match.end() : match.end() + 1]):
                continue  # "J. Smith", "Mr. Lee", "4 Jan. 2012": not a sentence end
            sentences.append(line[start:end].strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _is_abbreviation(word: str, next_char: str) -> bool:
    """True when a period after `word` (lower case), followed by `next_char`, ends no sentence."""
    if (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS:
        return True
    return next_char.isdigit() and word in _MONTH_ABBREVIATIONS


def _size(text: str) -> int:
    """Words in `text`, counting roughly two CJK characters as a word."""
    cjk = sum(len(run) for run in _CJK_RUN.findall(text))
    return len(_CJK_RUN.sub(" ", text).split()) + cjk // 2


# --- what is not article text -------------------------------------------------------------------

_MONTHS_AND_DAYS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    r"понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
)
_MONTHS = "|".join(_MONTH_ABBREVIATION_LIST.split())
# A date in words or numbers: "May 5", "12.03.2025", "2012年", "3月9日", and in any language
# a short month name next to a number ("04 Ιαν.", "3 März", "paź 2021").
_DATELINE = re.compile(
    rf"\b(?:{_MONTHS_AND_DAYS})|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}|\d{{4}}年|\d{{1,2}}月\d{{1,2}}日|"
    rf"\b\d{{1,2}}\.?\s+(?:{_MONTHS})\w*|\b(?:{_MONTHS})\w*\.?\s+\d{{1,4}}\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
# Notes to the reader about the story itself: "(Updates with comments ...)", "UPDATE: ...",
# "Aktualisiert 12.03.2025" (but not "Update 5.3 of the app ...").
_NOTE_WORDS = (
    r"update[ds]?|updating|correction|clarification|editor'?s note|обновлено|обновление|"
    r"примечание редакции|aktualisiert|aktualisierung|aktualizace|aktualizováno|aktualizacja|"
    r"zaktualizowano|ενημέρωση|mise à jour|actualizado|atualizado"
)
_TIME_OR_DATE = r"\d{1,2}(?::\d{2}|[./]\d{1,2}[./]\d{2,4})"
_EDITORIAL_NOTE = re.compile(
    rf"^[(\[].*[)\]][.\s]*$|^(?:{_NOTE_WORDS})(?:\s*[:—–]|\s+(?:at |on )?{_TIME_OR_DATE})|"
    r"^(?:更新|编者按|编者注|編者按)",
    re.IGNORECASE,
)
# A list item, as extractors render one: "- ...", "• ...", "1. ...".
_LIST_ITEM = re.compile(r"^\s*(?:[-–—•*·▪]|\d{1,2}[.)])\s")
MAX_HEADLINE_WORDS = 12
# Photo credits and captions (matched in lower case): "Photo: X", "Johannes Neudecker/dpa", "Getty Images", "© AP".
_CREDIT = re.compile(
    r"\b(?:photo(?:graph)?|image|picture|credit|фото|снимок)\s*:|getty images|shutterstock|"
    r"\(ap photo|©|/\s?(?:dpa|ap|afp|reuters|epa|picture alliance|tass|тасс|риа новости)\b",
)
# A caption's closing credit in general: "... Firstname Lastname/Agency" with no final period.
_CREDIT_TAIL = re.compile(r"\b[A-ZА-ЯЁ][\w'-]+ [A-ZА-ЯЁ][\w'-]+ ?/ ?[A-ZА-ЯЁ][\w -]{1,30}$")
_BOILERPLATE = re.compile(
    r"all rights reserved|subscribe to|sign up for|follow us on|read more:|we use cookies|"
    r"все права защищены|подпишитесь|читайте также",
)
# "SEOUL, South Korea (AP) — " before the first sentence of wire copy.
_DATELINE_PREFIX = re.compile(
    r"^[A-ZА-ЯЁ][A-ZА-ЯЁ .'-]{2,}(?:,[^—–]{1,40})?(?:\([^)]*\))?\s*[—–-]+\s"
)
MIN_SENTENCE_WORDS = 6


def _is_clutter(block: str) -> bool:
    """A line that is a dateline, a caption with a credit, or publisher boilerplate."""
    tail = block.rstrip()[-80:]
    if "/" in tail and _CREDIT_TAIL.search(tail):
        return True
    lowered = block.lower()
    if _CREDIT.search(lowered) or _BOILERPLATE.search(lowered):
        return True
    return _size(block) <= 8 and bool(_DATELINE.search(block))


def _is_metadata(sentence: str) -> bool:
    """A timestamp or update line, such as "2012, 11:09 | Τελευταία ενημέρωση: 04 Ιαν."."""
    if _EDITORIAL_NOTE.search(sentence.strip()):
        return True
    numbers = len(re.findall(r"\d+(?:[.,:/-]\d+)*", sentence))
    words = _size(sentence)
    if "|" in sentence or _CLOCK.search(sentence):
        return numbers * 4 >= words  # a time of day among few words is a timestamp
    return bool(_DATELINE.search(sentence)) and numbers * 2 >= words


def _is_title_case(sentence: str) -> bool:
    """A headline in title case: capitalised words and no lower-case word of four letters."""
    if _CJK_RUN.search(sentence):
        return False  # Latin names in CJK text are capitalised, and the text has no case
    words = re.findall(r"[^\W\d_]{2,}", sentence)
    capitalised = sum(word[0].isupper() for word in words)
    return capitalised >= 3 and not any(len(word) >= 4 and word.islower() for word in words)


def _is_prose(sentence: str) -> bool:
    """A real sentence: long enough and ended by punctuation (headings and bylines are not)."""
    return (
        _size(sentence) >= MIN_SENTENCE_WORDS
        and sentence.rstrip("\"'»”’)]」』）").endswith((".", "!", "?", "…", "。", "！", "？"))
        and not _is_metadata(sentence)
        and not _is_title_case(sentence)
    )


def _line_sentences(line: str) -> list[str]:
    """The prose sentences of one line; none from a list item that is one short headline."""
    sentences = split_sentences(line)
    if _LIST_ITEM.match(line) and len(sentences) == 1 and _size(line) < MAX_HEADLINE_WORDS:
        return []
    return [sentence for sentence in sentences if _is_prose(sentence)]


def prose_sentences(text: str) -> list[str]:
    """The article's real sentences in order, without datelines, captions, notes and headlines."""
    sentences: list[str] = []
    for line in text.splitlines():
        if line.strip() and not _is_clutter(line):
            sentences.extend(_line_sentences(line))
    if sentences:
        sentences[0] = _DATELINE_PREFIX.sub("", sentences[0])
    return sentences


# --- terms and language --------------------------------------------------------------------------

_STOPWORD_LIST = (
    "the a an and or but of to in on at for with by from as is are was were be been it its this "
    "that these those what which who whom whose when where why how does did do has have had "
    "about into than then there their they them he she his her you your we our not no can "
    "could would should will just also said says article text "
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее "
    "мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был "
    "него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо "
    "ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто "
    "этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас "
    "были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот "
    "через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед "
    "иногда лучше чуть том нельзя такой им более всегда конечно всю между статье статья "
    "говорится сказано"
)
_STOPWORDS = frozenset(_STOPWORD_LIST.split())
STEM_LENGTH = 6  # crude stemming by truncation: "engagement"/"engaged", "статьи"/"статья"


def terms(text: str) -> list[str]:
    """Search terms of `text`: lower-cased word stems without stop words; CJK as bigrams."""
    result: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if _CJK_RUN.match(token):
            result.extend(token[i : i + 2] for i in range(max(1, len(token) - 1)))
        elif len(token) > 1 and token not in _STOPWORDS:
            result.append(token[:STEM_LENGTH])
    return result


def guess_language(text: str) -> str | None:
    """The language a script gives away (ru, ja, ko, zh), else None; a hint for labels."""
    sample = text[:5000]
    letters = sum(ch.isalpha() for ch in sample) or 1
    counts = {
        "ru": len(re.findall("[а-яё]", sample, re.IGNORECASE)),
        "ja": len(re.findall("[\u3040-\u30ff]", sample)),
        "ko": len(re.findall("[\uac00-\ud7af]", sample)),
        "zh": len(re.findall("[\u4e00-\u9fff]", sample)),
    }
    if counts["ja"] > letters * 0.05:
        return "ja"  # kana only appear in Japanese, which also uses Han characters
    best = max(counts, key=lambda language: counts[language])
    return best if counts[best] > letters * 0.3 else None


# --- ranking ------------------------------------------------------------------------------------


class BM25:
    """Okapi BM25 over a fixed list of documents given as term lists."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75):
        self._k1, self._b = k1, b
        self._counts = [Counter(document) for document in documents]
        self._lengths = [len(document) for document in documents]
        self._average = sum(self._lengths) / len(documents) if documents else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(documents)
        self._idf = {
            term: math.log(1 + (total - seen + 0.5) / (seen + 0.5))
            for term, seen in frequency.items()
        }

    def scores(self, query: Sequence[str]) -> list[float]:
        """The score of every document for the query terms (0 when none occurs)."""
        unique = set(query)
        return [
            sum(self._term_score(term, counts, length) for term in unique)
            for counts, length in zip(self._counts, self._lengths, strict=True)
        ]

    def _term_score(self, term: str, counts: Counter[str], length: int) -> float:
        seen = counts.get(term, 0)
        if not seen:
            return 0.0
        norm = self._k1 * (1 - self._b + self._b * length / (self._average or 1))
        return self._idf[term] * seen * (self._k1 + 1) / (seen + norm)


POSITION_WEIGHT = 0.3  # how much being early counts next to centrality (both in 0..1)


def key_sentences(sentences: Sequence[str], count: int) -> list[str]:
    """The gist (the lead, unless it needs context), then the `count` most central others.

    The others come in article order. A sentence's score is the TF-IDF weight of the article's terms it covers (its closeness to
    the article's centroid), normalised by length, plus a prior for sentences near the top,
    where news puts what matters most.
    """
    if not sentences:
        return []
    bags = [set(terms(sentence)) for sentence in sentences]
    frequency = Counter(term for bag in bags for term in bag)
    weight = {term: seen * math.log(1 + len(bags) / seen) for term, seen in frequency.items()}
    centrality = [sum(weight[term] for term in bag) / math.sqrt(len(bag) + 1) for bag in bags]
    top = max(centrality) or 1.0
    score = [
        value / top + POSITION_WEIGHT * (1 - i / len(bags)) for i, value in enumerate(centrality)
    ]
    lead = gist_index(sentences, _size)
    ranked = sorted((i for i in range(len(sentences)) if i != lead), key=lambda i: -score[i])
    chosen: list[int] = []
    for index in ranked:
        if len(chosen) == count:
            break
        if all(_overlap(bags[index], bags[other]) < 0.6 for other in [lead, *chosen]):
            chosen.append(index)  # skip near-repeats (a pull quote repeating the text)
    return [sentences[lead]] + [sentences[i] for i in sorted(chosen)]


def _overlap(first: set[str], second: set[str]) -> float:
    return len(first & second) / (len(first | second) or 1)


def best_sentences(text: str, query: str, count: int) -> list[str]:
    """Up to `count` sentences of `text` that best match `query` by BM25, in article order."""
    sentences = prose_sentences(text) or split_sentences(text)
    wanted = terms(query)
    if not sentences or not wanted:
        return []
    scores = BM25([terms(sentence) for sentence in sentences]).scores(wanted)
    top = max(scores)
    if top <= 0:
        return []
    ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])[:count]
    # Weak matches next to a strong one are noise rather than help.
    return [sentences[i] for i in sorted(ranked) if scores[i] >= top * 0.3]


# --- Markdown output ----------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


def escape_markdown(text: str) -> str:
    """`text` with Markdown's inline markers escaped, so a quote renders as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def extractive_summary(
    text: str, *, points: int, paragraph: bool = False, title: str | None = None
) -> str:
    """A Markdown summary quoting the gist and the key sentences (not the `title` again)."""
    headline = " ".join((title or "").split())
    own = [s for s in prose_sentences(text) if not headline or s.rstrip(".") not in headline]
    sentences = key_sentences(own, points)
    if not sentences:
        # Nothing looks like prose (a list, a table): quote the start rather than say nothing.
        sentences = split_sentences(text)[: points + 1]
    if not sentences:
        raise EmptyInputError("no sentences to summarize")
    gist, *rest = [escape_markdown(sentence) for sentence in sentences]
    body = " ".join(rest) if paragraph else "\n".join(f"- {sentence}" for sentence in rest)
    return "\n\n".join(part for part in (f"**{gist}**", body) if part)


def extractive_answer(text: str, question: str) -> str:
    """The sentences that best match `question`, quoted in Markdown; empty when none does."""
    quotes = best_sentences(text, question, 3)
    return "\n\n".join(f"> {escape_markdown(sentence)}" for sentence in quotes)


def fallback_notice(error: LLMError) -> Notice | None:
    """Why a reply is made extractively after the model failed so; None when it must not be."""
    if isinstance(error, LLMAuthError):
        return Notice.KEY_REJECTED
    if isinstance(error, LLMUnavailableError | RateLimitedError):
        return Notice.MODEL_DOWN
    return None
