"""The wording of the bot's own conversation and of the playground's page (merged into
`bot.texts.CATALOG`)."""

from __future__ import annotations

# The bot's own conversation (Telegram front end).
CHAT: dict[str, dict[str, str]] = {
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
            "• Ask a question after a summary, or reply to a summary: I answer from the article.\n"
            "• In any chat, type @{bot} and a link: I offer its summary to send there.\n"
            "• In a group, I collect the links shared: /digest sums up what was shared since "
            "the last digest, /digest 24h, 3d or 7d a period.\n"
            "• In our private chat, /follow @channel follows a public channel: /digest here "
            "covers every channel you follow.\n\n"
            "<b>Commands</b>\n"
            "/summarize [link] - summarize a link (or reply with it to a message)\n"
            "/ask question - ask about the latest article (or reply to a summary)\n"
            "/settings - summary length, language and format\n"
            "/digest [24h|3d|7d] - a digest of the links shared in a group\n"
            "/follow @channel - follow a public channel (/following, /unfollow)\n"
            "/usage - what you have used, and your limits\n"
            "/reset - forget our conversation\n"
            "/forget - delete everything I stored for this chat\n"
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
        "unknown_command": "I don't know that command: /help lists what I can do.",
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
            "• Задайте вопрос после сводки или ответьте на неё: я отвечу по тексту статьи.\n"
            "• В любом чате наберите @{bot} и ссылку: я предложу её сводку, чтобы отправить туда.\n"
            "• В группе я собираю присланные ссылки: /digest - сводка того, что прислали после "
            "прошлого дайджеста, /digest 24h, 3d или 7d - за период.\n"
            "• В личном чате /follow @канал подписывает на публичный канал: /digest здесь "
            "охватывает все ваши каналы.\n\n"
            "<b>Команды</b>\n"
            "/summarize [ссылка] - пересказать ссылку (или ответьте так на сообщение)\n"
            "/ask вопрос - спросить о последней статье\n"
            "/settings - длина, язык и формат сводки\n"
            "/digest [24h|3d|7d] - дайджест ссылок, присланных в группе\n"
            "/follow @канал - подписаться на публичный канал (/following, /unfollow)\n"
            "/usage - сколько вы израсходовали и ваши лимиты\n"
            "/reset - забыть разговор\n"
            "/forget - удалить всё, что я сохранил об этом чате\n"
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
        "unknown_command": "Я не знаю такой команды: /help покажет, что я умею.",
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
PLAYGROUND: dict[str, dict[str, str]] = {
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
