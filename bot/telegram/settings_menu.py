"""The /settings inline keyboard: summary length, language and format, and the interface's
language, one tap each (a summary language may also be typed)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.core.llm.prompts import LANGUAGE_NAMES, base_language, is_language_code
from bot.core.models import SummaryFormat, SummaryLength
from bot.core.store.types import UserPrefs
from bot.texts import CATALOG, normalize_language, text

if TYPE_CHECKING:
    from bot.core.service import Service

PREFIX = "settings"
AUTO = "auto"  # the article's own language
MY_LANGUAGE = "mine"  # the user's Telegram language, resolved at each summary
OTHER = "other"  # "type any language": the user's next message names it
TYPE_LANGUAGE = f"{PREFIX}:language:{OTHER}"
# Names of the summary languages offered as buttons, besides every language of the catalog.
NATIVE_NAMES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
}
FORMATS = tuple(style.value for style in SummaryFormat)
ROW = 3  # buttons per row of languages


def offered_languages() -> dict[str, str]:
    """The summary languages with a button: the catalog's, then a few common ones."""
    codes = dict.fromkeys([*CATALOG, *NATIVE_NAMES])
    return {code: language_name(code) for code in codes}


def language_name(code: str) -> str:
    """A language's own name when known, else its English name (or the code itself)."""
    base = base_language(code)
    return NATIVE_NAMES.get(base) or LANGUAGE_NAMES.get(base, code)


def language_code_of(typed: str) -> str | None:
    """The ISO 639-1 code a user typed, or a language they named (in English or its own
    name); None when it names no language."""
    typed = " ".join(typed.split())
    if is_language_code(typed) and len(base_language(typed)) == 2:
        return base_language(typed)
    wanted = typed.casefold()
    names = {name.casefold(): code for code, name in LANGUAGE_NAMES.items()}
    names |= {name.casefold(): code for code, name in NATIVE_NAMES.items()}
    return names.get(wanted)


def summary_language(prefs: UserPrefs, telegram_language: str | None) -> str | None:
    """The language code to summarize in: "in my language" becomes the user's own."""
    if prefs.language != MY_LANGUAGE:
        return prefs.language
    return language_code_of(telegram_language or "") or None


async def chat_ui_language(service: Service, chat_id: int) -> str:
    """The interface language chosen for a chat known only by its id (no update to read the
    sender's from): a private chat's is its user's /settings, a group's its admins'."""
    if chat_id > 0:
        return normalize_language((await service.prefs(chat_id)).ui_language)
    return normalize_language((await service.chat_settings(chat_id)).prefs.ui_language)


def keyboard(prefs: UserPrefs, defaults: Settings, ui: str) -> InlineKeyboardMarkup:
    """The keyboard with the current choices ticked, each group under a row naming it."""
    length = prefs.length or defaults.summary_length
    language = prefs.language or defaults.summary_language or AUTO
    summary_format = (prefs.format or defaults.summary_format).value
    offered = list(offered_languages().items())
    rows = [
        _label("length", ui),
        [
            _button(
                text(f"settings.length.{value.value}", ui), "length", value.value, value == length
            )
            for value in SummaryLength
        ],
        _label("language", ui),
        _language_choices(language, ui),
        *(
            [
                _button(name, "language", code, code == language)
                for code, name in offered[i : i + ROW]
            ]
            for i in range(0, len(offered), ROW)
        ),
        _label("format", ui),
        [
            _button(text(f"settings.format.{value}", ui), "format", value, value == summary_format)
            for value in FORMATS
        ],
        _label("ui", ui),
        [_button(f"🗣 {language_name(code)}", "ui", code, code == ui) for code in CATALOG],
    ]
    return InlineKeyboardMarkup(rows)


def switch(field: str, on: bool, ui: str) -> list[list[InlineKeyboardButton]]:
    """A row naming a yes-or-no setting, and its On and Off buttons (the current one ticked)."""
    return [
        _label(field, ui),
        [
            _button(text(f"settings.{field}.{value}", ui), field, value, (value == "on") == on)
            for value in ("on", "off")
        ],
    ]


def switched(data: str, field: str) -> bool | None:
    """What an On or Off button of `field` chooses; None for any other button."""
    parts = data.split(":")
    if len(parts) == 3 and parts[:2] == [PREFIX, field] and parts[2] in ("on", "off"):
        return parts[2] == "on"
    return None


def _language_choices(language: str, ui: str) -> list[InlineKeyboardButton]:
    """As the article, in my language, and any other (ticked, by name, when one was typed)."""
    typed = language not in {AUTO, MY_LANGUAGE, *offered_languages()}
    other = language_name(language) if typed else text("settings.language.other", ui)
    return [
        _button(text("settings.language.auto", ui), "language", AUTO, language == AUTO),
        _button(
            text("settings.language.mine", ui), "language", MY_LANGUAGE, language == MY_LANGUAGE
        ),
        _button(other, "language", OTHER, typed),
    ]


def _label(field: str, ui: str) -> list[InlineKeyboardButton]:
    # A row of its own naming the group below; a tap on it changes nothing and is just answered.
    return [
        InlineKeyboardButton(
            f"— {text(f'settings.{field}', ui)} —", callback_data=f"{PREFIX}:label:{field}"
        )
    ]


def apply_choice(prefs: UserPrefs, data: str) -> UserPrefs | None:
    """The preferences after a button press, or None when the button data is not ours/valid."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    _, field, value = parts
    if field == "length" and value in {length.value for length in SummaryLength}:
        return dataclasses.replace(prefs, length=SummaryLength(value))
    if field == "language" and value in {AUTO, MY_LANGUAGE, *offered_languages()}:
        return dataclasses.replace(prefs, language=None if value == AUTO else value)
    if field == "ui" and value in CATALOG:
        return dataclasses.replace(prefs, ui_language=value)
    if field == "format" and value in FORMATS:
        return dataclasses.replace(prefs, format=SummaryFormat(value))
    return None


def _button(label: str, field: str, value: str, chosen: bool) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        ("✓ " if chosen else "") + label, callback_data=f"{PREFIX}:{field}:{value}"
    )
