"""The /settings inline keyboard: summary length, language and format, and the interface's
language, one tap each."""

from __future__ import annotations

import dataclasses

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.core.models import SummaryFormat, SummaryLength
from bot.core.store.types import UserPrefs
from bot.texts import CATALOG, text

PREFIX = "settings"
# Summary languages offered as buttons; "auto" means the article's own language.
LANGUAGES: dict[str, str] = {
    "auto": "",
    "en": "English",
    "ru": "Русский",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
}
FORMATS = tuple(style.value for style in SummaryFormat)


def keyboard(prefs: UserPrefs, defaults: Settings, ui: str) -> InlineKeyboardMarkup:
    """The keyboard with the current choices ticked, each group under a row naming it."""
    length = prefs.length or defaults.summary_length
    language = prefs.language or defaults.summary_language or "auto"
    summary_format = (prefs.format or defaults.summary_format).value
    languages = list(LANGUAGES.items())
    rows = [
        _label("length", ui),
        [
            _button(
                text(f"settings.length.{value.value}", ui), "length", value.value, value == length
            )
            for value in SummaryLength
        ],
        _label("language", ui),
        [
            _button(name or text("settings.language.auto", ui), "language", code, code == language)
            for code, name in languages[:3]
        ],
        [_button(name, "language", code, code == language) for code, name in languages[3:]],
        _label("format", ui),
        [
            _button(text(f"settings.format.{value}", ui), "format", value, value == summary_format)
            for value in FORMATS
        ],
        _label("ui", ui),
        [
            _button(f"🗣 {name}", "ui", code, code == ui)
            for code, name in languages
            if code in CATALOG
        ],
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
    if field == "language" and value in LANGUAGES:
        return dataclasses.replace(prefs, language=None if value == "auto" else value)
    if field == "ui" and value in CATALOG:
        return dataclasses.replace(prefs, ui_language=value)
    if field == "format" and value in FORMATS:
        return dataclasses.replace(prefs, format=SummaryFormat(value))
    return None


def _button(label: str, field: str, value: str, chosen: bool) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        ("✓ " if chosen else "") + label, callback_data=f"{PREFIX}:{field}:{value}"
    )
