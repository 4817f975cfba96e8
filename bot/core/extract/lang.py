"""Light, offline language identification and text measures shared by the extraction modules.

Scripts settle most languages outright (kana means Japanese, Hangul Korean, and so on); Latin
and Cyrillic text is told apart by counting very common function words, which is reliable from
a few sentences on and costs microseconds. No network, no model files.
"""

from __future__ import annotations

import re
from collections import Counter

# Han, kana, Hangul and full-width forms: one character carries about a word's worth of meaning.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Scripts written without spaces between words: CJK (above U+3040) and Southeast Asian ones.
_DENSE = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
# Anything but a letter.
_NOT_LETTER = re.compile(r"[\W\d_]")
# A few paragraphs settle the language; reading more only costs time.
_SAMPLE_CHARS = 5_000
# Possessive: no backtracking to try, which makes counting words about a third faster.
_WORD = re.compile(r"\w++(?:['’]\w++)?+")

# Unambiguous scripts, checked in order; the first covering a meaningful share of letters wins.
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("ka", re.compile(r"[\u10a0-\u10ff]")),
    ("hy", re.compile(r"[\u0530-\u058f]")),
)
# Any of those scripts: most text has none, and one scan then settles it instead of ten.
_ANY_SCRIPT = re.compile("[" + "".join(pattern.pattern[1:-1] for _, pattern in _SCRIPTS) + "]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Any of them or Cyrillic: Latin text then needs a single scan, and no count of its letters.
_NOT_LATIN = re.compile(_ANY_SCRIPT.pattern[:-1] + _CYRILLIC.pattern[1:])
_PERSIAN = re.compile(r"[پچژگ]")

# The most frequent short words of each language (lower-case); words shared by several
# languages still help, because each language is scored by its own list's hits.
_STOPWORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the and of to in is that for it with as was on are be this by from at have not but "
        "has his they an which their were been will would who said its",
        "de": "der die und das ist nicht ein eine zu den mit sich des auf für im dem von auch "
        "als wird sind wie bei noch nach aus einen oder werden",
        "fr": "le la les et des est une un du que qui dans pour pas sur au plus par ce sont avec "
        "il elle ont mais aux cette été nous",
        "es": "el la los las de que y en un una es por con para del se no lo su al como más pero "
        "sus le ha este fue entre",
        "pt": "de que o a os as do da em um uma para com não no na se por mais dos das ao como foi "
        "mas ele ela são também",
        "it": "il di che la e è un una per non in del della le dei con sono da gli si anche più "
        "nel alla ha come questo",
        "nl": "de het een en van is dat op te in niet zijn met voor er ook aan als bij door maar "
        "om wordt werd naar",
        "sv": "och att det som en på är av för med till den har inte om ett var jag men från "
        "vid sig kan också",
        "da": "og at det som en på er af for med til den har ikke om et var jeg men fra ved sig kan "
        "også blev",
        "no": "og at det som en på er av for med til den har ikke om et var jeg men fra ved seg kan "
        "også ble",
        "pl": "i w nie na się z że do to jest jak o po ale co tak od za przez już są był dla jego "
        "oraz które",
        "cs": "a v se na je že to s z do o i jako by ale pro jsou už jeho byl které podle také "
        "jak než",
        "tr": "ve bir bu da de için ile olarak çok daha ne gibi en olan ama kadar sonra ancak "
        "ise değil her",
        "ro": "și de în la cu a că nu o pe un se din este mai care pentru sunt fost sau ca au",
        "hu": "a az és hogy nem is egy de van meg csak ez már mint el volt még ki fel azt",
        "fi": "ja on ei että se oli hän ovat mutta kun myös tai ole joka kuin sen mukaan niin",
        "id": "yang dan di dari ini itu dengan untuk tidak dalam akan pada juga ke karena ada "
        "oleh mereka atau",
        "vi": "và của là có không được trong cho những một các với người này đã khi từ",
        "ru": "и в не на что с по как это он к но из за от о же для так все его был она",
        "uk": "і в не на що з у та як це до за від але по його був для які також вона",
        "bg": "и в на да се не от за с че е по са като към това но или той тя",
    }.items()
}
_CYRILLIC_CODES = ("ru", "uk", "bg")
# Letters that only Ukrainian uses among the Cyrillic languages above.
_UKRAINIAN = re.compile(r"[іїєґ]")


