"""Decoding fetched or uploaded text: BOM, declared charsets, then detection (owns charset_normalizer)."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_META_SCAN_BYTES = 8192
_DETECT_BYTES = 64 * 1024
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels pages use for what is in practice a superset (as browsers read them).
_SUPERSETS = {
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "latin_1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}
# Servers send these by default whatever the page is, so they are tried only late.
_WEAK = "cp1252"
# Text in any 8-bit or UTF-8 charset holds no NUL and hardly any other C0 control byte: past
# this share of a sample's bytes the data is a program, an image or an archive.
_BINARY_SAMPLE_BYTES = 8192
_BINARY_SHARE = 0.05
_CONTROLS = frozenset(range(32)) - frozenset(b"\t\n\r\f\v\x1b")


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, None when unknown or not a text encoding."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except LookupError:
        return None
    if not info._is_text_encoding or info.name == "utf-7":
        return None  # base64 is no charset; UTF-7 can smuggle markup past filters
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a page that could declare it in ASCII is not UTF-16
    return _SUPERSETS.get(info.name, info.name)


def _strict(body: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(body: bytes, content_type_header: str | None) -> tuple[str, str]:
    """Decode a text or HTML body: BOM, header charset, meta charset, then detection."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace"), codec
    header = _codec(_header_charset(content_type_header))
    meta_match = _META_CHARSET.search(body[:_META_SCAN_BYTES])
    meta = _codec(meta_match.group(1).decode("ascii")) if meta_match else None
    # A weak label (Latin-1, ASCII) is often a server default, so only detection of another
    # script (Cyrillic, CJK...) outranks it; Latin guesses (cp1250 or cp1252?) are coin flips.
    weak = _WEAK in (header, meta)
    for codec in [c for c in (header, meta) if c not in (None, _WEAK)] + ["utf-8"]:
        text = _strict(body, codec)
        if text is not None:
            return text, codec
    match = charset_normalizer.from_bytes(body[:_DETECT_BYTES]).best()
    detected = _codec(match.encoding) if match is not None else None
    latin_only = match is None or all("Latin" in name for name in match.alphabets)
    text = _strict(body, detected)
    if text is not None and detected is not None and not (weak and latin_only):
        return text, detected
    fallback = _WEAK if weak else "utf-8"
    return body.decode(fallback, errors="replace"), fallback


def looks_binary(body: bytes) -> bool:
    """True when `body` is not text in any charset (an executable, an image, an archive)."""
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False  # UTF-16 and UTF-32 text is full of NUL bytes
    sample = body[:_BINARY_SAMPLE_BYTES]
    controls = sum(1 for byte in sample if byte in _CONTROLS)
    return b"\0" in sample or controls > _BINARY_SHARE * len(sample)


def _header_charset(content_type_header: str | None) -> str | None:
    for param in (content_type_header or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip()
    return None
