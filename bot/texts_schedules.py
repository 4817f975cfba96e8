"""The wording of scheduled digests (merged into `bot.texts.CATALOG`)."""

from __future__ import annotations

SCHEDULES: dict[str, dict[str, str]] = {
    "en": {
        "command.digest_schedule": "A digest every day or week, by itself",
        "schedule.usage": (
            "Send /digest_schedule daily 09:00 Europe/Berlin, or /digest_schedule weekly mon "
            "18:30 UTC, for a digest at that time (any IANA time zone); /digest_schedule off "
            "stops it. For a channel you connected, in a private chat with me: /digest_schedule "
            "@channel daily 09:00 Europe/Berlin here|channel|group (where it goes)."
        ),
        "schedule.zone": (
            "I do not know the time zone “{zone}”. Use an IANA name such as Europe/Berlin, "
            "America/New_York or UTC."
        ),
        "schedule.time": "“{time}” is not a time of day: write it as HH:MM, from 00:00 to 23:59.",
        "schedule.set": "Done: a digest {schedule}. The next one comes {next}.",
        "schedule.current": "The digest comes {schedule}; the next one {next}.",
        "schedule.none": "No digest is scheduled here.",
        "schedule.off": "The scheduled digest is off.",
        "schedule.admins_only": "Only this group's admins can schedule its digest.",
        "schedule.daily": "every day at {time} ({zone})",
        "schedule.weekly": "every {day} at {time} ({zone})",
        "schedule.late": "<i>Late: this digest was due {due}, while I was down.</i>",
        "schedule.in_settings": "Scheduled digest: {schedule} (/digest_schedule).",
        "schedule.post_failed": "I could not post the scheduled digest; I will try again.",
        "schedule.post_refused": "This chat no longer takes my messages: its digest schedule is off.",
        "schedule.channel_usage": (
            "For a channel you connected: /digest_schedule {handle} daily 09:00 Europe/Berlin "
            "[here | channel | group] (here, this chat, unless you say), /digest_schedule "
            "{handle} off, or /digest_schedule {handle} to see it."
        ),
        "schedule.channel_set": "Done: a digest of {name} {schedule}, {where}. Next: {next}.",
        "schedule.channel_current": "The digest of {name} comes {schedule}, {where}; next {next}.",
        "schedule.channel_none": "No digest of {name} is scheduled.",
        "schedule.channel_off": "The scheduled digest of {name} is off.",
        "schedule.no_group": "{name} has no discussion group: choose here or channel instead.",
        "schedule.channel_admins_only": "Only an admin of {name} can schedule its digest.",
        "schedule.channel_lost": (
            "You are no longer an admin of {name}, so its scheduled digest is off; an admin "
            "who connected it can schedule it again."
        ),
        "schedule.to_here": "here",
        "schedule.to_private": "to an admin's private chat",
        "schedule.to_channel": "in the channel",
        "schedule.to_group": "in its discussion group",
        "schedule.days": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    },
    "ru": {
        "command.digest_schedule": "Дайджест каждый день или неделю, сам по себе",
        "schedule.usage": (
            "Отправьте /digest_schedule daily 09:00 Europe/Berlin или /digest_schedule weekly "
            "mon 18:30 UTC, чтобы получать дайджест в это время (любой часовой пояс IANA); "
            "/digest_schedule off отключает его. Для подключённого канала — в личном чате со "
            "мной: /digest_schedule @канал daily 09:00 Europe/Berlin here|channel|group (куда "
            "его отправлять)."
        ),
        "schedule.zone": (
            "Я не знаю часовой пояс «{zone}». Укажите имя IANA, например Europe/Berlin, "
            "America/New_York или UTC."
        ),
        "schedule.time": "«{time}» — не время суток: напишите его как ЧЧ:ММ, от 00:00 до 23:59.",
        "schedule.set": "Готово: дайджест {schedule}. Следующий — {next}.",
        "schedule.current": "Дайджест приходит {schedule}; следующий — {next}.",
        "schedule.none": "Здесь дайджест по расписанию не настроен.",
        "schedule.off": "Дайджест по расписанию отключён.",
        "schedule.admins_only": "Только администраторы этой группы могут настроить её дайджест.",
        "schedule.daily": "каждый день в {time} ({zone})",
        "schedule.weekly": "каждую неделю, {day}, в {time} ({zone})",
        "schedule.late": "<i>С опозданием: этот дайджест ждали {due}, когда я не работал.</i>",
        "schedule.in_settings": "Дайджест по расписанию: {schedule} (/digest_schedule).",
        "schedule.post_failed": "Не удалось отправить дайджест по расписанию; попробую ещё раз.",
        "schedule.post_refused": "Этот чат больше не принимает мои сообщения: дайджест по расписанию отключён.",
        "schedule.channel_usage": (
            "Для подключённого канала: /digest_schedule {handle} daily 09:00 Europe/Berlin "
            "[here | channel | group] (по умолчанию here — этот чат), /digest_schedule "
            "{handle} off или /digest_schedule {handle}, чтобы посмотреть."
        ),
        "schedule.channel_set": "Готово: дайджест {name} {schedule}, {where}. Следующий — {next}.",
        "schedule.channel_current": "Дайджест {name} приходит {schedule}, {where}; следующий — {next}.",
        "schedule.channel_none": "Дайджест {name} по расписанию не настроен.",
        "schedule.channel_off": "Дайджест {name} по расписанию отключён.",
        "schedule.no_group": "У {name} нет группы обсуждения: выберите here или channel.",
        "schedule.channel_admins_only": "Только администраторы {name} могут настроить его дайджест.",
        "schedule.channel_lost": (
            "Вы больше не администратор {name}, поэтому его дайджест по расписанию отключён; "
            "снова настроить его может администратор, подключивший канал."
        ),
        "schedule.to_here": "сюда",
        "schedule.to_private": "в личный чат администратора",
        "schedule.to_channel": "в сам канал",
        "schedule.to_group": "в его группу обсуждения",
        "schedule.days": "понедельник,вторник,среда,четверг,пятница,суббота,воскресенье",
    },
}
