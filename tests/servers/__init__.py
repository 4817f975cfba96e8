"""Real local servers that play the outside world: article pages, an OpenAI-compatible API, the Telegram Bot API."""
