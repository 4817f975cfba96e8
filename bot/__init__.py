"""summarybot: a Telegram bot that reads articles for people."""
