"""The core: fetch, extract, tokens, LLM, summarize, answer, store. Knows nothing of Telegram."""
