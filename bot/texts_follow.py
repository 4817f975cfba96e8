"""The wording for followed public channels (merged into `bot.texts.CATALOG`).

Messages are Telegram HTML: a channel's name is escaped before it is filled in."""

from __future__ import annotations

FOLLOW: dict[str, dict[str, str]] = {
    "en": {
        "command.follow": "Follow a public channel",
        "command.following": "The public channels you follow",
        "command.unfollow": "Stop following a channel",
        "follow.private_only": "Follow channels in a private chat with me: /follow @channel.",
        "follow.usage": "Send /follow @channel or a t.me/channel link (a public channel).",
        "follow.unfollow_usage": "Send /unfollow @channel (see /following).",
        "follow.bad_name": (
            "That is not a public channel's name: it is written @channel or t.me/channel, with "
            "5 to 32 Latin letters, digits or underscores."
        ),
        "follow.no_preview": (
            "{name} is on Telegram but shows no public posts: it is a user, a bot, a group, or "
            "a channel whose owner turned its web preview off. I can only follow channels with "
            "a public preview on t.me."
        ),
        "follow.missing": (
            "There is no {name} on Telegram: no public channel has that name (a private one "
            "has none). Check the spelling: it is the name after t.me/."
        ),
        "follow.unknown_page": (
            "t.me answered with a page I do not recognise for {name}; try again later."
        ),
        "follow.followed": (
            "<b>You follow {name}.</b> I read its new posts about every {minutes} minutes; "
            "/digest gives you the digest of every channel you follow."
        ),
        "follow.already": "You already follow {name}: /digest for its digest.",
        "follow.unfollowed": "You no longer follow {name}.",
        "follow.not_followed": "You do not follow {name} (see /following).",
        "follow.none": "You follow no channels yet. /follow @channel adds one.",
        "follow.list": "<b>Channels you follow</b> (/digest covers them all):",
        "follow.gone": (
            "{name} no longer has a public preview (its owner turned it off, or the name now "
            "belongs to a user, a bot or a group), so I can't read it. /unfollow {name} if it "
            "is gone for good."
        ),
        "follow.vanished": (
            "{name} no longer exists on Telegram (deleted, made private or renamed), so I can't "
            "read it. I will look now and then in case it comes back; /unfollow {name} to stop."
        ),
        "follow.failing": (
            "I keep failing to read {name}; I will keep trying, less often. /unfollow {name} "
            "to stop."
        ),
        "follow.digest_none": (
            "You follow no channels and have none connected: /follow @channel, or /connect "
            "@yourchannel. In groups, /digest gives what the group shared."
        ),
        "follow.digest_empty": "Your channels posted nothing to digest in that time.",
    },
    "ru": {
        "command.follow": "Подписаться на публичный канал",
        "command.following": "Публичные каналы, на которые вы подписаны",
        "command.unfollow": "Отписаться от канала",
        "follow.private_only": "Подписка на каналы — в личном чате со мной: /follow @канал.",
        "follow.usage": "Отправьте /follow @канал или ссылку t.me/канал (публичного канала).",
        "follow.unfollow_usage": "Отправьте /unfollow @канал (см. /following).",
        "follow.bad_name": (
            "Это не имя публичного канала: оно пишется как @канал или t.me/канал, от 5 до 32 "
            "латинских букв, цифр или подчёркиваний."
        ),
        "follow.no_preview": (
            "{name} есть в Telegram, но не показывает публичных постов: это пользователь, бот, "
            "группа или канал, владелец которого отключил веб-просмотр. Я могу подписаться "
            "только на каналы с публичным просмотром на t.me."
        ),
        "follow.missing": (
            "В Telegram нет {name}: ни один публичный канал так не называется (у закрытых "
            "каналов имени нет). Проверьте написание — это имя после t.me/."
        ),
        "follow.unknown_page": (
            "t.me ответил на {name} страницей, которую я не узнаю; попробуйте позже."
        ),
        "follow.followed": (
            "<b>Вы подписаны на {name}.</b> Я читаю его новые посты примерно раз в {minutes} "
            "мин.; /digest даёт дайджест всех ваших каналов."
        ),
        "follow.already": "Вы уже подписаны на {name}: /digest — его дайджест.",
        "follow.unfollowed": "Вы больше не подписаны на {name}.",
        "follow.not_followed": "Вы не подписаны на {name} (см. /following).",
        "follow.none": "Вы пока ни на что не подписаны. /follow @канал добавит канал.",
        "follow.list": "<b>Ваши подписки</b> (/digest охватывает их все):",
        "follow.gone": (
            "У {name} больше нет публичного просмотра (владелец отключил его, или имя теперь "
            "у пользователя, бота или группы), я не могу его читать. /unfollow {name}, если "
            "канал исчез насовсем."
        ),
        "follow.vanished": (
            "{name} больше нет в Telegram (канал удалён, стал закрытым или переименован), я не "
            "могу его читать. Я буду иногда проверять, не вернулся ли он; /unfollow {name}, "
            "чтобы перестать."
        ),
        "follow.failing": (
            "Мне раз за разом не удаётся прочитать {name}; я продолжу пробовать, реже. "
            "/unfollow {name}, чтобы перестать."
        ),
        "follow.digest_none": (
            "У вас нет ни подписок, ни подключённых каналов: /follow @канал или /connect "
            "@вашканал. В группах /digest показывает, чем делилась группа."
        ),
        "follow.digest_empty": "Ваши каналы ничего не опубликовали за это время.",
    },
}
