"""The core: everything the bot does, knowing nothing of Telegram or of any front end.

Front ends (bot.telegram, bot.cli) call `service.Service` and nothing else. Below it:
`reading` (summaries, answers, the extractive fallback, where articles come from), then the
packages that each own one concern and its outside library: `fetch` (aiohttp, the safe fetcher),
`extract` (trafilatura, readability, pypdf, worker processes), `llm` (openai, tiktoken, prompts)
and `store` (aiosqlite, asyncpg). At the bottom, shared by all: `models`, `errors`, `charset`.
"""
