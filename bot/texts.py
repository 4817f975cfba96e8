"""Every user-facing sentence, per language, in one catalog ready for translation."""

from __future__ import annotations

from typing import Any

from bot.core.errors import SummarybotError
from bot.core.models import Answer, Notice, Summary
from bot.texts_groups import GROUPS
from bot.texts_usage import USAGE_TEXTS

DEFAULT_LANGUAGE = "en"

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


def describe_error(error: SummarybotError, language: str | None = None) -> str:
    """A short friendly sentence for an expected error, in the user's language."""
    params = dict(error.details)
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


# The bot's own conversation (Telegram front end).
_UI: dict[str, dict[str, str]] = {
    "en": {
        "start": (
            "Hi! I read articles for you.\n\n"
            "Send me a link (or several), paste an article, forward a channel post, or upload a "
            ".txt, .html or .pdf file, and I'll send back a short summary. Then just ask me "
            "questions about it, or reply to the summary.\n\n/help lists everything I can do."
        ),
        "help": (
            "<b>What I do</b>\n"
            "• Send a link, several links, pasted text, a forwarded post or a document "
            "(.txt, .html, .pdf): I summarize it.\n"
            "• Ask a question after a summary, or reply to a summary: I answer from the article.\n\n"
            "<b>Commands</b>\n"
            "/summarize [link] - summarize a link (or reply with it to a message)\n"
            "/ask question - ask about the latest article (or reply to a summary)\n"
            "/settings - summary length, language and format\n"
            "/usage - what you have used, and your limits\n"
            "/reset - forget our conversation\n"
            "/cancel - stop what I'm doing"
        ),
        "working": "⏳ Reading…",
        "thinking": "⏳ Thinking…",
        "still_working": "I'm still working on your previous message; this one is next.",
        "still_working.chat": (
            "I'm still working on the previous request in this chat; this one is next."
        ),
        "cancelled": "Stopped.",
        "restarting": "I'm restarting; I'll come back to this in a minute.",
        "late": "Sorry for the wait: I was down. Here it is.",
        "too_old": "I was down for a long time and this message is over a day old. "
        "Please send it again if you still need it.",
        "nothing_to_cancel": "There is nothing to stop.",
        "queue_dropped": "Dropped from the queue: {count}.",
        "unreadable": (
            "I can't read stickers, photos, voice messages or locations: send me a link, "
            "an article's text, a forwarded post or a .txt, .html or .pdf file."
        ),
        "reset_done": "Done: I forgot our conversation. Send a link or an article to start again.",
        "no_article": "Send me a link or an article first, then ask about it.",
        "hint": (
            "Send me a link, paste a whole article, or upload a document, and I'll summarize it."
        ),
        "ask_usage": "Write your question after the command, e.g. /ask Who funded the study?",
        "summarize_usage": (
            "Send /summarize with a link, or reply /summarize to a message with a link or text."
        ),
        "too_many_links": "That's a lot of links: I'll summarize the first {count}.",
        "document.too_large": "That file is too large: I can read files up to 20 MB.",
        "document.unsupported": "I can read .txt, .html and .pdf files.",
        "link": "link",
        "settings.title": "<b>Settings</b>\nChoose how I write summaries for you:",
        "settings.saved": "Saved.",
        "settings.length": "Summary length",
        "settings.language": "Summary language",
        "settings.format": "Summary format",
        "settings.ui": "My language",
        "settings.length.short": "Short",
        "settings.length.medium": "Medium",
        "settings.length.long": "Long",
        "settings.language.auto": "As the article",
        "settings.language.mine": "In my language",
        "settings.language.other": "Type any language…",
        "settings.language.ask": (
            "Send me the language for your summaries: its name or code, e.g. Italian, it or pt-BR."
        ),
        "settings.language.set": "Done: summaries will be in {name}.",
        "settings.language.unknown": (
            "I don't know a language called “{typed}”. Tap “Type any language…” in /settings "
            "again and send its English name or its code, e.g. Italian or it."
        ),
        "settings.format.points": "Key points",
        "settings.format.paragraph": "Paragraph",
        "bot.short_description": (
            "I summarize articles: links, pasted text, forwarded posts, PDFs. "
            "Then ask me about them."
        ),
        "bot.description": (
            "Send me a link, paste an article, forward a channel post or upload a .txt, .html "
            "or .pdf file: I send back a short summary, then answer your questions from the "
            "article itself."
        ),
        "command.start": "Start and see what I do",
        "command.help": "How to use the bot",
        "command.summarize": "Summarize a link or a message",
        "command.ask": "Ask about the latest article",
        "command.settings": "Length, language and format",
        "command.reset": "Forget the conversation",
        "command.cancel": "Stop the work in progress",
    },
    "ru": {
        "start": (
            "Привет! Я читаю статьи за вас.\n\n"
            "Пришлите ссылку (или несколько), вставьте текст статьи, перешлите пост из канала "
            "или загрузите файл .txt, .html или .pdf, и я пришлю краткое содержание. Потом "
            "просто задавайте вопросы о статье или отвечайте на сводку.\n\n/help: всё, что я умею."
        ),
        "help": (
            "<b>Что я умею</b>\n"
            "• Пришлите ссылку, несколько ссылок, текст, пересланный пост или документ "
            "(.txt, .html, .pdf): я сделаю краткое содержание.\n"
            "• Задайте вопрос после сводки или ответьте на неё: я отвечу по тексту статьи.\n\n"
            "<b>Команды</b>\n"
            "/summarize [ссылка] - пересказать ссылку (или ответьте так на сообщение)\n"
            "/ask вопрос - спросить о последней статье\n"
            "/settings - длина, язык и формат сводки\n"
            "/usage - сколько вы израсходовали и ваши лимиты\n"
            "/reset - забыть разговор\n"
            "/cancel - остановить текущую работу"
        ),
        "working": "⏳ Читаю…",
        "thinking": "⏳ Думаю…",
        "still_working": "Я ещё работаю над предыдущим сообщением; это следующее в очереди.",
        "still_working.chat": (
            "Я ещё работаю над предыдущим запросом в этом чате; этот следующий в очереди."
        ),
        "cancelled": "Остановлено.",
        "restarting": "Я перезапускаюсь; вернусь к этому через минуту.",
        "late": "Простите за ожидание: я был недоступен. Вот ответ.",
        "too_old": "Я долго был недоступен, и этому сообщению больше суток. "
        "Пришлите его снова, если это ещё нужно.",
        "nothing_to_cancel": "Останавливать нечего.",
        "queue_dropped": "Убрано из очереди: {count}.",
        "unreadable": (
            "Я не умею читать стикеры, фото, голосовые и геопозиции: пришлите ссылку, "
            "текст статьи, пересланный пост или файл .txt, .html или .pdf."
        ),
        "reset_done": "Готово: я забыл наш разговор. Пришлите ссылку или статью.",
        "no_article": "Сначала пришлите ссылку или статью, потом задавайте вопросы.",
        "hint": "Пришлите ссылку, вставьте статью целиком или загрузите документ.",
        "ask_usage": "Напишите вопрос после команды, например: /ask Кто финансировал исследование?",
        "summarize_usage": (
            "Отправьте /summarize со ссылкой или ответьте /summarize на сообщение со ссылкой."
        ),
        "too_many_links": "Много ссылок: перескажу первые {count}.",
        "document.too_large": "Файл слишком большой: я читаю файлы до 20 МБ.",
        "document.unsupported": "Я читаю файлы .txt, .html и .pdf.",
        "link": "ссылка",
        "settings.title": "<b>Настройки</b>\nКак мне писать сводки:",
        "settings.saved": "Сохранено.",
        "settings.length": "Длина сводки",
        "settings.language": "Язык сводки",
        "settings.format": "Формат сводки",
        "settings.ui": "Язык бота",
        "settings.length.short": "Короткая",
        "settings.length.medium": "Средняя",
        "settings.length.long": "Длинная",
        "settings.language.auto": "Как в статье",
        "settings.language.mine": "На моём языке",
        "settings.language.other": "Другой язык…",
        "settings.language.ask": (
            "Пришлите язык для сводок: его название или код, например Italian, it или pt-BR."
        ),
        "settings.language.set": "Готово: язык сводок — {name}.",
        "settings.language.unknown": (
            "Не знаю языка «{typed}». Нажмите «Другой язык…» в /settings ещё раз и пришлите "
            "его английское название или код, например Italian или it."
        ),
        "settings.format.points": "Тезисы",
        "settings.format.paragraph": "Абзац",
        "bot.short_description": (
            "Пересказываю статьи: ссылки, вставленный текст, пересланные посты, PDF. "
            "Потом отвечаю на вопросы о них."
        ),
        "bot.description": (
            "Пришлите ссылку, вставьте статью, перешлите пост из канала или загрузите файл "
            ".txt, .html или .pdf: я пришлю краткое содержание и отвечу на вопросы по тексту "
            "статьи."
        ),
        "command.start": "Начать и узнать, что я умею",
        "command.help": "Как пользоваться ботом",
        "command.summarize": "Пересказать ссылку или сообщение",
        "command.ask": "Спросить о последней статье",
        "command.settings": "Длина, язык и формат",
        "command.reset": "Забыть разговор",
        "command.cancel": "Остановить текущую работу",
    },
}

