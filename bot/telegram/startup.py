"""Start-up failures worded for the person starting the bot, with no library traceback first."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.core.errors import ConfigError, StoreError

# PTB's logger for its start-up retries; it logs the failure it then raises, traceback and all.
_PTB_LOGGER = "telegram.ext"
_BOOTSTRAP = "Network Retry Loop (Bootstrap"


class _QuietBootstrapAbort(logging.Filter):
    """Drops PTB's record of a start-up it gave up on: the one line we print says it better."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for the final "Aborting" record of a bootstrap retry loop."""
        message = record.getMessage()
        return not (message.startswith(_BOOTSTRAP) and "Aborting" in message)


@contextmanager
def explained_startup_failures(settings: Settings) -> Iterator[None]:
    """Raise ConfigError naming the setting to fix when the token, the Bot API or the database
    fails at start-up."""
    ptb, quiet = logging.getLogger(_PTB_LOGGER), _QuietBootstrapAbort()
    ptb.addFilter(quiet)
    try:
        yield
    except InvalidToken as exc:
        raise ConfigError(
            "Telegram rejected TELEGRAM_BOT_TOKEN. Copy the token again from @BotFather "
            "(/mybots, then API Token) into .env."
        ) from exc
    except NetworkError as exc:
        raise ConfigError(
            f"Cannot reach the Telegram Bot API at {settings.telegram_api_base_url} "
            f"({exc.message}). Check the network, or TELEGRAM_API_BASE_URL in .env."
        ) from exc
    except StoreError as exc:
        raise ConfigError(
            f"Cannot use the database of DATABASE_URL ({exc}). Fix DATABASE_URL in .env or the "
            "environment (see .env.example)."
        ) from exc
    finally:
        ptb.removeFilter(quiet)
