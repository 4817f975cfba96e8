"""What the bot knows of common models, by model name: input and output limits, reasoning."""

from __future__ import annotations

from dataclasses import dataclass

# Reasoning models spend hidden reasoning tokens out of the same output limit as the visible
# reply; this much room on top of the reply keeps a long input's reasoning from eating it.
REASONING_ALLOWANCE = 12_000


@dataclass(frozen=True)
class ModelLimits:
    """One model's limits and whether it reasons before it answers."""

    # The most a prompt and the output reserved for its reply may take together: the window of
    # a model whose prompt and reply share one, else the model's own input limit.
    input_tokens: int
    output_tokens: int | None = None  # the longest reply, reasoning included; None: unknown
    reasoning: bool = False

    def reply_limit(self, reply_tokens: int) -> int:
        """The output limit to request for a reply of about `reply_tokens` visible tokens."""
        limit = reply_tokens + REASONING_ALLOWANCE if self.reasoning else reply_tokens
        return min(limit, self.output_tokens) if self.output_tokens else limit


# Models people commonly configure; prefixes match dated variants (gpt-4o-2024-08-06) and the
# longest prefix wins (gpt-5-chat does not reason, gpt-5 does).
KNOWN_MODELS: dict[str, ModelLimits] = {
    # 400k window, but at most 272k of it input: a longer prompt is refused.
    "gpt-5": ModelLimits(272_000, 128_000, reasoning=True),
    "gpt-5-chat": ModelLimits(128_000, 16_384),
    "gpt-4.1": ModelLimits(1_047_576, 32_768),
    "gpt-4o": ModelLimits(128_000, 16_384),
    "o4-mini": ModelLimits(200_000, 100_000, reasoning=True),
    "o3": ModelLimits(200_000, 100_000, reasoning=True),
    "o1": ModelLimits(200_000, 100_000, reasoning=True),
    "gpt-4-turbo": ModelLimits(128_000, 4_096),
    "gpt-3.5-turbo": ModelLimits(16_385, 4_096),
    "claude": ModelLimits(200_000),
    "gemini": ModelLimits(1_000_000),
    "llama3.1": ModelLimits(128_000),
    "llama3.2": ModelLimits(128_000),
    "qwen2.5": ModelLimits(32_768),
    "mistral": ModelLimits(32_768),
}
DEFAULT_CONTEXT_TOKENS = 8_192
UNKNOWN_MODEL = ModelLimits(DEFAULT_CONTEXT_TOKENS)


def model_limits(model: str) -> ModelLimits:
    """The limits of a known model (longest matching prefix), else safe defaults."""
    name = model.rsplit("/", 1)[-1].lower()  # "openai/gpt-4o-mini" on OpenRouter
    matches = [prefix for prefix in KNOWN_MODELS if name.startswith(prefix)]
    if not matches:
        return UNKNOWN_MODEL
    return KNOWN_MODELS[max(matches, key=len)]


def context_tokens_for(model: str) -> int:
    """The tokens a prompt and its reserved reply may take together on `model`."""
    return model_limits(model).input_tokens
