"""MarkdownV2 parsing as the Bot API server does it (TDLib's `parse_markdown_v2`), same wordings."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.playground.emulator.parse import _SPACE, Entity, EntityParseError, check_link, utf16_len

_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}
_MD2_OPENERS = {"_": "italic", "*": "bold", "~": "strikethrough", "`": "code", "[": "text_link"}


def _md2_closes(kind: str, text: str, i: int) -> bool:
    """Whether the reserved character at i ends the innermost open MarkdownV2 entity."""
    char, nxt = text[i], text[i + 1 : i + 2]
    return {
        "bold": char == "*",
        "italic": char == "_" and nxt != "_",
        "underline": text.startswith("__", i),
        "strikethrough": char == "~",
        "spoiler": text.startswith("||", i),
        "code": char == "`",
        "pre": text.startswith("```", i),
        "text_link": char == "]",
    }[kind]


@dataclass
class _Md2Open:
    kind: str
    language: str
    offset: int  # UTF-16 offset of the entity start
    byte_pos: int  # byte offset of the markup, for error messages
    begin: int  # index in the plain result


@dataclass
class _MarkdownV2Parser:
    """One pass over a MarkdownV2 text; `run` returns (plain text, entities)."""

    text: str
    pos: int = 0
    out: str = ""
    stack: list[_Md2Open] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def run(self) -> tuple[str, list[Entity]]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            in_code = bool(self.stack) and self.stack[-1].kind in ("code", "pre")
            if char == "\\" and 0 < ord(text[self.pos + 1 : self.pos + 2] or "\0") <= 126:
                self.out += text[self.pos + 1]
                self.pos += 2
            elif char == ">" and not self.stack and (self.pos == 0 or text[self.pos - 1] == "\n"):
                self.quote_line()
            elif char not in ("`" if in_code else _MD2_RESERVED):
                self.out += char
                self.pos += 1
            elif self.stack and _md2_closes(self.stack[-1].kind, text, self.pos):
                self.close()
            else:
                self.open()
        if self.stack:
            last = self.stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MD2_NAMES[last.kind]} entity at byte offset {last.byte_pos}"
            )
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return self.out, _merge_quotes(entities)

    def quote_line(self) -> None:
        # A quote line: the '>' marker is dropped; consecutive quote lines are merged later.
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        quoted, inner = _MarkdownV2Parser(self.text[self.pos + 1 : end]).run()
        start = utf16_len(self.out)
        for entity in inner:
            self.entities.append({**entity, "offset": entity["offset"] + start})
        self.entities.append({"type": "blockquote", "offset": start, "length": utf16_len(quoted)})
        self.out += quoted
        self.pos = end

    def open(self) -> None:
        text, i = self.text, self.pos
        opened = _Md2Open("", "", utf16_len(self.out), len(text[:i].encode()), len(self.out))
        if text.startswith("__", i) or text.startswith("||", i):
            opened.kind, self.pos = ("underline" if text[i] == "_" else "spoiler"), i + 2
        elif text.startswith("```", i):
            opened.kind, self.pos = "pre", i + 3
            self.pre_language(opened)
        elif text[i] in _MD2_OPENERS:
            opened.kind, self.pos = _MD2_OPENERS[text[i]], i + 1
        else:
            raise EntityParseError(
                f"Character '{text[i]}' is reserved and must be escaped with the preceding '\\'"
            )
        self.stack.append(opened)

    def pre_language(self, opened: _Md2Open) -> None:
        text, end = self.text, self.pos
        while end < len(text) and text[end] not in _SPACE + "`":
            end += 1
        if end > self.pos and end < len(text) and text[end] != "`":
            opened.language, self.pos = text[self.pos : end], end
        if text.startswith("\n", self.pos):
            self.pos += 1  # the newline after ``` (and the language) is not part of the text

    def close(self) -> None:
        opened = self.stack.pop()
        start = opened.offset
        entity: Entity = {
            "type": opened.kind,
            "offset": start,
            "length": utf16_len(self.out) - start,
        }
        self.pos += {"underline": 2, "spoiler": 2, "pre": 3}.get(opened.kind, 1)
        if opened.kind == "pre" and opened.language:
            entity["language"] = opened.language
        if opened.kind == "text_link":
            url = check_link(self.link_target(opened))
            if url is None:
                return
            entity["url"] = url
        if entity["length"] > 0:
            self.entities.append(entity)

    def link_target(self, opened: _Md2Open) -> str:
        if not self.text.startswith("(", self.pos):
            return self.out[opened.begin :]
        url_start = self.pos + 1
        url: list[str] = []
        i = url_start
        while i < len(self.text) and self.text[i] != ")":
            escaped = self.text[i] == "\\" and 0 < ord(self.text[i + 1 : i + 2] or "\0") <= 126
            url.append(self.text[i + 1] if escaped else self.text[i])
            i += 2 if escaped else 1
        if i >= len(self.text):
            byte_pos = len(self.text[:url_start].encode())
            raise EntityParseError(f"Can't find end of a URL at byte offset {byte_pos}")
        self.pos = i + 1
        return "".join(url)


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 into (plain text, entities); unescaped reserved characters are rejected."""
    return _MarkdownV2Parser(text).run()


def _merge_quotes(entities: list[Entity]) -> list[Entity]:
    """Consecutive '>' lines form one blockquote, as in Telegram."""
    merged: list[Entity] = []
    for entity in entities:
        quotes = [e for e in merged if e["type"] == "blockquote"]
        last = quotes[-1] if quotes else None
        if (
            entity["type"] == "blockquote"
            and last is not None
            and last["offset"] + last["length"] + 1 == entity["offset"]
        ):
            last["length"] += entity["length"] + 1
        else:
            merged.append(dict(entity))
    return merged
