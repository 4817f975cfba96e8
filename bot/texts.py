"""Every user-facing sentence, per language, in one catalog ready for translation."""

from __future__ import annotations

from typing import Any

from bot.core.errors import SummarybotError
from bot.core.models import Answer, Notice, Summary
from bot.texts_channels import CHANNELS
from bot.texts_chat import CHAT, PLAYGROUND
from bot.texts_follow import FOLLOW
from bot.texts_groups import GROUPS
from bot.texts_inline import INLINE
from bot.texts_schedules import SCHEDULES
from bot.texts_usage import USAGE_TEXTS

DEFAULT_LANGUAGE = "en"
# The most of what a user typed that a reply quotes back: a message holds 4096 characters.
ECHO_CHARS = 40

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "error": "Something went wrong on my side. Please try again in a minute.",
        "fetch.failed": "I could not fetch that page.",
        "fetch.invalid_url": "That does not look like a web link I can open (http or https only).",
        "fetch.blocked_address": "I can't open that address: it points to a private or local network.",
        "fetch.url_credentials": (
            "I don't open links with a user name or password in them; send it without them."
        ),
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
        "extract.too_short": (
            "That text is too short to summarize: it needs a few sentences at least. "
            "For a whole article, send its link or all of its text."
        ),
        "cli.allow_private_networks": (
            "To let the command line open such addresses, set FETCH_ALLOW_PRIVATE_NETWORKS=true "
            "in .env or the environment."
        ),
        "cli.no_metrics_port": "METRICS_PORT is not set, so there is no health check to ask.",
        "cli.unhealthy": "The bot is not ready: {reason}",
        "cli.channel_title": "**Digest of {name}** since {since}",
        "cli.channel_empty": "{name} posted nothing to digest since {since}.",
        "cli.channel_posts": "**Posts**:",
        "cli.channel_unreadable": "**Could not read**:",
        "extract.binary": (
            "That is not text: it looks like a program, an image or an archive. "
            "I read web pages, plain text, HTML and PDF."
        ),
        "extract.missing_file": "There is no file at {path}.",
        "extract.unreadable": "I could not read that file. Is it a valid {kind} file?",
        "extract.timeout": (
            "That page took me too long to read (over {timeout_s} seconds); it is probably "
            "built in an unusual way. Paste the text instead."
        ),
        "extract.too_complex": (
            "That page is too complex for me to read (it needs too much memory). "
            "Paste the text instead."
        ),
        "extract.too_many_pages": (
            "That PDF has {pages} pages; I read documents of up to {limit} pages. "
            "Send the part you want summarized."
        ),
        "llm.failed": "The language model failed. Please try again in a minute.",
        "llm.rate_limited": "The language model is busy right now. Please try again in a minute.",
        "llm.context_too_long": "That text is too long for the language model.",
        "llm.context_refused": (
            "The language model refused the text as too big for its context window, which is "
            "smaller than the bot assumes. Whoever runs the bot should set LLM_CONTEXT_TOKENS "
            "to the model's real context size."
        ),
        "llm.model_not_found": (
            "The bot is set to use the language model {model}, which its server does not have. "
            "Whoever runs the bot should fix LLM_MODEL."
        ),
        "llm.refused": "The language model declined to answer that.",
        "llm.unavailable": "The language model is unavailable right now. Please try again later.",
        "llm.auth": "The language model rejected the bot's API key. Tell the bot's owner.",
        "config": "The bot is misconfigured: {message}",
        "config.context_too_small": (
            "The bot is misconfigured: a context window of {context_tokens} tokens is too small "
            "for the language model to read anything. Tell the bot's owner to raise "
            "LLM_CONTEXT_TOKENS (or leave it empty for the model's own)."
        ),
        "store.failed": "My storage failed. Please try again in a minute.",
        "summary.extractive": (
            "_Extractive summary (no AI model configured): key sentences quoted from the article._"
        ),
        "summary.extractive_fallback": (
            "_The AI model is unavailable right now, so this is an extractive summary: "
            "key sentences quoted from the article._"
        ),
        "summary.key_rejected": (
            "_The AI model rejected the bot's API key (OPENAI_API_KEY; whoever runs the bot "
            "should fix it), so this is an extractive summary: key sentences quoted from the "
            "article._"
        ),
        "summary.coverage": "_Covers the first {percent}% of the article._",
        "summary.cut_short": "_The model hit its length limit: the summary may end early._",
        "answer.extractive": (
            "_No AI model is configured: these are the sentences of the article "
            "that best match your question._"
        ),
        "answer.extractive_fallback": (
            "_The AI model is unavailable right now: these are the sentences of the article "
            "that best match your question._"
        ),
        "answer.key_rejected": (
            "_The AI model rejected the bot's API key (OPENAI_API_KEY; whoever runs the bot "
            "should fix it): these are the sentences of the article that best match your "
            "question._"
        ),
        "answer.not_covered": "The article does not seem to cover that.",
        "answer.cut_short": "_The model hit its length limit: the answer may end early._",
        "answer.empty_question": "Your question is empty: write what you want to know.",
    },
    "ru": {
        "error": "У меня что-то пошло не так. Попробуйте ещё раз через минуту.",
        "fetch.failed": "Не удалось загрузить страницу.",
        "fetch.invalid_url": "Это не похоже на ссылку, которую я могу открыть (только http и https).",
        "fetch.blocked_address": "Не могу открыть этот адрес: он ведёт в частную или локальную сеть.",
        "fetch.url_credentials": "Я не открываю ссылки с логином или паролем; пришлите её без них.",
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
        "extract.too_short": (
            "Этот текст слишком короткий для пересказа: нужно хотя бы несколько предложений. "
            "Для целой статьи пришлите ссылку или весь её текст."
        ),
        "cli.allow_private_networks": (
            "Чтобы командная строка открывала такие адреса, задайте "
            "FETCH_ALLOW_PRIVATE_NETWORKS=true в .env или в окружении."
        ),
        "cli.no_metrics_port": "METRICS_PORT не задан, поэтому проверять здоровье бота негде.",
        "cli.unhealthy": "Бот не готов: {reason}",
        "cli.channel_title": "**Дайджест {name}** с {since}",
        "cli.channel_empty": "{name} не опубликовал ничего для дайджеста с {since}.",
        "cli.channel_posts": "**Посты**:",
        "cli.channel_unreadable": "**Не удалось прочитать**:",
        "extract.binary": (
            "Это не текст: похоже на программу, картинку или архив. "
            "Я читаю веб-страницы, текст, HTML и PDF."
        ),
        "extract.missing_file": "Файла {path} нет.",
        "extract.unreadable": "Не удалось прочитать файл. Это точно файл {kind}?",
        "extract.timeout": (
            "Эта страница читается слишком долго (больше {timeout_s} с): похоже, она устроена "
            "необычно. Вставьте текст."
        ),
        "extract.too_complex": (
            "Эта страница слишком сложная для меня (нужно слишком много памяти). Вставьте текст."
        ),
        "extract.too_many_pages": (
            "В этом PDF {pages} стр., а я читаю документы до {limit} стр. "
            "Пришлите часть, которую нужно пересказать."
        ),
        "llm.failed": "Языковая модель дала сбой. Попробуйте через минуту.",
        "llm.rate_limited": "Языковая модель сейчас перегружена. Попробуйте через минуту.",
        "llm.context_too_long": "Текст слишком длинный для языковой модели.",
        "llm.context_refused": (
            "Языковая модель не приняла текст: её окно контекста меньше, чем рассчитывает бот. "
            "Тому, кто запускает бота, нужно задать в LLM_CONTEXT_TOKENS настоящий размер окна."
        ),
        "llm.model_not_found": (
            "Бот настроен на языковую модель {model}, а на её сервере такой нет. "
            "Тому, кто запускает бота, нужно исправить LLM_MODEL."
        ),
        "llm.refused": "Языковая модель отказалась отвечать.",
        "llm.unavailable": "Языковая модель сейчас недоступна. Попробуйте позже.",
        "llm.auth": "Языковая модель не приняла ключ API бота. Сообщите владельцу бота.",
        "config": "Бот настроен неверно: {message}",
        "config.context_too_small": (
            "Бот настроен неверно: окно контекста в {context_tokens} токенов слишком мало, "
            "языковая модель ничего в него не вместит. Попросите владельца бота увеличить "
            "LLM_CONTEXT_TOKENS (или оставить пустым, чтобы взять окно модели)."
        ),
        "store.failed": "Хранилище дало сбой. Попробуйте через минуту.",
        "summary.extractive": (
            "_Извлечённое резюме (ИИ-модель не настроена): ключевые предложения из статьи._"
        ),
        "summary.extractive_fallback": (
            "_ИИ-модель сейчас недоступна, поэтому это извлечённое резюме: "
            "ключевые предложения из статьи._"
        ),
        "summary.key_rejected": (
            "_ИИ-модель не приняла ключ API бота (OPENAI_API_KEY; тому, кто запускает бота, "
            "нужно его исправить), поэтому это извлечённое резюме: ключевые предложения "
            "из статьи._"
        ),
        "summary.coverage": "_Охватывает первые {percent}% статьи._",
        "summary.cut_short": "_Модель упёрлась в предел длины: сводка может быть оборвана._",
        "answer.extractive": (
            "_ИИ-модель не настроена: вот предложения статьи, которые лучше всего "
            "подходят к вашему вопросу._"
        ),
        "answer.extractive_fallback": (
            "_ИИ-модель сейчас недоступна: вот предложения статьи, которые лучше всего "
            "подходят к вашему вопросу._"
        ),
        "answer.key_rejected": (
            "_ИИ-модель не приняла ключ API бота (OPENAI_API_KEY; тому, кто запускает бота, "
            "нужно его исправить): вот предложения статьи, которые лучше всего подходят "
            "к вашему вопросу._"
        ),
        "answer.not_covered": "Похоже, в статье об этом не говорится.",
        "answer.cut_short": "_Модель упёрлась в предел длины: ответ может быть оборван._",
        "answer.empty_question": "Вопрос пустой: напишите, что вы хотите узнать.",
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


def clip(typed: str, limit: int = ECHO_CHARS) -> str:
    """What the user typed, cut short enough for a reply to quote it."""
    return typed if len(typed) <= limit else typed[: limit - 1] + "…"


def describe_error(
    error: SummarybotError, language: str | None = None, *, quote: int | None = ECHO_CHARS
) -> str:
    """A short friendly sentence for an expected error, in the user's language; details that
    echo the input (a zone, a time) are cut to `quote` characters (None: a terminal's whole)."""
    params = {
        k: clip(v, quote) if isinstance(v, str) and quote is not None else v
        for k, v in error.details.items()
    }
    if error.code == "config":
        params.setdefault("message", str(error))
    return text(error.code, language, **params)


_SUMMARY_NOTICES = {
    Notice.NO_MODEL: "summary.extractive",
    Notice.MODEL_DOWN: "summary.extractive_fallback",
    Notice.KEY_REJECTED: "summary.key_rejected",
    Notice.BUDGET: "summary.extractive_budget",
}
_ANSWER_NOTICES = {
    Notice.NO_MODEL: "answer.extractive",
    Notice.MODEL_DOWN: "answer.extractive_fallback",
    Notice.KEY_REJECTED: "answer.key_rejected",
    Notice.BUDGET: "answer.extractive_budget",
}


def summary_markdown(summary: Summary, language: str | None = None) -> str:
    """The summary as the reader sees it: its notice, the text, and how much it covers."""
    label = text(_SUMMARY_NOTICES[summary.notice], language) if summary.notice else ""
    return "\n\n".join(
        part for part in (label, summary.text, summary_footer(summary, language)) if part
    )


def summary_footer(summary: Summary, language: str | None = None) -> str:
    """The notes under a summary that may end early or covers only part of an article."""
    notes = [text("summary.cut_short", language)] if summary.cut_short else []
    if summary.coverage < 1.0:
        percent = max(1, int(summary.coverage * 100))
        notes.append(text("summary.coverage", language, percent=percent))
    return "\n\n".join(notes)


def answer_markdown(answer: Answer, language: str | None = None) -> str:
    """The answer as the reader sees it: its notice and text, or "not covered"."""
    if not answer.covered:
        return text("answer.not_covered", language)
    label = text(_ANSWER_NOTICES[answer.notice], language) if answer.notice else ""
    return "\n\n".join(
        part for part in (label, answer.text, answer_footer(answer, language)) if part
    )


def answer_footer(answer: Answer, language: str | None = None) -> str:
    """The note under an answer that may end early; empty otherwise."""
    return text("answer.cut_short", language) if answer.cut_short else ""


# The wording kept beside the catalog, merged into it language by language.
for _part in (CHAT, PLAYGROUND, GROUPS, USAGE_TEXTS, INLINE, CHANNELS, SCHEDULES, FOLLOW):
    for _language, _entries in _part.items():
        CATALOG[_language].update(_entries)
