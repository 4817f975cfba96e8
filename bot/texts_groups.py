"""The wording of the bot in group chats (merged into `bot.texts.CATALOG`)."""

from __future__ import annotations

GROUPS: dict[str, dict[str, str]] = {
    "en": {
        "group.admins_only": "Only this group's admins can change my settings or reset me here.",
        "settings.group_title": (
            "<b>Group settings</b>\nHow I write summaries in this group (its admins choose):"
        ),
        "settings.every_link": "Summarize every link posted",
        "settings.every_link.on": "On",
        "settings.every_link.off": "Off",
    },
    "ru": {
        "group.admins_only": (
            "Менять мои настройки и сбрасывать разговор здесь могут только администраторы группы."
        ),
        "settings.group_title": (
            "<b>Настройки группы</b>\nКак мне писать сводки в этой группе (выбирают администраторы):"
        ),
        "settings.every_link": "Пересказывать каждую ссылку",
        "settings.every_link.on": "Вкл",
        "settings.every_link.off": "Выкл",
    },
}
