"""Telegram's text parsing as the Bot API server does it: HTML to text + entities (and helpers).

Modelled on TDLib's `parse_html` (which the Bot API server runs; MarkdownV2 is in telegram_mdv2), with the
same error wordings, so the emulator rejects what Telegram rejects and tests can validate any
rendered HTML with the exact parser the emulator uses (`parse_html`).

Lengths: entity offsets/lengths are UTF-16 code units, like Telegram. The message length limit is
also checked in UTF-16 units (`utf16_len`): Telegram counts characters, and a text within 4096
UTF-16 units is always within 4096 characters, so whatever passes here passes there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

Entity = dict[str, Any]

MAX_TEXT_LENGTH = 4096
SUPPORTED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji"}
    | {"span", "pre", "code", "blockquote"}
)
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton"})
_SPACE = " \t\r\n\f\v"


class EntityParseError(ValueError):
    """The text is rejected with `Bad Request: can't parse entities: <reason>`."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Bad Request: can't parse entities: {reason}")
        self.reason = reason


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (characters outside the BMP count 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def check_link(url: str) -> str | None:
    """The URL as Telegram would keep it for a text_link, or None when it drops the link."""
    url = url.strip()
    if not url:
        return None
    scheme = urlsplit(url).scheme.lower() if "://" in url or ":" in url.split("/")[0] else ""
    if not scheme:
        return "http://" + url
    return url if scheme in _LINK_SCHEMES else None


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML character reference at `pos` (which holds '&'): (char, next pos) or None."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        hexa = text.startswith(("x", "X"), end)
        end += hexa
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        if start == end:
            return None
        value = int(text[start:end], 16 if hexa else 10)
        if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        start = end
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if text[start:end] not in named:
            return None
        char = named[text[start:end]]
    return char, end + 1 if text.startswith(";", end) else end


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset where the entity starts
    begin: int  # index in the plain result where it starts


@dataclass
class _HtmlParser:
    """One pass over an HTML text; `run` returns (plain text, entities)."""

    text: str
    pos: int = 0
    out: list[str] = field(default_factory=list)
    utf16: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def byte_offset(self, pos: int) -> int:
        return len(self.text[:pos].encode())

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def plain_end(self) -> int:
        """Where the run of plain text at `pos` ends: the next tag or entity (a lone "&" at
        `pos` itself is plain text)."""
        ends = (self.text.find(mark, self.pos + 1) for mark in "<&")
        return min((end for end in ends if end != -1), default=len(self.text))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def run(self) -> tuple[str, list[Entity]]:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "&" and (decoded := _decode_entity(self.text, self.pos)):
                self.emit(decoded[0])
                self.pos = decoded[1]
            elif char != "<":
                end = self.plain_end()
                self.emit(self.text[self.pos : end])
                self.pos = end
            elif self.text.startswith("</", self.pos):
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        return "".join(self.out), self.entities

    def skip_spaces(self) -> None:
        while self.peek() and self.peek() in _SPACE:
            self.pos += 1

    def start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        while self.peek() and self.peek() not in _SPACE + ">":
            self.pos += 1
        if not self.peek():
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.text[begin + 1 : self.pos].lower()
        if tag not in SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        argument = ""
        while self.peek() != ">":
            self.skip_spaces()
            if not self.peek():
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                )
            if self.peek() == ">":
                break
            name, value = self.attribute(tag, begin)
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif (tag == "tg-emoji" and name == "emoji-id") or (
                tag == "blockquote" and name == "expandable"
            ):
                argument = value
        self.pos += 1
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_Open(tag, argument, self.utf16, sum(map(len, self.out))))

    def attribute(self, tag: str, begin: int) -> tuple[str, str]:
        start = self.pos
        while self.peek() and self.peek() not in _SPACE + "=>":
            self.pos += 1
        name = self.text[start : self.pos].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        self.skip_spaces()
        if self.peek() != "=":
            if tag == "blockquote" and name == "expandable":
                return name, "1"
            if not self.peek():
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                )
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {self.byte_offset(begin)}'
            )
        self.pos += 1
        self.skip_spaces()
        if not self.peek():
            raise EntityParseError(
                f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        return name, self.quoted_value(begin) if self.peek() in "'\"" else self.name_token()

    def name_token(self) -> str:
        start = self.pos
        while self.peek() and (self.peek().isalnum() or self.peek() in ".-"):
            self.pos += 1
        if not self.peek() or self.peek() not in _SPACE + ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
            )
        return self.text[start : self.pos].lower()

    def quoted_value(self, begin: int) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        value: list[str] = []
        while self.peek() and self.peek() != quote:
            if self.peek() == "&" and (decoded := _decode_entity(self.text, self.pos)):
                value.append(decoded[0])
                self.pos = decoded[1]
            else:
                value.append(self.peek())
                self.pos += 1
        if not self.peek():
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 2
        while self.peek() and self.peek() not in _SPACE + ">":
            self.pos += 1
        name = self.text[begin + 2 : self.pos].lower()
        self.skip_spaces()
        if self.peek() != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.pos += 1
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.tag}>", found "</{name}>"'
            )
        if self.utf16 > opened.offset:
            self.close_entity(opened, self.utf16 - opened.offset)

    def close_entity(self, opened: _Open, length: int) -> None:
        span: Entity = {"offset": opened.offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (opened.offset, length)
        if opened.tag in _SIMPLE_TAG_TYPES:
            self.entities.append({"type": _SIMPLE_TAG_TYPES[opened.tag], **span})
        elif opened.tag == "a":
            url = check_link(opened.argument or "".join(self.out)[opened.begin :])
            if url is not None:
                self.entities.append({"type": "text_link", **span, "url": url})
        elif opened.tag == "tg-emoji":
            if opened.argument:
                self.entities.append(
                    {"type": "custom_emoji", **span, "custom_emoji_id": opened.argument}
                )
        elif opened.tag == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self.entities.append({"type": kind, **span})
        elif opened.tag == "pre":
            entity: Entity = {"type": "pre", **span}
            if same_span and last is not None and last["type"] == "code":
                # <pre><code class="language-x">: one pre entity carrying the language.
                self.entities.pop()
                if last.get("language"):
                    entity["language"] = last["language"]
            self.entities.append(entity)
        elif opened.tag == "code":
            code: Entity = {"type": "code", **span}
            if opened.argument:
                code["language"] = opened.argument
            self.entities.append(code)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into (plain text, entities); raises EntityParseError like the server."""
    plain, entities = _HtmlParser(text).run()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language only survives inside <pre>
    return plain, sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as the server does, shifting and clipping the entities."""
    stripped = text.lstrip(_SPACE)
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_SPACE)
    size = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, sorted(kept, key=lambda e: (e["offset"], -e["length"]))
