"""What the model costs: USD per million input and output tokens, known per model or configured."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import Usage

MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per million prompt (input) and completion (output) tokens."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, usage: Usage) -> float:
        """The USD cost of one call's tokens."""
        return self.usd(usage.prompt_tokens, usage.completion_tokens)

    def usd(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The USD cost of so many input and output tokens."""
        spent = prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok
        return spent / MILLION


# OpenAI's list prices; prefixes match dated variants (gpt-4o-2024-08-06) and the longest
# prefix wins (gpt-4o-mini is not priced as gpt-4o).
KNOWN_PRICES: dict[str, Price] = {
    "gpt-5": Price(1.25, 10.0),
    "gpt-5-mini": Price(0.25, 2.0),
    "gpt-5-nano": Price(0.05, 0.4),
    "gpt-5-chat": Price(1.25, 10.0),
    "gpt-4.1": Price(2.0, 8.0),
    "gpt-4.1-mini": Price(0.4, 1.6),
    "gpt-4.1-nano": Price(0.1, 0.4),
    "gpt-4o": Price(2.5, 10.0),
    "gpt-4o-mini": Price(0.15, 0.6),
    "o4-mini": Price(1.1, 4.4),
    "o3": Price(2.0, 8.0),
    "o3-mini": Price(1.1, 4.4),
    "o1": Price(15.0, 60.0),
    "gpt-4-turbo": Price(10.0, 30.0),
    "gpt-3.5-turbo": Price(0.5, 1.5),
}


def known_price(model: str) -> Price | None:
    """The list price of `model` ("openai/gpt-4o" works too), None when unknown."""
    name = model.rsplit("/", 1)[-1].lower()
    matches = [prefix for prefix in KNOWN_PRICES if name.startswith(prefix)]
    return KNOWN_PRICES[max(matches, key=len)] if matches else None
