"""Who may use the bot and how much: allow-lists, budgets, prices, rate limits (no Telegram)."""
