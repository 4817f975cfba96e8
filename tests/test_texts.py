"""The wording catalog: every language says everything, with the same placeholders."""

from __future__ import annotations

import inspect
import string

import pytest

from bot.core import errors
from bot.texts import CATALOG, DEFAULT_LANGUAGE, describe_error, normalize_language, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", sorted(CATALOG))
def test_every_language_has_every_key_with_the_same_placeholders(language: str) -> None:
    english = CATALOG[DEFAULT_LANGUAGE]
    assert set(CATALOG[language]) == set(english)
    for key, template in CATALOG[language].items():
        assert _fields(template) == _fields(english[key]), key


def test_every_error_code_has_wording() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)]
    codes = {c.code for c in classes if issubclass(c, errors.SummarybotError)}
    assert codes <= set(CATALOG[DEFAULT_LANGUAGE])


@pytest.mark.parametrize(
    ("tag", "expected"), [("ru-RU", "ru"), ("en_GB", "en"), ("de", "en"), (None, "en")]
)
def test_language_tags_map_to_the_catalog(tag: str | None, expected: str) -> None:
    assert normalize_language(tag) == expected


def test_missing_detail_falls_back_to_the_family_sentence() -> None:
    assert describe_error(errors.TooLargeError("big"), "ru") == text("fetch.failed", "ru")
    assert "10" in describe_error(errors.TooLargeError("big", limit_mb=10), "en")
