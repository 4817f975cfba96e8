"""The Telegram side: python-telegram-bot handlers, rendering and the application."""

import os

# PTB 22 warns on every int time period it hands out (RetryAfter.retry_after, ...) unless
# told to use timedelta, which is what this package expects.
os.environ.setdefault("PTB_TIMEDELTA", "true")
