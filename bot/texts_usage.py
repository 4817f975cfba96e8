"""The catalog's wording of access, budgets, rate limits, /usage, /stats and /limit.

Part of `bot.texts` (which merges it into CATALOG); kept apart so that neither grows too long.
"""

from __future__ import annotations

USAGE_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "access.private": (
            "Sorry, this bot is private: only the people its owner allowed may use it. "
            "Your Telegram id is {user_id}; send it to the bot's owner if you should have access."
        ),
        "access.leaving": (
            "This bot is private, and none of this group's admins may use it, so I am leaving "
            "the group. Goodbye!"
        ),
        "rate.limited": "You are sending requests faster than I can take them. "
        "Please try again in {seconds} s.",
        "budget.user.daily": "Your daily budget",
        "budget.user.monthly": "Your monthly budget",
        "budget.chat.daily": "This chat's daily budget",
        "budget.chat.monthly": "This chat's monthly budget",
        "budget.bot.daily": "The bot's daily budget",
        "budget.bot.monthly": "The bot's monthly budget",
        "budget.used_up": "{budget} is used up: {used} of {limit}.",
        "budget.too_big": (
            "{budget} has {remaining} left ({used} of {limit} used), less than the "
            "{estimate} or so this needs."
        ),
        "budget.resets": "It resets on {when} UTC (in {wait}).",
        "budget.tokens": "{count} tokens",
        "budget.usd": "${amount}",
        "budget.wait": "{hours} h {minutes} min",
        "summary.extractive_budget": (
            "_The extractive mode needs no model and stays available: key sentences quoted "
            "from the article._"
        ),
        "answer.extractive_budget": (
            "_The extractive mode needs no model and stays available: the sentences of the "
            "article that best match your question._"
        ),
        "confirm.ask": (
            "This article is long: summarizing it takes about {estimate}. Shall I summarize it?"
        ),
        "confirm.button": "Summarize it",
        "confirm.not_yours": "Only the person who sent the article can confirm.",
        "confirm.gone": "I no longer have that article; send it again.",
        "usage.title.user": "<b>Your usage</b>",
        "usage.title.chat": "<b>This chat's usage</b>",
        "usage.today": "Today: {tokens}, {usd}",
        "usage.month": "This month: {tokens}, {usd}",
        "usage.limit": "{budget}: {used} of {limit}; resets on {when} UTC",
        "usage.no_limits": "No limits apply.",
        "stats.title": "<b>Statistics</b>",
        "stats.period.day": "Last 24 hours",
        "stats.period.week": "Last 7 days",
        "stats.line": (
            "{period}: {users} users, {chats} chats, {requests} requests, {calls} model calls, "
            "{tokens} tokens, ${usd}, {hits} from the cache, {refused} refused for budgets, "
            "{errors} errors"
        ),
        "admins_only": "Only the bot's admins can do that.",
        "limit.usage": (
            "Usage: /limit <user id | @name | this> <daily | monthly> <tokens | usd> "
            "<value | off | default>. A negative id is a group; “this” is the current chat."
        ),
        "limit.unknown_user": (
            "I have not seen @{name} yet: use their numeric id (they can see it if they write "
            "to me while the bot is private)."
        ),
        "budget.period.daily": "daily",
        "budget.period.monthly": "monthly",
        "limit.set": "Done: {subject} now has a {period} limit of {limit}.",
        "limit.off": "Done: {subject} now has no {period} limit in {unit}.",
        "limit.default": "Done: the default {period} limit in {unit} applies to {subject} again.",
        "command.usage": "What you have used, and your limits",
    },
    "ru": {
        "access.private": (
            "Извините, это частный бот: им пользуются только те, кому разрешил владелец. "
            "Ваш id в Telegram — {user_id}; отправьте его владельцу бота, если вам нужен доступ."
        ),
        "access.leaving": (
            "Это частный бот, и никому из администраторов этой группы он не разрешён, "
            "поэтому я покидаю группу. До свидания!"
        ),
        "rate.limited": "Вы отправляете запросы быстрее, чем я успеваю. "
        "Попробуйте снова через {seconds} с.",
        "budget.user.daily": "Ваш дневной бюджет",
        "budget.user.monthly": "Ваш месячный бюджет",
        "budget.chat.daily": "Дневной бюджет этого чата",
        "budget.chat.monthly": "Месячный бюджет этого чата",
        "budget.bot.daily": "Дневной бюджет бота",
        "budget.bot.monthly": "Месячный бюджет бота",
        "budget.used_up": "{budget} исчерпан: {used} из {limit}.",
        "budget.too_big": (
            "{budget}: осталось {remaining} ({used} из {limit} израсходовано), а для этого "
            "нужно около {estimate}."
        ),
        "budget.resets": "Он обновится {when} UTC (через {wait}).",
        "budget.tokens": "{count} токенов",
        "budget.usd": "${amount}",
        "budget.wait": "{hours} ч {minutes} мин",
        "summary.extractive_budget": (
            "_Извлекающий режим работает без модели и по-прежнему доступен: ключевые "
            "предложения статьи._"
        ),
        "answer.extractive_budget": (
            "_Извлекающий режим работает без модели и по-прежнему доступен: предложения "
            "статьи, лучше всего отвечающие на ваш вопрос._"
        ),
        "confirm.ask": "Статья длинная: пересказ займёт около {estimate}. Пересказать её?",
        "confirm.button": "Пересказать",
        "confirm.not_yours": "Подтвердить может только тот, кто прислал статью.",
        "confirm.gone": "Этой статьи у меня больше нет; пришлите её снова.",
        "usage.title.user": "<b>Ваш расход</b>",
        "usage.title.chat": "<b>Расход этого чата</b>",
        "usage.today": "Сегодня: {tokens}, {usd}",
        "usage.month": "В этом месяце: {tokens}, {usd}",
        "usage.limit": "{budget}: {used} из {limit}; обновится {when} UTC",
        "usage.no_limits": "Ограничений нет.",
        "stats.title": "<b>Статистика</b>",
        "stats.period.day": "За 24 часа",
        "stats.period.week": "За 7 дней",
        "stats.line": (
            "{period}: пользователей {users}, чатов {chats}, запросов {requests}, "
            "вызовов модели {calls}, токенов {tokens}, ${usd}, из кэша {hits}, "
            "отказов по бюджету {refused}, "
            "ошибок {errors}"
        ),
        "admins_only": "Это могут только администраторы бота.",
        "limit.usage": (
            "Формат: /limit <id пользователя | @имя | this> <daily | monthly> <tokens | usd> "
            "<число | off | default>. Отрицательный id — группа; «this» — текущий чат."
        ),
        "limit.unknown_user": (
            "Я ещё не видел @{name}: укажите числовой id (пользователь увидит его, если напишет "
            "мне, пока бот частный)."
        ),
        "budget.period.daily": "дневной",
        "budget.period.monthly": "месячный",
        "limit.set": "Готово: у {subject} теперь {period} лимит {limit}.",
        "limit.off": "Готово: у {subject} больше нет лимита ({period}, {unit}).",
        "limit.default": "Готово: для {subject} снова действует обычный {period} лимит ({unit}).",
        "command.usage": "Сколько вы израсходовали и ваши лимиты",
    },
}