def cjk_chars(text: str) -> int:
    """How many CJK characters `text` holds."""
    return len(_CJK.findall(text))


def word_units(text: str) -> float:
    """Text size in words for any script: two CJK characters or four Thai, Lao, Khmer or
    Burmese ones count as a word, as those scripts do not separate words by spaces."""
    dense = _DENSE.findall(text)
    if not dense:
        return len(_WORD.findall(text))
    cjk = len([ch for ch in dense if ch >= "\u3040"])
    return len(_WORD.findall(_DENSE.sub(" ", text))) + cjk / 2 + (len(dense) - cjk) / 4


def normalize_language(code: str | None) -> str | None:
    """ISO 639-1 from a tag like "pt-BR", "en_US" or "fr"; None when it is not one."""
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    if primary in {"nb", "nn"}:  # Bokmål and Nynorsk are both Norwegian for us
        return "no"
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


def _stopword_scores(sample: str, found: list[str], cyrillic: bool) -> dict[str, int]:
    """Hits of each candidate language's function words among the words `found` in `sample`."""
    candidates = (
        _CYRILLIC_CODES if cyrillic else tuple(c for c in _STOPWORDS if c not in _CYRILLIC_CODES)
    )
    words = Counter(map(str.lower, found))
    # Of each list, only the words in the sample: a Counter's missing keys are costly to ask.
    scores = {code: sum(words[w] for w in words.keys() & _STOPWORDS[code]) for code in candidates}
    if cyrillic and _UKRAINIAN.search(sample):
        scores["uk"] = scores["uk"] * 2 + 1
    return scores


def _letters(text: str) -> int:
    """How many letters `text` holds."""
    return len(text) - len(_NOT_LETTER.findall(text))


def _scored_language(text: str) -> tuple[str | None, dict[str, int]]:
    """The detected language and, for Latin/Cyrillic text, every candidate's score."""
    sample = text[:_SAMPLE_CHARS]
    words = _WORD.findall(sample)
    # Every letter is in a word, and the words hold few other characters: quicker to count there,
    # and the first words mostly hold enough.
    in_words = "".join(words)
    if _letters(in_words[:100]) < 20 and _letters(in_words) < 20:
        return None, {}
    cyrillic = False
    if _NOT_LATIN.search(sample):
        letters = _letters(in_words)
        for code, pattern in _SCRIPTS if _ANY_SCRIPT.search(sample) else ():
            if len(pattern.findall(sample)) / letters > 0.1:
                return ("fa" if code == "ar" and _PERSIAN.search(sample) else code), {}
        cyrillic = len(_CYRILLIC.findall(sample)) / letters > 0.3
    scores = _stopword_scores(sample, words, cyrillic)
    best = max(scores, key=lambda code: scores[code])
    return (best if scores[best] >= 2 else None), scores


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too little text to tell."""
    return _scored_language(text)[0]


def pick_language(declared: str | None, text: str) -> str | None:
    """The page's declared language unless its text clearly says otherwise, else the detected one."""
    detected, scores = _scored_language(text)
    if declared is None or detected is None or declared == detected:
        return detected or declared
    # Close relatives (Danish/Norwegian, Spanish/Portuguese) score alike: keep the declaration
    # when the text fits it nearly as well as the winner; templates with a wrong lang do not.
    if declared in scores and scores[declared] >= 0.7 * scores[detected]:
        return declared
    return detected
