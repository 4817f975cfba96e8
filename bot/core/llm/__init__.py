"""The language model: the LLM protocol and OpenAI-compatible client, tokens, prompts, limits."""
