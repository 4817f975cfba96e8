"""The wording for channels: connecting them and their digests (merged into `bot.texts.CATALOG`).

Messages are Telegram HTML: a channel's name is escaped before it is filled in."""

from __future__ import annotations

CHANNELS: dict[str, dict[str, str]] = {
    "en": {
        "command.channels": "Your connected channels",
        "channel.connect_usage": (
            "Send /connect @yourchannel, or forward me one of its posts. Make me an admin of "
            "the channel (with the right to post) first."
        ),
        "channel.private_only": "Connect channels in a private chat with me: /connect @yourchannel.",
        "channel.unknown": (
            "I can't find the channel {name}. Check the name, or forward me one of its posts "
            "(a private channel has no @name)."
        ),
        "channel.not_channel": "{name} is not a channel. /connect is for channels you run.",
        "channel.not_admin": "Only an admin of {name} can connect it, and you are not one.",
        "channel.bot_not_admin": (
            "I am not an admin of {name} yet. Add me as an administrator with the right to post "
            "messages, then try again."
        ),
        "channel.bot_cannot_post": (
            "I am an admin of {name} but without the right to post messages. Turn on "
            "\u201cPost messages\u201d for me in the channel's admin settings, then try again."
        ),
        "channel.connected": (
            "<b>{name} is connected.</b> I keep its posts (text, captions and links) for "
            "{days} days, and here /digest {handle} gives you a digest of them: each linked "
            "article in a line, and longer posts without links too. /disconnect {handle} "
            "ends it."
        ),
        "channel.already": "{name} is already connected: /digest {handle} here.",
        "channel.list_empty": "No channels connected. /connect @yourchannel adds one.",
        "channel.list": "<b>Your channels</b> (/digest and the name for a digest):",
        "channel.disconnect_usage": "Send /disconnect @yourchannel (see /channels).",
        "channel.disconnected": (
            "{name} is disconnected. I still keep its posts while I am its admin; remove me "
            "from the channel to stop that."
        ),
        "channel.disconnected_scheduled": (
            "{name} is disconnected, and the scheduled digest of it you set is stopped too. I "
            "still keep its posts while I am its admin; remove me from the channel to stop that."
        ),
        "channel.not_connected": "{name} is not one of your channels (see /channels).",
        "channel.digest_empty": "{name} posted nothing to digest in that time.",
        "channel.digest_title": "<b>Digest of {name}</b> since {since}",
        "channel.post": "post",
        "channel.posts": "<b>Posts</b>:",
    },
    "ru": {
        "command.channels": "Ваши подключённые каналы",
        "channel.connect_usage": (
            "Отправьте /connect @вашканал или перешлите мне один из его постов. Сначала "
            "сделайте меня администратором канала (с правом публикации)."
        ),
        "channel.private_only": "Каналы подключаются в личном чате со мной: /connect @вашканал.",
        "channel.unknown": (
            "Не нахожу канал {name}. Проверьте название или перешлите мне один из его постов "
            "(у закрытого канала нет @имени)."
        ),
        "channel.not_channel": "{name} — не канал. /connect — для ваших каналов.",
        "channel.not_admin": "Подключить {name} может только его администратор, а вы им не являетесь.",
        "channel.bot_not_admin": (
            "Я пока не администратор {name}. Добавьте меня администратором с правом публикации "
            "сообщений и попробуйте снова."
        ),
        "channel.bot_cannot_post": (
            "Я администратор {name}, но без права публиковать сообщения. Включите мне "
            "«Публикация сообщений» в настройках администраторов канала и попробуйте снова."
        ),
        "channel.connected": (
            "<b>{name} подключён.</b> Я храню его посты (текст, подписи и ссылки) {days} дн., "
            "а здесь /digest {handle} даёт их дайджест: каждая статья по ссылке одной строкой, "
            "и длинные посты без ссылок тоже. /disconnect {handle} отключает канал."
        ),
        "channel.already": "{name} уже подключён: /digest {handle} здесь.",
        "channel.list_empty": "Нет подключённых каналов. /connect @вашканал добавит канал.",
        "channel.list": "<b>Ваши каналы</b> (/digest и имя — дайджест):",
        "channel.disconnect_usage": "Отправьте /disconnect @вашканал (см. /channels).",
        "channel.disconnected": (
            "{name} отключён. Пока я его администратор, я храню его посты; чтобы перестать, "
            "удалите меня из канала."
        ),
        "channel.disconnected_scheduled": (
            "{name} отключён, и заданный вами дайджест по расписанию тоже остановлен. Пока я его "
            "администратор, я храню его посты; чтобы перестать, удалите меня из канала."
        ),
        "channel.not_connected": "{name} нет среди ваших каналов (см. /channels).",
        "channel.digest_empty": "За это время в {name} не было постов для дайджеста.",
        "channel.digest_title": "<b>Дайджест {name}</b> с {since}",
        "channel.post": "пост",
        "channel.posts": "<b>Посты</b>:",
    },
}
