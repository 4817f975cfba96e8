"""The wording of the bot in group chats and their digests (merged into `bot.texts.CATALOG`)."""

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
        "settings.collect": "Collect shared links for /digest",
        "settings.collect.on": "On",
        "settings.collect.off": "Off",
        "settings.recaps": "Keep messages for /digest recaps",
        "settings.recaps.on": "On",
        "settings.recaps.off": "Off",
        "digest.recap": "<b>Recap</b> of the conversation",
        "digest.recap_no_model": "Recaps of the conversation need a model: none is configured.",
        "digest.recap_budget": "So there is no recap of the conversation this time: it needs the model.",
        "command.forget": "Delete everything I stored for this chat",
        "forget.ask": (
            "Delete everything I stored for this chat: its articles, conversations, collected "
            "links, kept messages, digests, the digest schedule and settings? This cannot be undone."
        ),
        "forget.ask_private": (
            "Delete everything I stored for this chat: its articles, conversations, digests, "
            "digest schedule and settings, the channels you follow and those you connected, and the channel digests "
            "you scheduled? This cannot be undone."
        ),
        "forget.yes": "Delete everything",
        "forget.no": "Cancel",
        "forget.done": "Done: I deleted everything I stored for this chat.",
        "forget.cancelled": "Cancelled: nothing was deleted.",
        "forget.admins_only": "Only this group's admins can make me forget it.",
        "forget.not_yours": "Only the person who sent /forget can answer.",
        "command.digest": "A digest of the links shared here (groups)",
        "digest.usage": (
            "Send /digest for what was shared since the last digest, or /digest 24h, 3d or 7d "
            "(a week at most)."
        ),
        "digest.private_usage": (
            "Send /digest for what your followed and connected channels posted since the last "
            "digest, /digest 24h, 3d or 7d for a period (a week at most), or /digest @channel "
            "[period] for one of them or any public channel."
        ),
        "digest.preview_tip": (
            "<i>Read from {name}'s public page just now. /follow {name} to have it in every "
            "/digest.</i>"
        ),
        "digest.empty": "No links were shared here in that time.",
        "digest.title": "<b>Digest</b>: {count} articles shared since {since}",
        "digest.shared": "shared here",
        "digest.shared_times": "shared {count} times",
        "digest.unreadable": "<b>Could not read</b>:",
        "digest.other": "Other",
        "digest.extractive": "No model wrote these lines: each is the article's key sentence.",
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
        "settings.collect": "Собирать ссылки для /digest",
        "settings.collect.on": "Вкл",
        "settings.collect.off": "Выкл",
        "settings.recaps": "Хранить сообщения для пересказа в /digest",
        "settings.recaps.on": "Вкл",
        "settings.recaps.off": "Выкл",
        "digest.recap": "<b>Пересказ</b> разговора",
        "digest.recap_no_model": "Для пересказа разговора нужна модель, а она не настроена.",
        "digest.recap_budget": "Поэтому пересказа разговора на этот раз нет: для него нужна модель.",
        "command.forget": "Удалить всё, что я сохранил об этом чате",
        "forget.ask": (
            "Удалить всё, что я сохранил об этом чате: статьи, разговоры, собранные ссылки, "
            "сохранённые сообщения, дайджесты, расписание дайджестов и настройки? Отменить это "
            "будет нельзя."
        ),
        "forget.ask_private": (
            "Удалить всё, что я сохранил об этом чате: статьи, разговоры, дайджесты, их расписание "
            "и настройки, "
            "каналы, на которые вы подписаны и которые подключили, и заданные вами дайджесты "
            "каналов по расписанию? Отменить это будет нельзя."
        ),
        "forget.yes": "Удалить всё",
        "forget.no": "Отмена",
        "forget.done": "Готово: я удалил всё, что сохранил об этом чате.",
        "forget.cancelled": "Отменено: ничего не удалено.",
        "forget.admins_only": "Заставить меня забыть эту группу могут только её администраторы.",
        "forget.not_yours": "Ответить может только тот, кто отправил /forget.",
        "command.digest": "Дайджест ссылок, которыми здесь делились (в группах)",
        "digest.usage": (
            "Отправьте /digest, чтобы получить то, чем делились после прошлого дайджеста, "
            "или /digest 24h, 3d либо 7d (не больше недели)."
        ),
        "digest.private_usage": (
            "Отправьте /digest, чтобы получить то, что ваши каналы (отслеживаемые и "
            "подключённые) опубликовали после прошлого дайджеста, /digest 24h, 3d либо 7d — "
            "за период (не больше недели), или /digest @канал [период] — для одного из них "
            "или любого публичного канала."
        ),
        "digest.preview_tip": (
            "<i>Прочитано только что с публичной страницы {name}. /follow {name} — и он будет "
            "в каждом /digest.</i>"
        ),
        "digest.empty": "За это время здесь не делились ссылками.",
        "digest.title": "<b>Дайджест</b>: статей — {count}, с {since}",
        "digest.shared": "сообщение",
        "digest.shared_times": "поделились раз: {count}",
        "digest.unreadable": "<b>Не удалось прочитать</b>:",
        "digest.other": "Прочее",
        "digest.extractive": "Эти строки написаны без модели: в каждой ключевое предложение статьи.",
    },
}
