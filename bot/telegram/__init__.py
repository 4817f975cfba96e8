"""The Telegram side: python-telegram-bot handlers, rendering and the application."""
