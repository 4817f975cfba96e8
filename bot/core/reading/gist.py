"""Which sentence leads an extractive summary: the first that states something on its own.

A gist is read out of context, so a sentence that points back ("He said...", "However, ...",
"这款产品...") or asks a question makes a poor one; so does a fragment too short to name its
subject. The rules work on the first word (or the first characters of CJK text), which is
what gives such sentences away in every language covered: en, ru, de, fr, es, pt, it, pl, cs,
el, zh, ja and ko.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Personal and demonstrative pronouns and connectives that only make sense after another
# sentence. Words that also open plain leads are left out: articles that double as pronouns
# ("Das", "La") and Polish or Czech words that are English ones ("on", "to", "ten", "one").
_BACK_REFERENCE_WORD_LIST = (
    # en
    "he she it they this that these those his her their its but however also "
    "meanwhile still yet moreover furthermore besides therefore thus hence instead "
    "nevertheless nonetheless then so additionally otherwise "
    # ru
    "он она оно они его её ее их это этот эта эти тот та те но однако также тоже "
    "поэтому впрочем зато причём причем кроме при тем ещё еще вдобавок "
    # de
    "er sie es dies diese dieser dieses aber doch jedoch außerdem zudem deshalb daher "
    "deswegen trotzdem dabei damit dennoch allerdings "
    # fr
    "il elle ils elles cela ceci ce cette ces mais cependant pourtant toutefois ainsi "
    "donc aussi alors "
    # es, pt, it
    "él ella ellos ellas esto eso pero sin además también así ele ela eles elas isso "
    "isto mas porém contudo entretanto lui lei loro questo questa però tuttavia inoltre "
    # pl, cs
    "ona ono oni ta te ale jednak także również dlatego więc natomiast "
    "jednocześnie ponadto však také proto přesto navíc "
    # el
    "αυτός αυτή αυτό αυτοί αυτές αυτά όμως ωστόσο επίσης αλλά έτσι ακόμη εκείνος "
    "εκείνη εκείνο"
)
# Scripts without spaces: a sentence that starts with one of these refers back.
_BACK_REFERENCE_PREFIX_LIST = (
    "他 她 它 这 這 此 其 该 該 但 然而 不过 不過 此外 另外 因此 所以 同时 同時 而且 并且 同样 那么 "  # zh
    "彼 それ これ この その 同 しかし また 一方 だが "  # ja
    "그는 그녀 이는 그러나 하지만 또한"  # ko
)
_BACK_REFERENCE_WORDS = frozenset(_BACK_REFERENCE_WORD_LIST.split())
_BACK_REFERENCE_PREFIXES = tuple(_BACK_REFERENCE_PREFIX_LIST.split())
_FIRST_WORD = re.compile(r"[^\W\d_]+")  # "It's" opens with "It"
_QUESTION = re.compile(r"[?？]\W*$")
MIN_GIST_WORDS = 8
GIST_WINDOW = 5  # how far down the article a better gist than the first sentence may be


def refers_back(sentence: str) -> bool:
    """True when `sentence` opens with a pronoun or connective pointing to what came before."""
    opening = sentence.lstrip(" \"'«„“”‘’([—–-")
    if opening.startswith(_BACK_REFERENCE_PREFIXES):
        return True
    word = _FIRST_WORD.match(opening)
    return word is not None and word.group().lower() in _BACK_REFERENCE_WORDS


def _stands_alone(sentence: str, size: int) -> bool:
    """True when `sentence` (of `size` words) can lead a summary read out of context."""
    return size >= MIN_GIST_WORDS and not _QUESTION.search(sentence) and not refers_back(sentence)


def gist_index(sentences: Sequence[str], size: Callable[[str], int]) -> int:
    """The index of the first sentence near the top that stands alone, else 0 (the lead)."""
    for index, sentence in enumerate(sentences[:GIST_WINDOW]):
        if _stands_alone(sentence, size(sentence)):
            return index
    return 0
