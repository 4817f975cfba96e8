"""Every user-facing sentence, per language, in one catalog ready for translation."""

from __future__ import annotations

from typing import Any

from bot.core.errors import SummarybotError

DEFAULT_LANGUAGE = "en"

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "error": "Something went wrong on my side. Please try again in a minute.",
        "fetch.failed": "I could not fetch that page.",
        "fetch.invalid_url": "That does not look like a web link I can open (http or https only).",
        "fetch.blocked_address": "I can't open that address: it points to a private or local network.",
        "fetch.too_many_redirects": "That link redirects too many times; I gave up following it.",
        "fetch.timeout": "The site took too long to answer. Try again later or paste the text.",
        "fetch.connect": "I could not reach that site. Check the link, or paste the text.",
        "fetch.too_large": "That page is too large for me (over {limit_mb} MB).",
        "fetch.unsupported_type": ("I can read web pages, plain text and PDF, not {content_type}."),
        "fetch.http_status": "The site answered with an error ({status}).",
        "fetch.not_found": "That page does not exist (404). Check the link.",
        "fetch.forbidden": (
            "The site refused to show me that page ({status}). Paste the text instead."
        ),
        "fetch.paywall": (
            "That page seems to be behind a paywall or a consent wall. Paste the text instead."
        ),
        "extract.failed": "I could not find an article there. Paste the text instead.",
        "extract.not_an_article": (
            "I could not find an article on that page (only menus, banners or a teaser). "
            "Paste the text instead."
        ),
        "extract.empty": "There is no text to read there.",
        "extract.unreadable": "I could not read that file. Is it a valid {kind} file?",
        "llm.failed": "The language model failed. Please try again in a minute.",
        "llm.rate_limited": "The language model is busy right now. Please try again in a minute.",
        "llm.context_too_long": "That text is too long for the language model.",
        "llm.refused": "The language model declined to answer that.",
        "llm.unavailable": "The language model is unavailable right now. Please try again later.",
        "llm.auth": "The language model rejected the bot's API key. Tell the bot's owner.",
        "config": "The bot is misconfigured: {message}",
        "store.failed": "My storage failed. Please try again in a minute.",
    },
    "ru": {
        "error": "У меня что-то пошло не так. Попробуйте ещё раз через минуту.",
        "fetch.failed": "Не удалось загрузить страницу.",
        "fetch.invalid_url": "Это не похоже на ссылку, которую я могу открыть (только http и https).",
        "fetch.blocked_address": "Не могу открыть этот адрес: он ведёт в частную или локальную сеть.",
        "fetch.too_many_redirects": "Ссылка перенаправляет слишком много раз, я сдался.",
        "fetch.timeout": "Сайт отвечает слишком долго. Попробуйте позже или вставьте текст.",
        "fetch.connect": "Не удалось связаться с сайтом. Проверьте ссылку или вставьте текст.",
        "fetch.too_large": "Страница слишком большая для меня (больше {limit_mb} МБ).",
        "fetch.unsupported_type": "Я читаю веб-страницы, текст и PDF, но не {content_type}.",
        "fetch.http_status": "Сайт ответил ошибкой ({status}).",
        "fetch.not_found": "Такой страницы нет (404). Проверьте ссылку.",
        "fetch.forbidden": "Сайт не показал мне страницу ({status}). Вставьте текст.",
        "fetch.paywall": "Похоже, страница за пейволом или окном согласия. Вставьте текст.",
        "extract.failed": "Не нашёл там статьи. Вставьте текст.",
        "extract.not_an_article": (
            "Не нашёл на странице статьи (только меню, баннеры или анонс). Вставьте текст."
        ),
        "extract.empty": "Там нет текста.",
        "extract.unreadable": "Не удалось прочитать файл. Это точно файл {kind}?",
        "llm.failed": "Языковая модель дала сбой. Попробуйте через минуту.",
        "llm.rate_limited": "Языковая модель сейчас перегружена. Попробуйте через минуту.",
        "llm.context_too_long": "Текст слишком длинный для языковой модели.",
        "llm.refused": "Языковая модель отказалась отвечать.",
        "llm.unavailable": "Языковая модель сейчас недоступна. Попробуйте позже.",
        "llm.auth": "Языковая модель не приняла ключ API бота. Сообщите владельцу бота.",
        "config": "Бот настроен неверно: {message}",
        "store.failed": "Хранилище дало сбой. Попробуйте через минуту.",
    },
}


def normalize_language(language: str | None) -> str:
    """The catalog language for an IETF tag like "ru-RU", falling back to English."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return code if code in CATALOG else DEFAULT_LANGUAGE


def text(key: str, language: str | None = None, **params: Any) -> str:
    """The sentence `key` in `language` (English when missing), with `params` filled in."""
    catalog = CATALOG[normalize_language(language)]
    template = catalog.get(key) or CATALOG[DEFAULT_LANGUAGE][key]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        # A missing detail must never turn a friendly message into a crash: use the
        # detail-free sentence of the error's family instead.
        family = key.split(".", 1)[0] + ".failed"
        return text(family if family != key and family in catalog else "error", language)


def describe_error(error: SummarybotError, language: str | None = None) -> str:
    """A short friendly sentence for an expected error, in the user's language."""
    params = dict(error.details)
    if error.code == "config":
        params.setdefault("message", str(error))
    return text(error.code, language, **params)