# The playground's page (`summarybot playground`): what it refuses, and which model answers.
_PLAYGROUND: dict[str, dict[str, str]] = {
    "en": {
        "playground.empty": "Type a message first.",
        "playground.too_long": "A message holds at most {limit} characters.",
        "playground.unknown_user": "Unknown user: choose Alice or Bob.",
        "playground.unknown_chat": "Unknown chat: choose the private chat or the group.",
        "playground.reply_gone": "The message to reply to is gone.",
        "playground.not_json": "The request is not a JSON object.",
        "playground.no_file": "Choose a file to send.",
        "playground.no_button": "Press a button under one of the bot's messages.",
        "playground.llm": "LLM: {model}",
        "playground.no_llm": "No LLM configured: extractive summaries (the article's key sentences)",
    },
    "ru": {
        "playground.empty": "Сначала напишите сообщение.",
        "playground.too_long": "В сообщении не больше {limit} символов.",
        "playground.unknown_user": "Неизвестный пользователь: выберите Alice или Bob.",
        "playground.unknown_chat": "Неизвестный чат: выберите личный чат или группу.",
        "playground.reply_gone": "Сообщения, на которое вы отвечаете, больше нет.",
        "playground.not_json": "Запрос не является объектом JSON.",
        "playground.no_file": "Выберите файл для отправки.",
        "playground.no_button": "Нажмите кнопку под сообщением бота.",
        "playground.llm": "Модель: {model}",
        "playground.no_llm": "Модель не настроена: извлечённые сводки (ключевые предложения статьи)",
    },
}
# The wording kept beside the catalog, merged into it language by language.
for _part in (_UI, GROUPS, _PLAYGROUND, USAGE_TEXTS):
    for _language, _entries in _part.items():
        CATALOG[_language].update(_entries)
