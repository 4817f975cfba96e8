"""A strict Telegram Bot API emulator that python-telegram-bot talks to for real."""
