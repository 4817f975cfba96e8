"""The wording of inline mode, `@bot <link>` in any chat (merged into `bot.texts.CATALOG`)."""

from __future__ import annotations

INLINE: dict[str, dict[str, str]] = {
    "en": {
        "inline.hint": "Type or paste a link after my name to summarize it",
        "inline.title": "Summarize this article",
        "inline.cached_title": "Post the summary of this article",
        "inline.working": "⏳ Summarizing {url} …",
        "inline.open": "Open the article",
    },
    "ru": {
        "inline.hint": "Напишите или вставьте ссылку после моего имени, и я перескажу статью",
        "inline.title": "Пересказать эту статью",
        "inline.cached_title": "Отправить пересказ этой статьи",
        "inline.working": "⏳ Пересказываю {url} …",
        "inline.open": "Открыть статью",
    },
}
