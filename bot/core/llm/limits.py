"""What the bot knows of common models' limits, by model name."""

from __future__ import annotations

# Context windows of models people commonly configure; anything else gets DEFAULT_CONTEXT_TOKENS
# unless LLM_CONTEXT_TOKENS says otherwise. Prefixes match dated variants (gpt-4o-2024-08-06).
KNOWN_CONTEXT_TOKENS: dict[str, int] = {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "o4-mini": 200_000,
    "o3": 200_000,
    "gpt-4-turbo": 128_000,
    "gpt-3.5-turbo": 16_385,
    "claude": 200_000,
    "gemini": 1_000_000,
    "llama3.1": 128_000,
    "llama3.2": 128_000,
    "qwen2.5": 32_768,
    "mistral": 32_768,
}
DEFAULT_CONTEXT_TOKENS = 8_192


def context_tokens_for(model: str) -> int:
    """The context window of a known model (longest matching prefix), else a safe default."""
    name = model.rsplit("/", 1)[-1].lower()  # "openai/gpt-4o-mini" on OpenRouter
    matches = [prefix for prefix in KNOWN_CONTEXT_TOKENS if name.startswith(prefix)]
    if not matches:
        return DEFAULT_CONTEXT_TOKENS
    return KNOWN_CONTEXT_TOKENS[max(matches, key=len)]
