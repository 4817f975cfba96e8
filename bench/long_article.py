"""LLM calls and prompt sizes of one very long article on the default model, via the fake server.

Usage: .venv/bin/python bench/long_article.py [--words 400000] [--model gpt-5-mini]

The article goes through the settings and the Service as the bot sends it (defaults for
everything but the server's address), to the fake OpenAI-compatible server of the tests. Prints
the number of calls, the largest prompt in the model's tokens (the offline tokenizer stands in)
and whether every prompt is within the model's input limit.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.core.llm.tokens import TokenCounter  # noqa: E402
from bot.core.models import Article  # noqa: E402
from bot.core.service import Service  # noqa: E402
from bot.core.store.types import UserPrefs  # noqa: E402
from tests.servers.openai_server import serve_openai  # noqa: E402

INPUT_LIMITS = {"gpt-5": 272_000}  # what the real API accepts, whatever the bot believes
VOCABULARY = [
    "council",
    "market",
    "river",
    "harbour",
    "winter",
    "budget",
    "school",
    "railway",
    "village",
    "museum",
    "farmer",
    "teacher",
    "minister",
    "engineer",
    "festival",
    "bridge",
    "library",
    "factory",
    "island",
    "mountain",
    "election",
    "hospital",
    "orchestra",
    "newspaper",
    "garden",
    "tunnel",
    "airport",
    "stadium",
    "province",
    "committee",
    "research",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "that",
    "said",
    "would",
    "after",
    "before",
    "during",
    "because",
    "while",
    "many",
    "several",
    "new",
    "old",
]


def article_text(words: int, seed: int = 7) -> str:
    """About `words` words in paragraphs of a few sentences, the same for the same seed."""
    rng = random.Random(seed)
    paragraphs, written = [], 0
    while written < words:
        sentences = [
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(rng.randint(2, 5))
        ]
        paragraph = " ".join(sentences)
        written += len(paragraph.split())
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


async def run(words: int, model: str) -> None:
    """Summarize one article of `words` words and print what reached the model."""
    counter = TokenCounter(model, allow_download=False)
    text = article_text(words)
    async with serve_openai() as fake:
        settings = load_settings(openai_base_url=fake.base_url, llm_model=model)
        service = await Service.open(settings.service_config(remember=False))
        try:
            summary = await service.summarize(Article(text), UserPrefs())
        finally:
            await service.aclose()
        prompts = [
            sum(counter.count(str(message["content"])) for message in body["messages"])
            for body in fake.requests
        ]
    limit = next((v for k, v in INPUT_LIMITS.items() if model.startswith(k)), None)
    print(f"model {model}: context budget {settings.context_tokens:,} tokens")
    print(f"article: {len(text.split()):,} words, {counter.count(text):,} tokens")
    print(f"LLM calls: {len(prompts)} (summary chunks {summary.chunks})")
    print(f"largest prompt: {max(prompts):,} tokens; all prompts: {sum(prompts):,} tokens")
    print(f"coverage: {summary.coverage:.0%}")
    if limit:
        verdict = "all within" if max(prompts) <= limit else "OVER"
        print(f"real input limit {limit:,}: {verdict}")


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--words", type=int, default=400_000)
    parser.add_argument("--model", default="gpt-5-mini")
    args = parser.parse_args()
    asyncio.run(run(args.words, args.model))


if __name__ == "__main__":
    main()
